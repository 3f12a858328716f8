"""The hardened, throw-away Docker container every submission runs in, and cold runs in it.

Each container runs one job and is removed. `Sandbox.run` boots one for the job (its start-up
on the job's clock); `judgekit.sandbox.pool.SandboxPool` boots them ahead of demand through
`Sandbox.session`. Both make their containers here, with the same hardening.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import docker
import docker.errors
from docker.models.containers import Container
from docker.types import DeviceRequest, LogConfig, Ulimit

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device
from judgekit.sandbox.docker_box import DockerBox
from judgekit.sandbox.engine import EngineError, engine_failure
from judgekit.sandbox.image import current_image
from judgekit.sandbox.leftover_containers import LABEL, OWNER_LABEL, owner, remove_container, sweep
from judgekit.sandbox.outcome import ContainerSpec, Job, OnFrame, RunOutcome
from judgekit.sandbox.session import CPU_SHARES, SUBMISSION_MOUNT, SandboxSession

SUPERVISOR_IN_IMAGE = "/judge/supervisor.py"
NONCE_VARIABLE = "JUDGEKIT_NONCE"
SANDBOX_UID = "10001:10001"
PIDS_LIMIT = 128
SCRATCH_TMPFS = "rw,nosuid,nodev,noexec,size=64m,mode=1777"
FILE_SIZE_LIMIT = 16 * 1024 * 1024
OPEN_FILES_LIMIT = 256
CPUS = 1.0
RUNTIME_VARIABLE = "JUDGEKIT_DOCKER_RUNTIME"
# Over the image's own environment (its ENV lines), as the engine merges them.
SANDBOX_ENVIRONMENT = {"HOME": "/tmp", "PATH": "/opt/venv/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
# JAX on a GPU takes 75% of the memory free when it starts unless told otherwise: two
# processes on one GPU would race for it. Allocate on demand instead.
GPU_ALLOCATOR = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}


def _seccomp_profile(problem_root: Path) -> str:
    path = problem_root / "sandbox" / "seccomp.json"
    try:
        return json.dumps(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as error:
        raise JudgekitError(f"{path}: cannot load the seccomp profile: {error}") from None


class Sandbox:
    """Runs jobs in fresh containers. Thread-safe: one docker client per run.

    COMPILATION_CACHE False runs without the JAX compilation cache shipped in the image
    (for measuring what it saves).
    """

    def __init__(
        self, problem_root: Path, *, runtime: str | None = None, compilation_cache: bool = True
    ) -> None:
        self._root = problem_root
        self._seccomp = _seccomp_profile(problem_root)
        # runc (the engine's default) unless asked otherwise, e.g. runsc for gVisor.
        self._runtime = runtime or os.environ.get(RUNTIME_VARIABLE) or None
        self._compilation_cache = compilation_cache
        self._gpu_turn = threading.Lock()
        try:
            client = docker.from_env(timeout=60)
            client.ping()
        except docker.errors.DockerException as error:
            raise JudgekitError(
                f"cannot reach the Docker engine ({error}); start it with tools/docker-engine.sh"
            ) from None
        client.close()
        sweep()

    def run(self, job: Job, on_frame: OnFrame | None = None) -> RunOutcome:
        """Boot a container for JOB and run it: the start-up counts toward its limits."""
        session = self.session(job.spec)
        try:
            session.boot(())
            clock = session.clock(job, session.booted)
            if session.await_warm(clock):
                with self.turn(job.device):
                    return session.execute(job, on_frame, session.booted, clock)
            session.finish()
            session.record_times(clock)
        except EngineError as error:
            session.outcome.judge_error = engine_failure(error, job.device)
        finally:
            session.dispose()
        return session.outcome

    def image(self, device: Device) -> str:
        """The image built from this problem's sandbox recipe now."""
        return current_image(self._root, device)

    def turn(self, device: Device) -> AbstractContextManager[object]:
        """Held while a job runs: one submission at a time on the GPU, whose memory no
        container limit splits; any number on the CPU."""
        return self._gpu_turn if device is Device.GPU else nullcontext()

    def session(self, spec: ContainerSpec) -> SandboxSession:
        """A container for one job of SPEC, not yet booted (the pool boots it ahead)."""
        return SandboxSession(spec, self._start)

    def create_container(self, job: Job, folder: Path) -> Container:
        """The container `run(job)` would use, FOLDER mounted as the submission's: not started."""
        return self._create(docker.from_env(), job.spec, "0" * 32, folder)

    def _start(self, spec: ContainerSpec, nonce: str, folder: Path, cpu_shares: int) -> DockerBox:
        client = docker.from_env(timeout=120)
        container: Container | None = None
        try:
            container = self._create(client, spec, nonce, folder, cpu_shares)
            return DockerBox(client, container)
        except BaseException:
            if container is not None:
                remove_container(container.id)
            client.close()
            raise

    def _create(
        self,
        client: docker.DockerClient,
        spec: ContainerSpec,
        nonce: str,
        folder: Path,
        cpu_shares: int = CPU_SHARES,
    ) -> Container:
        memory = f"{spec.limits.memory_mib}m"
        gpu = spec.device is Device.GPU
        return client.containers.create(
            spec.image,
            command=["/opt/venv/bin/python", "-I", SUPERVISOR_IN_IMAGE],
            user=SANDBOX_UID,
            environment={
                **SANDBOX_ENVIRONMENT,
                # Read and dropped by the supervisor before the learner's process exists.
                NONCE_VARIABLE: nonce,
                **(GPU_ALLOCATOR if gpu else {"JAX_PLATFORMS": "cpu"}),
                **({} if self._compilation_cache else {"JAX_ENABLE_COMPILATION_CACHE": "false"}),
            },
            network_disabled=True,
            network_mode="none",
            read_only=True,
            tmpfs={"/tmp": SCRATCH_TMPFS},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges", f"seccomp={self._seccomp}"],
            pids_limit=PIDS_LIMIT,
            mem_limit=memory,
            memswap_limit=memory,
            nano_cpus=int(CPUS * 1e9),
            cpu_shares=cpu_shares,
            ulimits=[
                Ulimit(name="nofile", soft=OPEN_FILES_LIMIT, hard=OPEN_FILES_LIMIT),
                Ulimit(name="fsize", soft=FILE_SIZE_LIMIT, hard=FILE_SIZE_LIMIT),
                Ulimit(name="core", soft=0, hard=0),
            ],
            volumes={str(folder): {"bind": SUBMISSION_MOUNT, "mode": "ro"}},
            labels={LABEL: "1", OWNER_LABEL: owner()},
            device_requests=[DeviceRequest(count=-1, capabilities=[["gpu"]])] if gpu else None,
            runtime=self._runtime,
            # The judge reads the output live; the engine keeps none of it on disk.
            log_config=LogConfig(type=LogConfig.types.NONE),
            working_dir="/tmp",
            stdin_open=True,
            tty=False,
            detach=True,
            ipc_mode="private",
        )
