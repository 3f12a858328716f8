"""Uploaded source files: written and fsynced under DATA/uploads before the row is committed."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_FILENAME_CHARS = 100


@dataclass(frozen=True)
class StoredUpload:
    name: str
    sha256: str
    size: int


def store_upload(uploads_dir: Path, content: bytes) -> StoredUpload:
    """Write CONTENT to a new file and make both the file and its directory entry durable."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.py"
    path = uploads_dir / name
    with path.open("xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    directory = os.open(uploads_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return StoredUpload(name=name, sha256=hashlib.sha256(content).hexdigest(), size=len(content))


def discard_upload(uploads_dir: Path, name: str) -> None:
    (uploads_dir / name).unlink(missing_ok=True)


def display_name(filename: str | None) -> str:
    """The learner's file name, for display only: last path part, printable, bounded."""
    if not filename:
        return "submission.py"
    base = PureWindowsPath(PurePosixPath(filename).name).name
    cleaned = "".join(c for c in base if c.isprintable()).strip()
    return cleaned[:MAX_FILENAME_CHARS] or "submission.py"
