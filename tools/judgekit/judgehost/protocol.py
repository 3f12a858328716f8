"""What the web app answers a judge host over /api/judgehost, typed once for both ends: its
hello and a claim (what a judge host sends: judgekit.judgehost.host_messages)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from judgekit.judge.json_fields import Fields
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

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Hello:
        """The hello whose JSON is DATA; MalformedJson naming the field if it is not one."""
        fields = Fields.of(data, "the web app's hello")
        fields.only(("problem_id", "package", "images", "lease_s"))
        images = fields.object("images")
        return cls(
            problem_id=fields.text("problem_id"),
            package=fields.text("package"),
            images={device: images.text(device) for device in images.data},
            lease_s=fields.positive_number("lease_s"),
        )


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

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Claim:
        """The claim whose JSON is DATA; MalformedJson naming the field if it is not one."""
        fields = Fields.of(data, "the claim")
        fields.only(("submission_id", "attempt", "device", "source_b64", "lease_s"))
        return cls(
            submission_id=fields.integer("submission_id", low=1),
            attempt=fields.integer("attempt", low=1),
            device=fields.text("device"),
            source_b64=fields.text("source_b64"),
            lease_s=fields.positive_number("lease_s"),
        )
