"""What the web app and a judge host say to each other over /api/judgehost, typed once for
both ends: the web app's hello, a claim, and a judged case and result (the claim, lease,
retry and heartbeat requests are the web app's request models, web.routes.judgehost_api)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from judgekit.judge.json_fields import Fields
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.package.fingerprint import package_fingerprint
from judgekit.package.problem import Problem


@dataclass(frozen=True)
class Hello:
    """What a judge host must share with the web app before it may judge for it."""

    problem_id: str
    package: str
    """judgekit.package.fingerprint.package_fingerprint: problem.yaml, checker, test data."""
    images: dict[str, str]
    """Per device, the sandbox image's inputs digest (ImageRecipe.inputs_digest)."""
    lease_s: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Hello:
        try:
            return cls(
                problem_id=str(data["problem_id"]),
                package=str(data["package"]),
                images={str(k): str(v) for k, v in dict(data["images"]).items()},
                lease_s=float(data["lease_s"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a judgekit web app's hello: {error}") from None


def hello_for(problem: Problem, lease_s: float) -> Hello:
    from judgekit.sandbox.image import recipe_for

    return Hello(
        problem_id=problem.id,
        package=package_fingerprint(problem),
        images={
            device.value: recipe_for(problem.root, device).inputs_digest()
            for device in problem.devices
        },
        lease_s=lease_s,
    )


def differences(ours: Hello, theirs: Hello, device: str) -> list[str]:
    """Why a judge host (OURS) may not judge for the web app (THEIRS); empty when it may."""
    found = []
    if ours.problem_id != theirs.problem_id:
        found.append(f"problem {ours.problem_id!r} here, {theirs.problem_id!r} on the web app")
    if ours.package != theirs.package:
        found.append(
            f"problem package {ours.package[:12]} here, {theirs.package[:12]} on the web app "
            "(problem.yaml, the checker or the test data differ)"
        )
    if ours.images.get(device) != theirs.images.get(device):
        found.append(
            f"{device} sandbox image inputs {str(ours.images.get(device))[:12]} here, "
            f"{str(theirs.images.get(device))[:12]} on the web app (sandbox/ differs)"
        )
    return found


@dataclass(frozen=True)
class Claim:
    """A submission a judge host now holds, for ATTEMPT, until its lease runs out."""

    submission_id: int
    attempt: int
    device: str
    source_b64: str
    lease_s: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Claim:
        try:
            return cls(
                submission_id=int(data["submission_id"]),
                attempt=int(data["attempt"]),
                device=str(data["device"]),
                source_b64=str(data["source_b64"]),
                lease_s=float(data["lease_s"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a claim: {error}") from None


def _attempt(fields: Fields, body: str) -> int:
    fields.only(("attempt", body))
    return fields.integer("attempt", low=1)


@dataclass(frozen=True)
class CaseMessage:
    """A judge host's live case, judged by ATTEMPT: the learner's view of it."""

    attempt: int
    case: CaseResult

    def to_json(self) -> dict[str, object]:
        return {"attempt": self.attempt, "case": self.case.to_json()}

    @classmethod
    def from_json(cls, data: object) -> CaseMessage:
        """The message whose JSON is DATA; MalformedJson naming the field if it is not one."""
        fields = Fields.of(data, "the case message")
        attempt = _attempt(fields, "case")
        case = fields.object("case")
        return cls(attempt, CaseResult.from_json(case.data, case.where))


@dataclass(frozen=True)
class ResultMessage:
    """A judge host's result, judged by ATTEMPT: the learner's view of it."""

    attempt: int
    result: JudgeReport

    def to_json(self) -> dict[str, object]:
        return {"attempt": self.attempt, "result": self.result.to_json()}

    @classmethod
    def from_json(cls, data: object) -> ResultMessage:
        """The message whose JSON is DATA; MalformedJson naming the field if it is not one."""
        fields = Fields.of(data, "the result message")
        attempt = _attempt(fields, "result")
        result = fields.object("result")
        return cls(attempt, JudgeReport.from_json(result.data, result.where))
