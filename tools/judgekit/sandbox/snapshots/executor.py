"""Judging through snapshots: each CPU job in a fresh clone restored from its spec's template,
with its own id, cgroup (memory, pids, CPU), read-only submission folder, /tmp and pipes,
handed the job as a prewarmed container is, and removed after that one job. No idle pool: the
memory in use is that of the clones being judged.

A template is made when its spec is first met (and ahead, for the problem's own spec), and
made again in the background once worn out. Jobs this executor cannot take (a GPU, or a host
where the template cannot be made) go to FALLBACK, today's pool or cold sandbox."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device
from judgekit.sandbox.docker_cli import image_id, image_ids
from judgekit.sandbox.engine import EngineError, RuntimeFailure, engine_failure
from judgekit.sandbox.outcome import ContainerSpec, Job, JobRunner, OnFrame, RunOutcome
from judgekit.sandbox.session import SandboxSession
from judgekit.sandbox.snapshots.availability import Executor
from judgekit.sandbox.snapshots.bundle import write_bundle
from judgekit.sandbox.snapshots.clone_cgroup import CloneCgroup
from judgekit.sandbox.snapshots.leftovers import sweep_leftovers
from judgekit.sandbox.snapshots.rootfs import exported_rootfs, prune_exports
from judgekit.sandbox.snapshots.runc_box import Runc, RuncBox
from judgekit.sandbox.snapshots.template import (
    MAX_AGE_S,
    Template,
    clone_config,
    make_template,
    memory_bytes,
    new_id,
)

log = logging.getLogger(__name__)
STATE_DIR = Path("/var/lib/judgekit/snapshots")
# After a template failed to be made, wait before trying again (jobs go to the fallback).
RETRY_AFTER_S = 60.0


class SnapshotSandbox:
    """The same `run(job, on_frame)` as `Sandbox`; thread-safe. `close()` removes the
    templates."""

    def __init__(
        self,
        fallback: JobRunner,
        executor: Executor,
        seccomp_path: Path,
        shapes: Sequence[Sequence[int]],
        *,
        state_dir: Path = STATE_DIR,
        ahead: ContainerSpec | None = None,
    ) -> None:
        if not executor.snapshots:
            raise JudgekitError(f"no snapshots on this host: {executor.why}")
        self.fallback = fallback
        self.executor = executor
        self.shapes = tuple(tuple(shape) for shape in shapes)
        self._seccomp: dict[str, Any] = json.loads(seccomp_path.read_text(encoding="utf-8"))
        state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        state_dir.chmod(0o700)
        self._runc = Runc(executor.runc, executor.criu, state_dir / "runc")
        sweep_leftovers(state_dir, self._runc)
        self._rootfs = state_dir / "rootfs"
        with contextlib.suppress(JudgekitError):
            prune_exports(self._rootfs, image_ids(), MAX_AGE_S)
        self._state = state_dir / f"judge-{os.getpid()}"
        for folder in (
            self._rootfs,
            self._state,
            self._state / "templates",
            self._state / "clones",
        ):
            folder.mkdir(mode=0o700, exist_ok=True)
        self._templates: dict[ContainerSpec, Template] = {}
        self._failed_at: dict[ContainerSpec, float] = {}
        self._making: dict[ContainerSpec, threading.Event] = {}
        self._lock = threading.Lock()
        self._exporting = threading.Lock()
        self._closed = False
        if ahead is not None:
            with self._lock:
                self._start_making(ahead)

    def image(self, device: Device) -> str:
        return self.fallback.image(device)

    def wait_until_warm(self, spec: ContainerSpec, timeout_s: float) -> bool:
        """Wait until SPEC's template is made (making it if need be); False if that failed or
        took longer than TIMEOUT_S."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                if spec in self._templates:
                    return True
                if spec in self._failed_at:
                    return False
                making = self._making.get(spec) or self._start_making(spec)
            left = deadline - time.monotonic()
            if left <= 0 or not making.wait(left):
                return False

    def run(self, job: Job, on_frame: OnFrame | None = None) -> RunOutcome:
        template = self._template(job.spec, hold=True) if job.device is Device.CPU else None
        if template is None:
            return self.fallback.run(job, on_frame)
        session = SandboxSession(job.spec)
        clone = new_id("clone")
        directory = self._state / "clones" / clone
        try:
            try:
                box = self._restore(template, session, clone, directory)
            except EngineError as error:
                # Nothing of the job has run yet: the fallback judges it, not a JE.
                log.warning("cannot restore a clone (this job runs in the pool): %s", error)
                return self.fallback.run(job, on_frame)
            finally:
                self._release(template)
            session.attach(box)
            outcome = session.execute(job, on_frame, time.monotonic())
        except EngineError as error:
            session.outcome.judge_error = engine_failure(error, job.device)
            outcome = session.outcome
        finally:
            session.dispose()
            shutil.rmtree(directory, ignore_errors=True)
        outcome.prewarmed = True
        return outcome

    def close(self) -> None:
        with self._lock:
            self._closed = True
            templates = list(self._templates.values())
            self._templates.clear()
            for template in templates:
                self._retire(template)

    def _release(self, template: Template) -> None:
        with self._lock:
            template.in_use -= 1
            if template.retired:
                self._retire(template)

    def _retire(self, template: Template) -> None:
        """Called with the lock held: discarded now, or by the last clone restored from it."""
        template.retired = True
        if template.in_use == 0:
            template.discard()

    def _restore(
        self, template: Template, session: SandboxSession, clone: str, directory: Path
    ) -> RuncBox:
        cgroup = CloneCgroup(clone, memory_bytes(template.spec))
        try:
            directory.mkdir(mode=0o700)
            config = clone_config(
                template,
                session.submission_dir,
                self._seccomp,
                cgroup,
                session.nonce,
            )
            bundle = write_bundle(directory / "bundle", config)
            return RuncBox(
                self._runc, clone, bundle, cgroup, directory / "work",
                restore_from=template.images,
            )  # fmt: skip
        except BaseException:
            cgroup.remove()
            raise

    def _template(self, spec: ContainerSpec, hold: bool) -> Template | None:
        """SPEC's template, made now if there is none (other jobs for it wait); a worn-out
        one still serves while its successor is made in the background. HOLD: for a restore,
        which `_release`s it once the clone is up."""
        with self._lock:
            template = self._templates.get(spec)
            if template is not None:
                if hold:
                    _hold(template)
                if template.worn_out(time.monotonic()) and spec not in self._making:
                    self._start_making(spec)
                return template
            failed_at = self._failed_at.get(spec)
            if failed_at is not None and time.monotonic() - failed_at < RETRY_AFTER_S:
                return None
            making = self._making.get(spec) or self._start_making(spec)
        making.wait()
        with self._lock:
            template = self._templates.get(spec)
            if template is not None and hold:
                _hold(template)
            return template

    def _start_making(self, spec: ContainerSpec) -> threading.Event:
        """Called with the lock held."""
        done = threading.Event()
        self._making[spec] = done
        threading.Thread(target=self._make, args=(spec, done), daemon=True).start()
        return done

    def _make(self, spec: ContainerSpec, done: threading.Event) -> None:
        try:
            identity = image_id(spec.image)
            if identity is None:
                raise RuntimeFailure(f"the image {spec.image} is not built")
            with self._exporting:  # one at a time: two specs may share an image
                rootfs = exported_rootfs(spec.image, identity, self._rootfs)
            template = make_template(
                self._runc, spec, rootfs, self._seccomp, self.shapes, self._state / "templates"
            )
        except (*EngineError, JudgekitError, OSError) as error:
            log.warning("cannot make a snapshot template (jobs run in the pool): %s", error)
            with self._lock:
                self._failed_at[spec] = time.monotonic()
                self._making.pop(spec, None)
            done.set()
            return
        with self._lock:
            old = self._templates.get(spec)
            if self._closed:
                template.discard()
            else:
                self._templates[spec] = template
                self._failed_at.pop(spec, None)
            if old is not None:
                self._retire(old)
            for other in [s for s in self._templates if _superseded_by(s, spec)]:
                self._retire(self._templates.pop(other))  # the image was rebuilt
            self._making.pop(spec, None)
        done.set()


def _hold(template: Template) -> None:
    """Called with the lock held: one more clone restored from TEMPLATE, being restored now."""
    template.restores += 1
    template.in_use += 1


def _superseded_by(old: ContainerSpec, new: ContainerSpec) -> bool:
    return old.image != new.image and (old.device, old.limits) == (new.device, new.limits)
