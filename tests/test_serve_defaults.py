"""`judgekit serve` with no options gives the server exactly the defaults of Settings: they are
written once, in judgekit.web.settings."""

from __future__ import annotations

from judgekit.cli import build_parser
from judgekit.package.problem import Problem
from judgekit.web.settings import Settings


def test_serve_without_options_uses_the_settings_defaults(problem: Problem) -> None:
    options = build_parser().parse_args(["serve"])
    defaults = Settings(problem=problem)
    assert (options.host, options.port, options.data) == (
        defaults.host,
        defaults.port,
        defaults.data_dir,
    )
    assert (options.workers, options.max_pending) == (
        defaults.workers,
        defaults.max_pending_per_user,
    )
    assert options.devices is None and defaults.devices == ("cpu",)
    assert options.secure_cookies is defaults.secure_cookies
