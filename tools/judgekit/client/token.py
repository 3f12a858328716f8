"""Where `judgekit submit` finds the API token, in this order:

1. `--token TOKEN` (explicit; other users can see it in `ps`),
2. `--token-file PATH` (explicit too, so it wins over the environment),
3. the environment variable JUDGEKIT_TOKEN,
4. the file JUDGEKIT_TOKEN_FILE names, else ~/.config/judgekit/token.

A token file must be a regular file owned by the user, with no permission for group or others
(mode 0600 or stricter): a token others can read is refused, with the chmod that fixes it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError

TOKEN_ENV = "JUDGEKIT_TOKEN"
TOKEN_FILE_ENV = "JUDGEKIT_TOKEN_FILE"
SERVER_ENV = "JUDGEKIT_SERVER"
DEFAULT_SERVER = "http://127.0.0.1:8000"


def default_token_file(environ: Mapping[str, str]) -> Path:
    config = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "judgekit" / "token"


@dataclass(frozen=True)
class Token:
    value: str
    source: str
    """Where it came from, for messages: `--token`, `$JUDGEKIT_TOKEN` or the file's path."""


def read_token_file(path: Path) -> str:
    """The token in PATH, refused unless only its owner (the user) can read it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise JudgekitError(f"token file {path}: no such file") from None
    except OSError as error:
        raise JudgekitError(f"token file {path}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise JudgekitError(f"token file {path}: not a regular file")
    if info.st_uid != os.getuid():
        raise JudgekitError(f"token file {path}: owned by another user; use a file of your own")
    if info.st_mode & 0o077:
        raise JudgekitError(
            f"token file {path}: readable by others (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"run `chmod 600 {path}` first"
        )
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise JudgekitError(f"token file {path}: cannot read it: {error}") from None
    if not token:
        raise JudgekitError(f"token file {path}: is empty")
    return token


def resolve_token(
    explicit: str | None, token_file: Path | None, environ: Mapping[str, str]
) -> Token:
    if explicit:
        return Token(explicit, "--token")
    if token_file is not None:
        return Token(read_token_file(token_file), str(token_file))
    if environ.get(TOKEN_ENV):
        return Token(environ[TOKEN_ENV].strip(), f"${TOKEN_ENV}")
    named = Path(environ[TOKEN_FILE_ENV]) if environ.get(TOKEN_FILE_ENV) else None
    path = named or default_token_file(environ)
    if named is None and not path.exists():
        raise JudgekitError(
            f"no API token: set {TOKEN_ENV}, or put the token printed by `judgekit users add` "
            f"in {path} (chmod 600), or pass --token-file PATH"
        )
    return Token(read_token_file(path), str(path))


def resolve_server(explicit: str | None, environ: Mapping[str, str]) -> str:
    server = explicit or environ.get(SERVER_ENV) or DEFAULT_SERVER
    if not server.startswith(("http://", "https://")):
        raise JudgekitError(f"--server {server}: give a URL such as {DEFAULT_SERVER}")
    return server.rstrip("/")
