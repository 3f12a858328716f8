"""Similarity between two submissions, for academic integrity: copydetect's winnowing over
tokens (names become V/F/O, strings S, comments and layout dropped, so renaming variables or
reformatting changes nothing), minus what the statement gives everyone.

Pure functions: no database, no web. Fingerprints use Python's str hash, so they are only
comparable within one process; the background scan (similarity_scan.py) recomputes them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint, compare_files
from markdown_it import MarkdownIt

NOISE_TOKENS = 25
"""k: matches shorter than this many filtered characters are noise (copydetect's default)."""
WINDOW = 1
"""Winnowing window: copydetect's default guarantee threshold (25) - k + 1."""
THRESHOLD = 0.6
"""A pair is reported when both files share at least this fraction of their tokens."""
MIN_GIVEN_CHARS = 20
"""Inline code in the statement shorter than this is a name, not code everyone is given."""

Regions = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Similarity:
    score: float
    """The smaller of the two files' shares of matching tokens, from 0 to 1."""
    first: Regions
    """Matching regions of the first file: (start, end) character offsets into its text."""
    second: Regions


def given_code(statement_markdown: str) -> list[str]:
    """The code the statement gives everyone: its code blocks and its longer inline code."""
    found: list[str] = []
    for token in MarkdownIt("commonmark").parse(statement_markdown):
        if token.type in ("fence", "code_block"):
            found.append(token.content)
        for child in token.children or ():
            if child.type == "code_inline" and len(child.content) >= MIN_GIVEN_CHARS:
                found.append(child.content)
    return found


def boilerplate(given: Sequence[str]) -> np.ndarray:
    """Every k-gram hash of GIVEN (as copydetect builds its boilerplate: window 1)."""
    hashes: list[int] = []
    for code in given:
        hashes.extend(CodeFingerprint("given.py", NOISE_TOKENS, 1, fp=io.StringIO(code)).hashes)
    return np.unique(np.array(hashes, dtype=np.int64))


def fingerprint(source: str, given_hashes: np.ndarray) -> CodeFingerprint:
    return CodeFingerprint(
        "submission.py", NOISE_TOKENS, WINDOW, boilerplate=given_hashes, fp=io.StringIO(source)
    )


def _regions(slices: np.ndarray, length: int) -> Regions:
    if slices.size == 0:
        return ()
    return tuple(
        (max(0, int(start)), min(length, int(end)))
        for start, end in zip(slices[0], slices[1], strict=True)
        if int(end) > int(start)
    )


def compare(first: CodeFingerprint, second: CodeFingerprint) -> Similarity:
    _overlap, (share1, share2), (slices1, slices2) = compare_files(first, second)
    return Similarity(
        score=float(min(share1, share2)),
        first=_regions(np.asarray(slices1), len(first.raw_code)),
        second=_regions(np.asarray(slices2), len(second.raw_code)),
    )


def compare_sources(first: str, second: str, given: Sequence[str] = ()) -> Similarity:
    """compare() of two source texts, with GIVEN (the statement's code) excluded."""
    hashes = boilerplate(given)
    return compare(fingerprint(first, hashes), fingerprint(second, hashes))


def similar_pairs(
    sources: Sequence[tuple[str, str]], given: Sequence[str] = (), threshold: float = THRESHOLD
) -> list[tuple[int, int, Similarity]]:
    """(i, j, similarity) for each pair i < j of SOURCES ((author, text) pairs) by different
    authors whose score reaches THRESHOLD, most similar first."""
    hashes = boilerplate(given)
    prints = [fingerprint(text, hashes) for _author, text in sources]
    found = []
    for i in range(len(sources)):
        for j in range(i + 1, len(sources)):
            if sources[i][0] == sources[j][0]:
                continue
            result = compare(prints[i], prints[j])
            if result.score >= threshold:
                found.append((i, j, result))
    return sorted(found, key=lambda item: -item[2].score)


def marked_segments(text: str, regions: Regions) -> list[tuple[str, bool]]:
    """TEXT cut into (piece, matched) segments, for a template to escape and mark."""
    segments: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(regions):
        start = max(start, at)
        if end <= start:
            continue
        if start > at:
            segments.append((text[at:start], False))
        segments.append((text[start:end], True))
        at = end
    if at < len(text):
        segments.append((text[at:], False))
    return segments
