"""The sandbox image's files as a plain read-only directory for runc: exported from the engine
once per image, with the folders the bundle mounts over already in it (a read-only root
cannot have them made at start). Root-only, never mounted writable into a sandbox. About a
gigabyte each: an export whose image the engine no longer has is removed once no template
can still be restoring from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Collection
from pathlib import Path

from judgekit.sandbox.docker_cli import run_docker
from judgekit.sandbox.engine import RuntimeFailure

MOUNT_POINTS = ("proc", "dev", "sys", "tmp", "judge/submission")
DONE = ".judgekit-exported"


def exported_rootfs(image: str, image_id: str, under: Path) -> Path:
    """IMAGE's root filesystem in UNDER/<id>, exported the first time it is asked for."""
    short = _short(image_id)
    root = under / short / "rootfs"
    if (root.parent / DONE).is_file():
        os.utime(root.parent / DONE)  # a template is made from it now (see prune_exports)
        return root
    partial = under / f"{short}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700, parents=True)
    (partial / "rootfs").mkdir(mode=0o755)
    created = run_docker("create", image, "/bin/true").stdout.strip()
    try:
        export = subprocess.Popen(["docker", "export", created], stdout=subprocess.PIPE)
        untar = subprocess.run(
            ["tar", "-x", "--numeric-owner", "-C", str(partial / "rootfs")],
            stdin=export.stdout,
            capture_output=True,
            check=False,
        )
        exported = export.wait()
    finally:
        run_docker("rm", "-f", created)
    if exported != 0 or untar.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        detail = untar.stderr.decode(errors="replace")[-300:]
        raise RuntimeFailure(f"cannot export the image {image} for runc: {detail}")
    for point in MOUNT_POINTS:
        (partial / "rootfs" / point).mkdir(parents=True, exist_ok=True)
    (partial / DONE).touch(mode=0o600)
    (partial / DONE).write_text(image + "\n", encoding="utf-8")
    try:
        partial.rename(root.parent)
    except OSError:  # another judge on this host exported it meanwhile: theirs is in use
        shutil.rmtree(partial, ignore_errors=True)
        if not (root.parent / DONE).is_file():
            raise RuntimeFailure(f"cannot keep the exported image in {root.parent}") from None
    return root


def prune_exports(under: Path, image_ids: Collection[str], idle_s: float) -> int:
    """Remove the exports under UNDER of images not in IMAGE_IDS (the engine's) that no
    template was made from for IDLE_S (a template's longest life): how many."""
    kept = {_short(image) for image in image_ids}
    removed = 0
    for done in under.glob(f"*/{DONE}"):
        export = done.parent
        try:
            idle = time.time() - done.stat().st_mtime
        except OSError:
            continue
        if export.name not in kept and idle > idle_s:
            shutil.rmtree(export, ignore_errors=True)
            removed += 1
    return removed


def _short(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:16]
