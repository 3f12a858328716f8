"""A template: one sandbox booted to `warm` for a ContainerSpec and checkpointed, from which
every job's clone is restored. It is rebuilt after MAX_RESTORES clones or MAX_AGE_S, so the
address layout, Python's hash seed and whatever else was decided before the checkpoint do not
stay the same for ever; a new image is a new spec, so a new template."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.sandbox.container import NONCE_VARIABLE, SANDBOX_ENVIRONMENT
from judgekit.sandbox.docker_cli import image_environment
from judgekit.sandbox.engine import RuntimeFailure
from judgekit.sandbox.outcome import ContainerSpec
from judgekit.sandbox.session import BACKGROUND_CPU_SHARES, CPU_SHARES, SandboxSession
from judgekit.sandbox.snapshots.bundle import oci_config, write_bundle
from judgekit.sandbox.snapshots.clone_cgroup import CloneCgroup
from judgekit.sandbox.snapshots.runc_box import Runc, RuncBox

MAX_RESTORES = 500
MAX_AGE_S = 6 * 3600.0
WARM_UP_S = 300.0


@dataclass
class Template:
    spec: ContainerSpec
    directory: Path
    """Root-only: the checkpoint's images in `images/`, never mounted into a sandbox."""
    rootfs: Path
    environment: Mapping[str, str]
    """The image's own environment, read once: each clone's config starts from it."""
    made_at: float = field(default_factory=time.monotonic)
    restores: int = 0
    in_use: int = 0
    """Clones being restored from it now: its images stay until the last one is up."""
    retired: bool = False

    @property
    def images(self) -> Path:
        return self.directory / "images"

    def worn_out(self, now: float) -> bool:
        return self.restores >= MAX_RESTORES or now - self.made_at >= MAX_AGE_S

    def discard(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def new_id(kind: str) -> str:
    """A container's id, naming the judge process that owns it (for `sweep_leftovers`)."""
    return f"judgekit-{os.getpid()}-{kind}-{secrets.token_hex(6)}"


def clone_config(
    template: Template,
    submission_dir: Path,
    seccomp: Mapping[str, Any],
    cgroup: CloneCgroup,
    nonce: str,
    cpu_shares: int = CPU_SHARES,
) -> dict[str, Any]:
    """The bundle's config; its environment is what the engine would give the container: the
    image's, then the judge's (a restore keeps the template's in any case)."""
    environment = {
        **template.environment,
        **SANDBOX_ENVIRONMENT,
        NONCE_VARIABLE: nonce,
        "JAX_PLATFORMS": "cpu",
    }
    return oci_config(
        rootfs=template.rootfs,
        submission_dir=submission_dir,
        environment=environment,
        seccomp=seccomp,
        cgroup=cgroup.runc_path,
        cpu_shares=cpu_shares,
    )


def memory_bytes(spec: ContainerSpec) -> int:
    return spec.limits.memory_mib * 1024 * 1024


def make_template(
    runc: Runc,
    spec: ContainerSpec,
    rootfs: Path,
    seccomp: Mapping[str, Any],
    shapes: Sequence[Sequence[int]],
    under: Path,
) -> Template:
    """Boot a sandbox for SPEC, warm it up for SHAPES and checkpoint it into UNDER."""
    container_id = new_id("template")
    directory = under / container_id
    directory.mkdir(mode=0o700, parents=True)
    template = Template(spec, directory, rootfs, image_environment(spec.image))
    session = SandboxSession(spec)
    cgroup = CloneCgroup(container_id, memory_bytes(spec))
    box: RuncBox | None = None
    try:
        # At the pool's low CPU weight: making a template never slows a verdict.
        config = clone_config(
            template,
            session.submission_dir,
            seccomp,
            cgroup,
            session.nonce,
            cpu_shares=BACKGROUND_CPU_SHARES,
        )
        bundle = write_bundle(directory / "bundle", config)
        box = RuncBox(runc, container_id, bundle, cgroup, directory / "work")
        session.attach(box)
        session.send_warm_up(shapes)
        if not session.await_warm(time.monotonic() + WARM_UP_S):
            raise RuntimeFailure(f"the template did not warm up: {session.outcome}")
        box.checkpoint(template.images)
        described = directory / "template.json"
        described.touch(mode=0o600)
        described.write_text(
            json.dumps({"image": spec.image, "device": spec.device.value}), encoding="utf-8"
        )
    except (RuntimeFailure, JudgekitError, OSError):
        template.discard()
        raise
    finally:
        session.stopped.set()
        session.dispose()
        if box is None:
            cgroup.remove()
    return template
