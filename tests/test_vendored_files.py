"""Third-party front-end code lives apart from ours, under web/static/vendor/, marked vendored
for GitHub's language statistics, each file pinned by its sha256 in SHA256SUMS; the pages load
it from there."""

from __future__ import annotations

import hashlib
import re

from repo_support import REPO_ROOT

WEB_DIR = REPO_ROOT / "tools" / "judgekit" / "web"
VENDOR_DIR = WEB_DIR / "static" / "vendor"
CHECKSUMS = VENDOR_DIR / "SHA256SUMS"
NOT_CHECKSUMMED = {"SHA256SUMS", "VENDORED.txt"}


def _recorded() -> dict[str, str]:
    """File name -> sha256, from SHA256SUMS in sha256sum's format."""
    recorded = {}
    for line in CHECKSUMS.read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name.lstrip("*")] = digest
    return recorded


def test_every_vendored_file_has_the_recorded_sha256() -> None:
    recorded = _recorded()
    assert recorded, "SHA256SUMS lists no file"
    actual = {
        name: hashlib.sha256((VENDOR_DIR / name).read_bytes()).hexdigest() for name in recorded
    }
    assert actual == recorded


def test_every_file_in_the_vendor_folder_is_checksummed() -> None:
    present = {p.name for p in VENDOR_DIR.iterdir() if p.is_file()} - NOT_CHECKSUMMED
    assert present == set(_recorded())


def test_no_vendored_file_is_left_beside_our_own_static_files() -> None:
    ours = {p.name.lower() for p in (WEB_DIR / "static").iterdir() if p.is_file()}
    assert {"app.js", "style.css"} <= ours
    assert not [name for name in ours if "codemirror" in name or "vendored" in name]


def test_the_vendor_folder_is_marked_vendored_for_git() -> None:
    attributes = (REPO_ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "tools/judgekit/web/static/vendor/** linguist-vendored" in attributes


def test_every_static_file_a_template_names_exists() -> None:
    named = {
        path
        for template in (WEB_DIR / "templates").glob("*.html")
        for path in re.findall(r"""["']/static/([^"'?#]+)""", template.read_text(encoding="utf-8"))
    }
    assert {"vendor/codemirror.js", "vendor/codemirror-python.js", "vendor/codemirror.css"} <= named
    assert [p for p in sorted(named) if not (WEB_DIR / "static" / p).is_file()] == []
