"""`judgekit serve` with no options gives the server exactly the defaults of Settings: they are
written once, in judgekit.web.settings and judgekit.web.guards.limits."""

from __future__ import annotations

import pytest
from judgekit.cli import build_parser
from judgekit.commands.limit_options import LIMIT_OPTIONS, SETTINGS_FIELDS, limits_from
from judgekit.package.problem import Problem
from judgekit.web.guards.limits import MIN_CHILD_MEMORY_MIB
from judgekit.web.settings import Settings


def test_serve_without_options_uses_the_settings_defaults(problem: Problem) -> None:
    options = build_parser().parse_args(["serve"])
    defaults = Settings(problem=problem)
    assert (options.host, options.port, options.data) == (
        defaults.host,
        defaults.port,
        defaults.data_dir,
    )
    assert (options.judging_threads, options.max_pending) == (
        defaults.judging_threads,
        defaults.max_pending_per_user,
    )
    assert options.devices is None and defaults.devices == ("cpu",)
    assert options.secure_cookies is defaults.secure_cookies


def test_the_old_name_of_judging_threads_still_works_and_says_the_new_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = build_parser().parse_args(["serve", "--workers", "3"])
    assert options.judging_threads == 3
    assert "--workers is deprecated: use --judging-threads" in capsys.readouterr().err
    assert build_parser().parse_args(["serve", "--judging-threads", "2"]).judging_threads == 2
    assert capsys.readouterr().err == ""


def test_serve_without_limit_options_gives_the_settings_default_limits(problem: Problem) -> None:
    limits = limits_from(build_parser().parse_args(["serve"]))
    defaults = Settings(problem=problem)
    assert limits == {field: getattr(defaults, field) for field in SETTINGS_FIELDS.values()}


def test_each_limit_option_sets_its_own_field_and_no_other() -> None:
    defaults = limits_from(build_parser().parse_args(["serve"]))
    for option in LIMIT_OPTIONS:
        default = getattr(option.limits, option.field)
        given = limits_from(build_parser().parse_args(["serve", option.flag, str(default * 2)]))
        field = SETTINGS_FIELDS[option.limits]
        assert getattr(given[field], option.field) == default * 2, option.flag
        assert {k: v for k, v in given.items() if k != field} == {
            k: v for k, v in defaults.items() if k != field
        }


def test_a_similarity_memory_below_the_minimum_is_refused_with_the_minimum(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--similarity-memory", str(MIN_CHILD_MEMORY_MIB - 1)])
    assert f"at least {MIN_CHILD_MEMORY_MIB} MiB" in capsys.readouterr().err
