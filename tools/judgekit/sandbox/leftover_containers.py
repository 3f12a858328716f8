"""Sandbox containers that outlive their run: removed by their judge, or swept at start.

A run removes its container when it ends. When the engine does not answer then (it is
restarting, say), the run keeps trying in the background; containers of judges that died are
removed by `sweep` when the next judge starts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import docker
import docker.errors

from judgekit.sandbox.engine import EngineError

LABEL = "judgekit.sandbox"
OWNER_LABEL = "judgekit.owner"
REMOVAL_RETRY_S = 600.0
REMOVAL_POLL_S = 2.0


def owner() -> str:
    """Who runs a container: this host and process, so a later sweep knows if it is alive."""
    return f"{socket.gethostname()}:{os.getpid()}"


def sweep() -> int:
    """Remove sandbox containers left by judges that are no longer running; return how many.

    Other judge threads create and remove containers meanwhile, so the listing uses the
    engine's summary (no per-container inspect that could race a removal) and a container
    that is already gone, or being removed, is not an error.
    """
    client = docker.from_env(timeout=60).api
    removed = 0
    host = socket.gethostname()
    try:
        for summary in client.containers(all=True, filters={"label": LABEL}):
            owner = (summary.get("Labels") or {}).get(OWNER_LABEL, "")
            owner_host, _, pid = owner.partition(":")
            if owner_host == host and pid.isdigit() and process_alive(int(pid)):
                continue
            with contextlib.suppress(docker.errors.APIError):
                client.remove_container(summary["Id"], force=True)
                removed += 1
    finally:
        client.close()
    return removed


def process_alive(pid: int) -> bool:
    """A process PID runs on this host (maybe another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_container(container_id: str, *, retry_for_s: float = REMOVAL_RETRY_S) -> bool:
    """Remove a container now; when the engine does not answer (restarting, say), keep trying
    in the background for RETRY_FOR_S: `sweep` skips containers of a live judge, so a judge
    that lives on must clean up after itself. True when it is gone now."""
    if _try_remove(container_id):
        return True
    threading.Thread(
        target=_remove_later,
        args=(container_id, time.monotonic() + retry_for_s),
        name=f"judgekit-remove-{container_id[:12]}",
        daemon=True,
    ).start()
    return False


def _try_remove(container_id: str) -> bool:
    try:
        client = docker.from_env(timeout=30)
    except EngineError:
        return False
    try:
        client.api.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        return True
    except EngineError:
        return False
    finally:
        client.close()
    return True


def _remove_later(container_id: str, give_up_at: float) -> None:
    while time.monotonic() < give_up_at:
        time.sleep(REMOVAL_POLL_S)
        if _try_remove(container_id):
            return
