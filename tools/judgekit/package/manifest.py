"""testcases/manifest.json: how each case was made, each file's sha256, the library versions."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from judgekit.errors import JudgekitError
from judgekit.package.numerics import AnswerNumerics

MANIFEST_FILE = "manifest.json"
# The answers depend on these: JAX's RNG, Flax's key derivation, NumPy's float32 conversions.
ANSWER_LIBRARIES = ("jax", "jaxlib", "flax", "numpy")
# The fuzz inputs depend on this one.
INPUT_LIBRARIES = ("hypothesis",)


def installed_versions() -> dict[str, str]:
    versions = {name: metadata.version(name) for name in (*ANSWER_LIBRARIES, *INPUT_LIBRARIES)}
    versions["python"] = platform.python_version()
    return versions


@dataclass(frozen=True)
class ManifestCase:
    id: str
    group: str
    made_by: Mapping[str, Any]
    input_sha256: str
    answer_sha256: str


@dataclass(frozen=True)
class Manifest:
    problem: str
    recipe_sha256: str
    versions: Mapping[str, str]
    numerics: AnswerNumerics | None
    cases: tuple[ManifestCase, ...]
    shape_draw: str | None = None
    """The rule the fuzz shapes were drawn by (`shape_draw.STRATIFICATION`); None before it
    was recorded, when a band's values were any of its values."""

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "generated_by": "judgekit generate",
            "recipe_sha256": self.recipe_sha256,
            "versions": dict(self.versions),
            "numerics": self.numerics.to_json() if self.numerics is not None else None,
            "shape_draw": self.shape_draw,
            "cases": [
                {
                    "id": case.id,
                    "group": case.group,
                    "made_by": dict(case.made_by),
                    "input_sha256": case.input_sha256,
                    "answer_sha256": case.answer_sha256,
                }
                for case in self.cases
            ],
        }

    def write(self, directory: Path) -> Path:
        path = directory / MANIFEST_FILE
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                problem=data["problem"],
                recipe_sha256=data["recipe_sha256"],
                versions=data["versions"],
                numerics=_numerics(data.get("numerics")),
                shape_draw=data.get("shape_draw"),
                cases=tuple(
                    ManifestCase(
                        id=case["id"],
                        group=case["group"],
                        made_by=case["made_by"],
                        input_sha256=case["input_sha256"],
                        answer_sha256=case["answer_sha256"],
                    )
                    for case in data["cases"]
                ),
            )
        except FileNotFoundError:
            raise JudgekitError(f"{path}: not found; run `judgekit generate`") from None
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise JudgekitError(
                f"{path}: malformed manifest ({error}); run `judgekit generate`"
            ) from None


def _numerics(data: Any) -> AnswerNumerics | None:
    if data is None:
        return None
    return AnswerNumerics(machine=data["machine"], xla_cpu_max_isa=data["xla_cpu_max_isa"])


def version_drift(recorded: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Answer-relevant libraries whose installed version differs: name -> (recorded, installed)."""
    installed = installed_versions()
    return {
        name: (recorded.get(name, "?"), installed[name])
        for name in (*ANSWER_LIBRARIES, *INPUT_LIBRARIES)
        if recorded.get(name) != installed[name]
    }
