"""Subcommands of `judgekit`: each module in COMMANDS has `register(subparsers)`, which sets
`handler`; `arguments` and `listening` are checks the subcommands share."""

from __future__ import annotations

import argparse
from typing import Protocol

from judgekit.commands import (
    bench,
    export,
    generate,
    image,
    new,
    run,
    serve,
    submit,
    users,
    validate,
    verify,
    worker,
)


class Command(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None: ...


COMMANDS: tuple[Command, ...] = (
    new,
    generate,
    validate,
    image,
    run,
    verify,
    bench,
    serve,
    worker,
    submit,
    users,
    export,
)
