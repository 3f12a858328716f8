"""Image builds leave nothing behind but the tagged image.

These build tiny FROM-scratch images of their own (a few bytes, no network) under scratch
repository names, so they never touch the real sandbox images.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.errors import JudgekitError
from judgekit.problem import Problem
from judgekit.sandbox.image_cleanup import build_leaving_nothing_behind
from sandbox_support import require_sandbox

pytestmark = pytest.mark.docker

# Two stages, like the sandbox's Dockerfile: the first one's last image is what the legacy
# builder leaves untagged. Each stage carries the test's label, so its leftovers can be found.
TWO_STAGES = """\
FROM scratch AS install
LABEL judgekit.test={nonce}
COPY payload /payload
COPY payload /payload.copy
FROM scratch
LABEL judgekit.test={nonce}
COPY --from=install /payload.copy /payload
"""


def _docker(*args: str) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout


def _exists(reference: str) -> bool:
    inspected = subprocess.run(["docker", "image", "inspect", reference], capture_output=True)
    return inspected.returncode == 0


def _image_id(reference: str) -> str:
    return _docker("image", "inspect", "--format", "{{.Id}}", reference).strip()


@pytest.fixture
def repository(problem: Problem) -> Iterator[str]:
    require_sandbox(problem.root)
    name = f"judgekit-cleanup-test-{secrets.token_hex(4)}"
    yield name
    tags = _docker("images", name, "--format", "{{.Repository}}:{{.Tag}}").split()
    if tags:
        subprocess.run(["docker", "image", "rm", *tags], capture_output=True)


@pytest.fixture
def nonce() -> str:
    return secrets.token_hex(8)


def _context(directory: Path, nonce: str, payload: str, dockerfile: str = TWO_STAGES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Dockerfile").write_text(dockerfile.format(nonce=nonce))
    (directory / "payload").write_text(payload)
    return directory


def _dangling_with(nonce: str) -> list[str]:
    return _docker(
        "images", "--quiet", "--filter", "dangling=true", "--filter", f"label=judgekit.test={nonce}"
    ).split()


def test_a_multi_stage_build_leaves_no_untagged_image(
    repository: str, nonce: str, tmp_path: Path
) -> None:
    context = _context(tmp_path, nonce, "one")
    build_leaving_nothing_behind([str(context)], [f"{repository}:a"], print)
    assert _exists(f"{repository}:a")
    assert _dangling_with(nonce) == []


def test_a_forced_rebuild_removes_the_image_it_took_the_tag_from(
    repository: str, nonce: str, tmp_path: Path
) -> None:
    tag = f"{repository}:a"
    build_leaving_nothing_behind([str(_context(tmp_path, nonce, "one"))], [tag], print)
    first = _image_id(tag)
    build_leaving_nothing_behind([str(_context(tmp_path, nonce, "two"))], [tag], print)
    assert _image_id(tag) != first
    assert not _exists(first)
    assert _dangling_with(nonce) == []


def test_a_failed_build_leaves_nothing_behind_and_shows_the_builder_output(
    repository: str, nonce: str, tmp_path: Path
) -> None:
    failing = TWO_STAGES + "COPY no-such-file /nowhere\n"
    context = _context(tmp_path, nonce, "one", failing)
    with pytest.raises(JudgekitError, match="no-such-file"):
        build_leaving_nothing_behind([str(context)], [f"{repository}:a"], print)
    assert not _exists(f"{repository}:a")
    assert _dangling_with(nonce) == []
