"""Image builds leave nothing behind but the tagged image, and superseded tags can be pruned.

These build tiny FROM-scratch images of their own (a few bytes, no network) under scratch
repository names, so they never touch the real sandbox images.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from judgekit.cli import main
from judgekit.errors import JudgekitError
from judgekit.package.problem import Problem
from judgekit.sandbox.image_cleanup import build_leaving_nothing_behind, prune_superseded
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


OLD_PAYLOAD_BYTES = 4 * 1024 * 1024


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


def test_prune_removes_superseded_tags_and_keeps_the_current_and_in_use_ones(
    problem: Problem, repository: str, nonce: str, tmp_path: Path
) -> None:
    current, superseded = f"{repository}:current", f"{repository}:000000000000"
    build_leaving_nothing_behind(
        [str(_context(tmp_path / "a", nonce, "current"))], [current, f"{repository}:latest"], print
    )
    # A payload of its own (random, so no other image shares its layer): what pruning frees.
    payload = secrets.token_hex(OLD_PAYLOAD_BYTES // 2)
    old_context = _context(tmp_path / "b", nonce, payload)
    build_leaving_nothing_behind([str(old_context)], [superseded], print)
    old_image = _image_id(superseded)
    old_size = int(_docker("image", "inspect", "--format", "{{.Size}}", superseded))
    assert old_size >= OLD_PAYLOAD_BYTES
    _docker("tag", current, f"{repository}:fake-superseded")
    runnable = require_sandbox(problem.root)
    _docker("tag", runnable, f"{repository}:in-use")
    container = _docker(
        "run", "--detach", "--rm", "--entrypoint", "sleep", f"{repository}:in-use", "120"
    ).strip()
    try:
        pruned = prune_superseded(repository, current, print)
    finally:
        subprocess.run(["docker", "kill", container], capture_output=True)
    assert sorted(pruned.removed) == sorted([superseded, f"{repository}:fake-superseded"])
    assert [tag for tag, _why in pruned.kept] == [f"{repository}:in-use"]
    assert "running container" in pruned.kept[0][1]
    assert pruned.freed_bytes >= old_size  # the superseded image's layer, at least
    assert not _exists(old_image)
    left = set(_docker("images", repository, "--format", "{{.Repository}}:{{.Tag}}").split())
    assert left == {current, f"{repository}:latest", f"{repository}:in-use"}


def test_prune_refuses_when_the_current_image_is_not_built(repository: str) -> None:
    with pytest.raises(JudgekitError, match="not built; build it first"):
        prune_superseded(repository, f"{repository}:current", print)


def test_a_dry_run_of_image_prune_removes_nothing(
    problem: Problem, capsys: pytest.CaptureFixture[str]
) -> None:
    require_sandbox(problem.root)
    listing = ("images", "judgekit-sandbox-cpu", "--no-trunc", "--format", "{{.Tag}} {{.ID}}")
    before = _docker(*listing)
    assert main(["--problem", str(problem.root), "image", "prune", "--dry-run"]) == 0
    assert "would remove" in capsys.readouterr().err
    assert _docker(*listing) == before
