"""`--log-format json` (or JUDGEKIT_LOG_FORMAT=json): one JSON object per log line, whatever the
message holds; and the settings a distributed judge needs are asked for by name."""

from __future__ import annotations

import json
import logging
import os
import subprocess

import pytest
from judgekit.commands.logs import JsonFormatter, configure_logging
from judgekit.errors import JudgekitError
from repo_support import judgekit_command
from web_support import free_port


def test_each_record_is_one_json_object_on_one_line() -> None:
    record = logging.LogRecord(
        "judgekit.web",
        logging.WARNING,
        __file__,
        1,
        "line one\nline two \x1b[31m %s",
        ("ü",),
        None,
    )
    text = JsonFormatter().format(record)
    assert "\n" not in text
    entry = json.loads(text)
    assert entry["message"] == "line one\nline two \x1b[31m ü"
    assert (entry["level"], entry["logger"]) == ("WARNING", "judgekit.web")
    assert entry["time"].endswith("+00:00")


def test_an_unknown_format_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUDGEKIT_LOG_FORMAT", "xml")
    with pytest.raises(JudgekitError, match="use text or json"):
        configure_logging(None)


def judgekit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JUDGEKIT_")}
    return subprocess.run(
        judgekit_command(*args),
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
    )


def test_a_broker_without_a_judge_host_token_is_a_usage_error(tmp_path: object) -> None:
    env = {"JUDGEKIT_BROKER_URL": "redis://127.0.0.1:1/0"}
    result = judgekit("serve", "--port", str(free_port()), "--data", str(tmp_path), env=env)
    assert result.returncode == 2
    assert "JUDGEKIT_JUDGEHOST_TOKEN" in result.stderr


def test_a_judge_host_names_each_missing_setting() -> None:
    result = judgekit("worker", env={})
    assert result.returncode == 2
    assert "JUDGEKIT_JUDGEHOST_TOKEN" in result.stderr
    result = judgekit("worker", env={"JUDGEKIT_JUDGEHOST_TOKEN": "t"})
    assert result.returncode == 2
    assert "JUDGEKIT_BROKER_URL" in result.stderr
