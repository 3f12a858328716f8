"""`judgekit image build|show|prune`: the sandbox image."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console

from judgekit.commands.plain_text import plain
from judgekit.exit_codes import ExitCode
from judgekit.package.problem import Device
from judgekit.sandbox.image import build_image, current_image, prune_images
from judgekit.sandbox.snapshots.availability import choose_executor


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("image", help="build or show the sandbox image")
    actions = parser.add_subparsers(dest="image_action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="build the sandbox image (offline, from a host-side wheelhouse)",
        description=(
            "Build the sandbox image: a base (python:3.11-slim if present or pullable, else "
            "one bootstrapped from Debian packages), the wheels of sandbox/requirements-"
            "DEVICE.lock downloaded on the host, sandbox/supervisor.py, runner.py and "
            "warmup.py, and a JAX compilation cache that warmup.py fills for the test set's "
            "and the fuzz draws' shapes. The tag carries a digest of those inputs, shapes "
            "included; an unchanged rebuild is a cache hit."
        ),
    )
    build.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    build.add_argument(
        "--prune", action="store_true", help="then remove this device's superseded images"
    )
    build.set_defaults(handler=run_build)
    show = actions.add_parser(
        "show", help="print the tag a judge would use now, and how it would run jobs"
    )
    show.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    show.set_defaults(handler=run_show)
    prune = actions.add_parser(
        "prune",
        help="remove superseded sandbox images",
        description=(
            "Remove the device's sandbox images whose tag is not the digest of the current "
            "inputs (images built from other inputs, in another checkout too, count as "
            "superseded), keeping `latest` while it names the current image and any image a "
            "running container uses. Prints what it removed and the disk space freed."
        ),
    )
    prune.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    prune.add_argument("--dry-run", action="store_true", help="only say what would go")
    prune.set_defaults(handler=run_prune)


def run_build(options: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    started = time.monotonic()
    tag = build_image(
        options.problem,
        options.device,
        lambda line: console.print(plain(line)),
        force=options.force,
    )
    console.print(f"image ready in {time.monotonic() - started:.0f} s")
    print(tag)
    if options.prune:
        _prune(console, options.problem, options.device, dry_run=False)
    return ExitCode.OK


def run_prune(options: argparse.Namespace) -> int:
    _prune(Console(stderr=True), options.problem, options.device, dry_run=options.dry_run)
    return ExitCode.OK


def _prune(console: Console, problem: Path, device: Device, *, dry_run: bool) -> None:
    pruned = prune_images(problem, device, lambda line: console.print(plain(line)), dry_run=dry_run)
    if dry_run:
        console.print(f"would remove {len(pruned.removed)} tag(s)")
    else:
        console.print(
            f"removed {len(pruned.removed)} tag(s), freed {pruned.freed_bytes / 1e6:.1f} MB"
        )


def run_show(options: argparse.Namespace) -> int:
    print(current_image(options.problem, options.device))
    # On stderr: the tag alone on stdout stays usable as $(judgekit image show).
    print(f"executor: {choose_executor(options.device).describe()}", file=sys.stderr)
    return ExitCode.OK
