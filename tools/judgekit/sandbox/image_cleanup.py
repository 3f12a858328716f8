"""Keeps sandbox image builds from filling a judge host's disk.

The legacy builder (the only one Debian's docker.io client has: it ships no buildx) keeps the
last image of every earlier stage of a multi-stage build, untagged: 1.1 GB for the CPU image's
`install` stage, 9.5 GB for the GPU one. Its `--label` labels the final stage only, so those
images cannot be found by label; their ids are in the build's output, whatever the Dockerfile
says. A forced rebuild also leaves the image it took a tag from untagged. BuildKit keeps
earlier stages in its build cache instead, and prints no such ids.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import docker
import docker.errors

from judgekit.errors import JudgekitError
from judgekit.sandbox.docker_cli import image_id, run_docker

Log = Callable[[str], None]

# A step's resulting image in the legacy builder's output: " ---> 3bb6d6093ad9".
_STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12,64})\s*$", re.MULTILINE)
_OUTPUT_TAIL = 3000


def _lines(*args: str) -> list[str]:
    return [line for line in run_docker(*args).stdout.splitlines() if line.strip()]


def _dangling_ids() -> set[str]:
    return set(_lines("images", "--quiet", "--no-trunc", "--filter", "dangling=true"))


def build_leaving_nothing_behind(arguments: Sequence[str], tags: Sequence[str], log: Log) -> None:
    """`docker build --force-rm -t TAG... ARGUMENTS`, then remove the untagged images it left:
    earlier stages' images and the images the tags were taken from, if nothing else holds
    them. On failure too, before the error is raised."""
    replaced = {image for image in (image_id(tag) for tag in tags) if image}
    tag_arguments = [argument for tag in tags for argument in ("--tag", tag)]
    try:
        result = subprocess.run(
            ["docker", "build", "--force-rm", *tag_arguments, *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise JudgekitError("the docker client is not installed; run tools/setup.sh") from None
    remove_dangling([*_STEP_IMAGE.findall(result.stdout), *replaced], log)
    if result.returncode != 0:
        raise JudgekitError(f"`docker build` failed:\n{result.stdout.strip()[-_OUTPUT_TAIL:]}")


def remove_dangling(candidates: Sequence[str], log: Log) -> None:
    """Remove those of CANDIDATES (image ids, short or full) that are dangling now; their
    untagged parents go with them. An image a container uses is kept, and said so."""
    dangling = _dangling_ids()
    doomed = sorted({full for full in dangling for short in candidates if _same_image(full, short)})
    for image in doomed:
        result = run_docker("image", "rm", image, check=False)
        if result.returncode != 0:
            log(f"kept the build's leftover {_short(image)}: {result.stderr.strip()}")
    if doomed:
        log(f"removed {len(doomed)} untagged image(s) the build left behind")


def _same_image(full: str, short: str) -> bool:
    return full.removeprefix("sha256:").startswith(short.removeprefix("sha256:"))


def _short(image: str) -> str:
    return image.removeprefix("sha256:")[:12]


@dataclass(frozen=True)
class Pruned:
    removed: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]  # (tag, why)
    freed_bytes: int


def prune_superseded(repository: str, current: str, log: Log, *, dry_run: bool = False) -> Pruned:
    """Untag every tag of REPOSITORY but CURRENT (and `latest` while it names CURRENT's image),
    so that the images no tag and no container holds any more are deleted. A tag whose image a
    running container uses is kept. Returns what went and the disk space that came free."""
    current_id = image_id(current)
    if current_id is None:
        raise JudgekitError(
            f"{current} is not built; build it first, so that pruning leaves an image to judge with"
        )
    running = set(_running_image_ids())
    before = _layers_size()
    removed: list[str] = []
    kept: list[tuple[str, str]] = []
    for reference, image in _tagged(repository):
        if reference == current or (reference.endswith(":latest") and image == current_id):
            continue
        if image in running:
            kept.append((reference, f"a running container uses its image {_short(image)}"))
        elif dry_run:
            removed.append(reference)
            log(f"would remove {reference}")
        else:
            result = run_docker("image", "rm", reference, check=False)
            if result.returncode == 0:
                removed.append(reference)
                log(f"removed {reference}")
            else:  # a stopped container uses it, or it went meanwhile: docker says which
                kept.append((reference, result.stderr.strip()))
    for reference, why in kept:
        log(f"kept {reference}: {why}")
    freed = 0 if dry_run else max(0, before - _layers_size())
    return Pruned(tuple(removed), tuple(kept), freed)


def _tagged(repository: str) -> list[tuple[str, str]]:
    """(repository:tag, full image id) for every tag of REPOSITORY."""
    listed = _lines("images", repository, "--no-trunc", "--format", "{{.Tag}}\t{{.ID}}")
    pairs = [line.split("\t", 1) for line in listed]
    return [(f"{repository}:{tag}", image) for tag, image in pairs if tag != "<none>"]


def _running_image_ids() -> list[str]:
    containers = _lines("ps", "--quiet", "--no-trunc")
    if not containers:
        return []
    return _lines("inspect", "--format", "{{.Image}}", *containers)


def _layers_size() -> int:
    """Bytes the engine's image layers take on disk."""
    try:
        client = docker.from_env(timeout=120)
        try:
            return int(client.api.df()["LayersSize"])
        finally:
            client.close()
    except docker.errors.DockerException as error:
        raise JudgekitError(f"cannot ask the Docker engine for its disk use: {error}") from None
