"""What a judge host sends the web app over /api/judgehost, typed once for both ends: the judge
host writes each with `to_json`, the web app reads it with `from_json`, which raises
MalformedJson naming the field (a 422 with that message) for anything else."""

from __future__ import annotations

from dataclasses import dataclass

from judgekit.judge.json_fields import Fields
from judgekit.judge.report import CaseResult, JudgeReport

MAX_NAME = 200
"""The longest judge-host name, device, image or version text the web app keeps."""
CLAIM_HOST_FIELD = "worker"
"""The claim request's field naming the judge host: the wire name since the first judge hosts
(which called themselves workers), kept so that judge hosts and web apps of either age agree."""


def _attempt(fields: Fields, *names: str) -> int:
    fields.only(("attempt", *names))
    return fields.integer("attempt", low=1)


@dataclass(frozen=True)
class ClaimRequest:
    """A judge host (its slot's name, NAME/N) asks for a submission; on the wire its name is
    the field CLAIM_HOST_FIELD."""

    judge_host: str

    def to_json(self) -> dict[str, object]:
        return {CLAIM_HOST_FIELD: self.judge_host}

    @classmethod
    def from_json(cls, data: object) -> ClaimRequest:
        fields = Fields.of(data, "the claim request")
        fields.only((CLAIM_HOST_FIELD,))
        return cls(fields.text(CLAIM_HOST_FIELD, min_chars=1, max_chars=MAX_NAME))


@dataclass(frozen=True)
class AttemptRequest:
    """ATTEMPT asks to keep the submission longer (its lease) or to have it judged again."""

    attempt: int

    def to_json(self) -> dict[str, object]:
        return {"attempt": self.attempt}

    @classmethod
    def from_json(cls, data: object) -> AttemptRequest:
        return cls(_attempt(Fields.of(data, "the attempt request")))


@dataclass(frozen=True)
class CaseMessage:
    """A judge host's live case, judged by ATTEMPT: the learner's view of it."""

    attempt: int
    case: CaseResult

    def to_json(self) -> dict[str, object]:
        return {"attempt": self.attempt, "case": self.case.to_json()}

    @classmethod
    def from_json(cls, data: object) -> CaseMessage:
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
        fields = Fields.of(data, "the result message")
        attempt = _attempt(fields, "result")
        result = fields.object("result")
        return cls(attempt, JudgeReport.from_json(result.data, result.where))


@dataclass(frozen=True)
class Heartbeat:
    """A judge host says it is alive, what it runs, and what it judges (SUBMISSION_ID)."""

    name: str
    device: str
    image: str
    versions: dict[str, str]
    submission_id: int | None

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "device": self.device,
            "image": self.image,
            "versions": dict(self.versions),
            "submission_id": self.submission_id,
        }

    @classmethod
    def from_json(cls, data: object) -> Heartbeat:
        fields = Fields.of(data, "the heartbeat")
        fields.only(("name", "device", "image", "versions", "submission_id"))
        versions = fields.object("versions")
        return cls(
            name=fields.text("name", min_chars=1, max_chars=MAX_NAME),
            device=fields.text("device", max_chars=20),
            image=fields.text("image", max_chars=MAX_NAME),
            versions={key: versions.text(key, max_chars=MAX_NAME) for key in versions.data},
            submission_id=fields.optional_integer("submission_id", low=1),
        )
