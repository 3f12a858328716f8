"""The compose file of the multi-host recipe (tools/deploy/compose.yaml) says what the code
reads: every service runs a judgekit command that parses, with the settings' real names."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from judgekit.cli import build_parser
from judgekit.client.token import SERVER_ENV
from judgekit.commands.logs import LOG_FORMAT_ENV
from judgekit.commands.worker import BROKER_ENV, TOKEN_ENV
from repo_support import REPO_ROOT

DEPLOY = REPO_ROOT / "tools" / "deploy"
COMPOSE: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]


def expanded(value: str) -> str:
    """VALUE with ${NAME:-default} replaced by its default, and ${NAME...} by a placeholder."""
    value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{\w+[^}]*\}", "1", value)


def test_the_recipe_has_a_web_tier_a_broker_a_database_and_both_kinds_of_judge_host() -> None:
    assert {"web", "redis", "postgres", "judge-host-cpu", "judge-host-gpu"} <= set(SERVICES)
    assert SERVICES["judge-host-cpu"]["command"][:3] == ["worker", "--device", "cpu"]
    assert SERVICES["judge-host-gpu"]["command"][:3] == ["worker", "--device", "gpu"]
    gpu = SERVICES["judge-host-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["driver"] == "nvidia"


def test_the_cpu_judge_hosts_count_comes_from_its_variable_or_its_old_name() -> None:
    replicas = SERVICES["judge-host-cpu"]["deploy"]["replicas"]
    assert replicas == "${CPU_JUDGE_HOSTS:-${CPU_WORKERS:-2}}"


@pytest.mark.parametrize("service", ["web", "judge-host-cpu", "judge-host-gpu"])
def test_each_judgekit_service_runs_a_command_that_parses(service: str) -> None:
    command = [expanded(str(part)) for part in SERVICES[service]["command"]]
    options = build_parser().parse_args(["--problem", ".", *command])
    assert options.handler is not None


@pytest.mark.parametrize("service", ["web", "judge-host-cpu", "judge-host-gpu"])
def test_services_set_the_variables_the_code_reads(service: str) -> None:
    environment = SERVICES[service]["environment"]
    assert {BROKER_ENV, TOKEN_ENV, LOG_FORMAT_ENV} <= set(environment)
    if service == "web":
        assert environment["JUDGEKIT_DATABASE_URL"].startswith("postgresql://")
    else:
        assert environment[SERVER_ENV] == "http://web:8000"
        assert "/var/run/docker.sock:/var/run/docker.sock" in SERVICES[service]["volumes"]


def test_the_app_image_is_built_from_the_repository_root() -> None:
    build = SERVICES["web"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (
        DEPLOY / "judgekit.Dockerfile"
    ).resolve()
