"""Every message of the judge-host protocol is typed once for both ends: what one end writes
the other reads back as the same message, and anything else is refused naming the field."""

from __future__ import annotations

import pytest
from judgekit.judge.json_fields import MalformedJson
from judgekit.judge.report import CaseResult, JudgeReport
from judgekit.judge.verdict import Verdict
from judgekit.judgehost.host_messages import (
    AttemptRequest,
    CaseMessage,
    ClaimRequest,
    Heartbeat,
    ResultMessage,
)
from judgekit.judgehost.protocol import Claim, Hello

Message = Hello | Claim | ClaimRequest | AttemptRequest | CaseMessage | ResultMessage | Heartbeat
CASE = CaseResult("sample/01", "sample", Verdict.AC, 3, "", True, {"seed": 0}, [1.0], [1.0])
MESSAGES: list[Message] = [
    Hello("frozen-kernel", "f" * 64, {"cpu": "d" * 64}, 30.0),
    Claim(7, 2, "cpu", "cHJpbnQoKQ==", 30.0),
    ClaimRequest("host-1"),
    AttemptRequest(2),
    CaseMessage(2, CASE),
    ResultMessage(2, JudgeReport(Verdict.AC, "", "cpu", "img", (CASE,), "cpu", 5)),
    Heartbeat("host-1", "cpu", "img", {"jax": "0.4"}, None),
    Heartbeat("host-1", "cpu", "img", {}, 7),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_each_message_reads_back_as_itself(message: Message) -> None:
    assert type(message).from_json(message.to_json()) == message


def test_the_claim_request_names_its_judge_host_as_every_version_has() -> None:
    """The wire name stays `worker` (older judge hosts send it, older web apps require it)."""
    assert ClaimRequest("host-1/1").to_json() == {"worker": "host-1/1"}
    assert ClaimRequest.from_json({"worker": "host-1/1"}).judge_host == "host-1/1"


@pytest.mark.parametrize(
    ("kind", "data", "named"),
    [
        (Hello, {"problem_id": "p", "package": "x", "images": {}, "lease_s": "30"}, "`lease_s`"),
        (Hello, {"problem_id": "p", "package": "x", "images": []}, "`images` of the web app's"),
        (Claim, {**MESSAGES[1].to_json(), "attempt": 0}, "`attempt` of the claim is 0"),
        (ClaimRequest, {"worker": ""}, "`worker` of the claim request is '', expected a string"),
        (ClaimRequest, {"worker": "w" * 201}, "expected a string of 1 to 200 characters"),
        (AttemptRequest, {"attempt": True}, "`attempt` of the attempt request is True"),
        (AttemptRequest, {"attempt": 1, "x": 1}, "`x` of the attempt request is not a field"),
        (CaseMessage, {"attempt": 1}, "`case` of the case message is missing"),
        (ResultMessage, {"attempt": 1, "result": {}}, "`verdict` of `result` of the result"),
        (Heartbeat, {**MESSAGES[6].to_json(), "versions": {"jax": 4}}, "`jax` of `versions`"),
        (Heartbeat, {**MESSAGES[6].to_json(), "submission_id": 0}, "`submission_id` of the"),
    ],
)
def test_a_malformed_message_is_refused_naming_the_field(
    kind: type[Message], data: object, named: str
) -> None:
    with pytest.raises(MalformedJson) as error:
        kind.from_json(data)
    assert named in str(error.value)
