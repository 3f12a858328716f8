"""`judgekit image build|show`: the sandbox image."""

from __future__ import annotations

import argparse
import time

from rich.console import Console

from judgekit.exit_codes import ExitCode
from judgekit.problem import Device
from judgekit.sandbox.image import build_image, current_image
from judgekit.untrusted_text import plain


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("image", help="build or show the sandbox image")
    actions = parser.add_subparsers(dest="image_action", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="build the sandbox image (offline, from a host-side wheelhouse)",
        description=(
            "Build the sandbox image: a base (python:3.11-slim if present or pullable, else "
            "one bootstrapped from Debian packages), the wheels of sandbox/requirements-"
            "DEVICE.lock downloaded on the host, and sandbox/runner.py. The tag carries a "
            "digest of those inputs; an unchanged rebuild is a cache hit."
        ),
    )
    build.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    build.set_defaults(handler=run_build)
    show = actions.add_parser("show", help="print the tag a judge would use now")
    show.add_argument("--device", type=Device, choices=list(Device), default=Device.CPU)
    show.set_defaults(handler=run_show)


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
    return ExitCode.OK


def run_show(options: argparse.Namespace) -> int:
    print(current_image(options.problem, options.device))
    return ExitCode.OK
