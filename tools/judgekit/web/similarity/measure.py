"""Similarity between two submissions, for academic integrity: copydetect's method (its token
filter: names become V/F/O, strings S, comments and layout dropped, so renaming variables or
reformatting changes nothing; then every k-gram of the filtered text, window 1), minus what
the statement gives everyone.

Reimplemented over pygments' Python lexer, for two reasons: the k-gram hashes are the same in
every process (copydetect uses Python's salted str hash), so a fingerprint can be stored in the
database and compared later by another process; and a fingerprint is two numpy arrays
(`Fingerprint`, a few bytes per token; `to_bytes` is what the database keeps) instead of
copydetect's set and dict of lists of numpy scalars (hundreds of bytes per token).

Pure functions: no database, no web. The background scan (similarity/scan.py, in a child
process: similarity/child.py) stores fingerprints and pairs.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from markdown_it import MarkdownIt
from pygments.lexers.python import PythonLexer
from pygments.token import Comment, Name, String, Text

NOISE_TOKENS = 25
"""k: matches shorter than this many filtered characters are noise (copydetect's default)."""
THRESHOLD = 0.6
"""A pair is reported when both files share at least this fraction of their tokens."""
MIN_GIVEN_CHARS = 20
"""Inline code in the statement shorter than this is a name, not code everyone is given."""

Regions = tuple[tuple[int, int], ...]

_VARIABLES = frozenset({Name, Name.Variable, Name.Attribute})
_BASE = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_HEADER = struct.Struct("<4sII")
_MAGIC = b"JKF1"


@dataclass(frozen=True)
class Filtered:
    """Source text after copydetect's token filter, and where each filtered character came
    from: the raw token's [start, end) character offsets."""

    text: str
    starts: np.ndarray
    ends: np.ndarray


@dataclass(frozen=True)
class Fingerprint:
    """The k-grams of a filtered text that count (not given by the statement)."""

    hashes: np.ndarray
    """int64, one per k-gram kept, in text order."""
    positions: np.ndarray
    """uint32: where each kept k-gram starts in the filtered text."""
    coverage: int
    """Filtered characters inside at least one kept k-gram (copydetect's token coverage)."""

    def to_bytes(self) -> bytes:
        header = _HEADER.pack(_MAGIC, len(self.hashes), self.coverage)
        body = self.hashes.astype("<i8").tobytes() + self.positions.astype("<u4").tobytes()
        return zlib.compress(header + body, 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        raw = zlib.decompress(data)
        magic, count, coverage = _HEADER.unpack_from(raw)
        if magic != _MAGIC or len(raw) != _HEADER.size + 12 * count:
            raise ValueError("not a stored similarity fingerprint")
        split = _HEADER.size + 8 * count
        return cls(
            hashes=np.frombuffer(raw, dtype="<i8", count=count, offset=_HEADER.size),
            positions=np.frombuffer(raw, dtype="<u4", count=count, offset=split),
            coverage=int(coverage),
        )


@dataclass(frozen=True)
class Analysis:
    """One source text, filtered and fingerprinted: what a pair's regions need."""

    filtered: Filtered
    fingerprint: Fingerprint


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


def filter_tokens(source: str) -> Filtered:
    """copydetect's filter_code for Python, keeping each filtered character's origin."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for at, kind, value in PythonLexer().get_tokens_unprocessed(source):
        if kind in _VARIABLES:
            piece = "V"
        elif kind in Name.Function:
            piece = "F"
        elif kind in Name.Class:
            piece = "O"
        elif kind is Comment.Preproc or kind is Comment.Hashbang:
            piece = "P"
        elif kind in Text or kind in Comment:
            continue
        elif kind in String:
            piece = '"' if value in ("'", '"') else "S"
        else:
            pieces.append(value)
            starts.extend(range(at, at + len(value)))
            ends.extend(range(at + 1, at + len(value) + 1))
            continue
        pieces.append(piece)
        starts.append(at)
        ends.append(at + len(value))
    return Filtered("".join(pieces), np.array(starts, np.uint32), np.array(ends, np.uint32))


def kgram_hashes(text: str, k: int = NOISE_TOKENS) -> np.ndarray:
    """A 64-bit hash of every K-character substring of TEXT (int64), the same in every process:
    a polynomial over the code points modulo 2**64, then mixed."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    count = len(codes) - k + 1
    if count <= 0:
        return np.empty(0, np.int64)
    codes = codes.astype(np.uint64)
    hashes = np.zeros(count, np.uint64)
    for offset in range(k):
        hashes = hashes * _BASE + codes[offset : offset + count]
    hashes ^= hashes >> np.uint64(31)
    hashes *= _MIX
    hashes ^= hashes >> np.uint64(29)
    return hashes.view(np.int64)


def boilerplate(given: Sequence[str]) -> np.ndarray:
    """Every k-gram hash of GIVEN (sorted, unique), to leave out of every fingerprint."""
    hashes = [kgram_hashes(filter_tokens(code).text) for code in given]
    return np.unique(np.concatenate(hashes)) if hashes else np.empty(0, np.int64)


def _coverage(positions: np.ndarray, length: int, k: int = NOISE_TOKENS) -> int:
    if positions.size == 0:
        return 0
    steps = np.zeros(length + k + 1, np.int32)
    np.add.at(steps, positions.astype(np.int64), 1)
    np.add.at(steps, positions.astype(np.int64) + k, -1)
    return int(np.count_nonzero(np.cumsum(steps)[:length]))


def analyse(source: str, given_hashes: np.ndarray) -> Analysis:
    filtered = filter_tokens(source)
    hashes = kgram_hashes(filtered.text)
    kept = ~np.isin(hashes, given_hashes)
    positions = np.flatnonzero(kept).astype(np.uint32)
    coverage = _coverage(positions, len(filtered.text))
    return Analysis(filtered, Fingerprint(hashes[kept], positions, coverage))


def _copied_slices(first: Fingerprint, second: Fingerprint, k: int = NOISE_TOKENS) -> np.ndarray:
    """copydetect's get_copied_slices: [starts, ends] in FIRST's filtered text of the runs of
    its k-grams that SECOND has too."""
    found = np.sort(first.positions[np.isin(first.hashes, second.hashes)].astype(np.int64))
    if found.size == 0:
        return np.empty((2, 0), np.int64)
    gaps = np.flatnonzero(np.diff(found) > k - 1)
    starts = np.concatenate([found[:1], found[gaps + 1]])
    ends = np.concatenate([found[gaps] + k, found[-1:] + k])
    return np.array([starts, ends])


def _share(slices: np.ndarray, fingerprint: Fingerprint) -> float:
    if fingerprint.coverage == 0:
        return 0.0
    return min(1.0, float(np.sum(slices[1] - slices[0])) / fingerprint.coverage)


def score(first: Fingerprint, second: Fingerprint) -> float:
    """compare()'s score from the fingerprints alone (what the database keeps)."""
    return min(
        _share(_copied_slices(first, second), first), _share(_copied_slices(second, first), second)
    )


def _regions(slices: np.ndarray, filtered: Filtered) -> Regions:
    length = len(filtered.text)
    found = []
    for start, end in zip(slices[0], slices[1], strict=True):
        start, end = int(start), min(int(end), length)
        if end > start:
            found.append((int(filtered.starts[start]), int(filtered.ends[end - 1])))
    return tuple(found)


def compare(first: Analysis, second: Analysis) -> Similarity:
    slices1 = _copied_slices(first.fingerprint, second.fingerprint)
    slices2 = _copied_slices(second.fingerprint, first.fingerprint)
    return Similarity(
        score=min(_share(slices1, first.fingerprint), _share(slices2, second.fingerprint)),
        first=_regions(slices1, first.filtered),
        second=_regions(slices2, second.filtered),
    )


def compare_sources(first: str, second: str, given: Sequence[str] = ()) -> Similarity:
    """compare() of two source texts, with GIVEN (the statement's code) excluded."""
    hashes = boilerplate(given)
    return compare(analyse(first, hashes), analyse(second, hashes))


def similar_pairs(
    sources: Sequence[tuple[str, str]], given: Sequence[str] = (), threshold: float = THRESHOLD
) -> list[tuple[int, int, Similarity]]:
    """(i, j, similarity) for each pair i < j of SOURCES ((author, text) pairs) by different
    authors whose score reaches THRESHOLD, most similar first."""
    hashes = boilerplate(given)
    analyses = [analyse(text, hashes) for _author, text in sources]
    found = []
    for i in range(len(sources)):
        for j in range(i + 1, len(sources)):
            if sources[i][0] == sources[j][0]:
                continue
            result = compare(analyses[i], analyses[j])
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
