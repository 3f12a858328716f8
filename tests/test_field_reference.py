"""The README's field reference is the one the code that reads the fields makes: a field read
but not described, described but no longer read, or a README left behind, fails here."""

from __future__ import annotations

from pathlib import Path

from judgekit.package.field_reference import BEGIN, END, field_reference, undocumented


def test_every_field_read_is_described_and_every_field_described_is_read() -> None:
    assert undocumented() == []


def test_the_readme_holds_the_current_field_reference(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(BEGIN) : readme.index(END) + len(END)]
    assert block == field_reference(), (
        "README.md's field reference is stale: replace its block with the output of "
        "`PYTHONPATH=tools python -m judgekit.package.field_reference`"
    )


def test_the_reference_says_what_each_field_must_be() -> None:
    reference = field_reference()
    assert "| `entry_point.parameters[].dims[].min` | integer ≥ 0 |" in reference
    assert "| `limits.clock` | one of `cpu`, `wall` |" in reference
