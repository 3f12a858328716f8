"""The sandbox image's files as a plain read-only directory for runc: exported from the engine
once per image, with the folders the bundle mounts over already in it (a read-only root
cannot have them made at start). Root-only, never mounted writable into a sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from judgekit.sandbox.engine import RuntimeFailure
from judgekit.sandbox.image import run_docker

MOUNT_POINTS = ("proc", "dev", "sys", "tmp", "judge/submission")
DONE = ".judgekit-exported"


def exported_rootfs(image: str, image_id: str, under: Path) -> Path:
    """IMAGE's root filesystem in UNDER/<id>, exported the first time it is asked for."""
    short = image_id.removeprefix("sha256:")[:16]
    root = under / short / "rootfs"
    if (root.parent / DONE).is_file():
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
