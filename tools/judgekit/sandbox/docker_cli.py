"""The Docker client, run as a command (builds, exports and image queries; containers are
driven through docker-py): every call's failure is one JudgekitError that says what failed."""

from __future__ import annotations

import json
import subprocess

from judgekit.errors import JudgekitError


def run_docker(
    *args: str, check: bool = True, quiet: bool = True
) -> subprocess.CompletedProcess[str]:
    """`docker ARGS`: its output captured unless QUIET is false; CHECK: a failure raises."""
    try:
        return subprocess.run(
            ["docker", *args],
            check=check,
            text=True,
            capture_output=quiet,
        )
    except FileNotFoundError:
        raise JudgekitError("the docker client is not installed; run tools/setup.sh") from None
    except subprocess.CalledProcessError as error:
        raise JudgekitError(
            f"`docker {' '.join(args[:2])}` failed: {(error.stderr or '').strip()[-2000:]}"
        ) from None


def image_id(reference: str) -> str | None:
    """REFERENCE's image id, or None if the engine has no such image."""
    result = run_docker("image", "inspect", "--format", "{{.Id}}", reference, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def image_ids() -> set[str]:
    """The id of every image the engine has; JudgekitError (never an empty set) when it cannot
    be asked."""
    listed = run_docker("images", "--all", "--quiet", "--no-trunc")
    return {line.strip() for line in listed.stdout.splitlines() if line.strip()}


def image_environment(reference: str) -> dict[str, str]:
    """The environment the image's recipe sets (its ENV lines), as the engine gives it to a
    container."""
    done = run_docker("image", "inspect", "--format", "{{json .Config.Env}}", reference)
    pairs = json.loads(done.stdout or "null") or []
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)
