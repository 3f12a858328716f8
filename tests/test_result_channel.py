"""The result channel holds whatever a submission sends: both ends parse it as learner data.

Inside the sandbox the supervisor (sandbox/supervisor.py) reads the learner's pipe and
forwards frames; outside, the judge (judgekit.sandbox.frames) parses those frames and keeps
their order. Neither may crash, whatever arrives: every bad message is a protocol violation.
"""

from __future__ import annotations

import json
import os
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from judgekit.package.files import load_module
from judgekit.sandbox import frames
from judgekit.sandbox.frames import (
    CaseError,
    Done,
    Frame,
    FrameOrder,
    LoadError,
    ProtocolError,
    Ready,
    Result,
    Violation,
    parse_line,
)
from repo_support import REPO_ROOT

NONCE = "0123456789abcdef"


def _result_text(values: str = "[1, 2, 3]", shape: str = "[3]", case: str = '"0"') -> str:
    """A result frame's JSON written out by hand, so it can hold what json.dumps never makes."""
    return f'{{"event": "result", "case": {case}, "shape": {shape}, "values": {values}}}'


# Each of these crashes a parser that trusts its input: a ValueError, RecursionError or
# OverflowError from the parser, or a frame the checker could not take.
HOSTILE_FRAMES = {
    "5000-digit integer": _result_text(values=f"[1, 2, {'7' * 5000}]"),
    "integer beyond float": _result_text(values=f"[1, 2, {'9' * 401}]"),
    "6000 nested lists": _result_text(values="[" * 6000 + "]" * 6000),
    "superscript case id": _result_text(case='"\\u00b2"'),
    "fullwidth case id": '{"event": "error", "case": "\\uff11", "error": "e", "traceback": "t"}',
    "huge case id": _result_text(case='"99999999"'),
    "a shape without values": _result_text(values="null"),
    "values that do not fill the shape": _result_text(shape="[2, 2]", values="[1]"),
    "boolean values": _result_text(shape="[1]", values="[true]"),
    "string values": _result_text(shape="[1]", values='["1"]'),
    "negative shape": _result_text(shape="[-3]", values="[]"),
    "float shape": _result_text(shape="[3.0]"),
    "too many dimensions": _result_text(shape=json.dumps([1] * 40), values="[1]"),
    "numeric case id": _result_text(case="0"),
    "unknown event": '{"event": "verdict", "verdict": "AC"}',
    "ready without platform": '{"event": "ready"}',
    "platform outside the set": '{"event": "ready", "platform": "tpu-v9"}',
    "error without text": '{"event": "error", "case": "0", "error": null, "traceback": "t"}',
    "not an object": "[1, 2, 3]",
    "not JSON": "{event: result}",
    "truncated": '{"event": "result", "case": "0", "sha',
}


@pytest.fixture(scope="module")
def supervisor() -> ModuleType:
    return load_module(REPO_ROOT / "sandbox" / "supervisor.py", "judgekit_test_supervisor")


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return load_module(REPO_ROOT / "sandbox" / "runner.py", "judgekit_test_runner")


def _line(payload: str | bytes) -> bytes:
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return NONCE.encode() + b" " + data


@pytest.mark.parametrize("payload", HOSTILE_FRAMES.values(), ids=HOSTILE_FRAMES.keys())
def test_a_hostile_frame_is_a_protocol_error_never_a_crash(payload: str) -> None:
    with pytest.raises(ProtocolError):
        parse_line(_line(payload), NONCE)


# The supervisor reads no field of a `ready` message: the platform comes from its first one.
HOSTILE_MESSAGES = {k: v for k, v in HOSTILE_FRAMES.items() if '"ready"' not in v}


@pytest.mark.parametrize("payload", HOSTILE_MESSAGES.values(), ids=HOSTILE_MESSAGES.keys())
def test_the_supervisor_refuses_the_same_messages_from_the_learners_pipe(
    supervisor: ModuleType, payload: str
) -> None:
    with pytest.raises(supervisor.Violation):
        supervisor.forwarded(supervisor.parse_message(payload.encode()), "cpu")


def test_invalid_utf8_and_oversized_frames_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        parse_line(_line(b'{"event": "done", "x": "\xff"}'), NONCE)
    big = '{"event": "error", "case": "0", "error": "%s", "traceback": ""}' % ("x" * 70000)
    with pytest.raises(ProtocolError, match="too large"):
        parse_line(_line(big), NONCE)


def test_lines_without_the_nonce_are_output_not_frames() -> None:
    assert parse_line(b'{"event": "done"}', NONCE) is None
    assert parse_line(b'ffffffffffffffff {"event": "done"}', NONCE) is None


def test_well_formed_frames_parse_into_typed_values() -> None:
    def frame(data: dict[str, Any]) -> Frame | None:
        return parse_line(_line(json.dumps(data)), NONCE)

    assert frame({"event": "ready", "platform": "gpu"}) == Ready("gpu")
    assert frame({"event": "result", "case": "12", "shape": [3], "values": [1, 2.5, 3]}) == Result(
        12, (3,), (1.0, 2.5, 3.0)
    )
    big = frame({"event": "result", "case": "0", "shape": [2000], "values": None})
    assert big == Result(0, (2000,), None)
    nan = frame({"event": "result", "case": "0", "shape": [1], "values": [float("nan")]})
    assert isinstance(nan, Result) and nan.values is not None and nan.values[0] != nan.values[0]
    assert frame({"event": "done"}) == Done()
    assert frame({"event": "violation", "reason": "r"}) == Violation("r")


def test_a_lone_surrogate_in_a_message_becomes_printable_text() -> None:
    parsed = parse_line(
        _line('{"event": "error", "case": "0", "error": "E: \\ud800", "traceback": "t"}'), NONCE
    )
    assert isinstance(parsed, CaseError)
    parsed.error.encode("utf-8")  # would raise on a lone surrogate
    assert "ud800" in parsed.error


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["event", "case", "shape", "values", "error", "traceback", "x"]),
                inner,
                max_size=5,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_on_the_channel_is_a_frame_or_a_protocol_error(data: object) -> None:
    line = _line(json.dumps(data, allow_nan=True))  # ASCII: lone surrogates are escaped
    try:
        frame = parse_line(line, NONCE)
    except ProtocolError:
        return
    assert isinstance(frame, Frame), frame  # never None: the line carries the nonce


def _result(case: int) -> Result:
    return Result(case, (3,), (1.0, 2.0, 3.0))


ORDER_VIOLATIONS: dict[str, list[Frame]] = {
    "a result before ready": [_result(0)],
    "done before ready": [Done()],
    "a second ready": [Ready("cpu"), Ready("cpu")],
    "a ready in the middle": [Ready("cpu"), _result(0), Ready("gpu")],
    "a repeated case": [Ready("cpu"), _result(0), _result(0)],
    "a skipped case": [Ready("cpu"), _result(1)],
    "an unknown case": [Ready("cpu"), _result(0), _result(1), _result(2), _result(3)],
    "done before the last case": [Ready("cpu"), _result(0), Done()],
    "a load error after ready": [Ready("cpu"), _result(0), _result(1), LoadError("e", "t")],
    "anything after done": [Ready("cpu"), _result(0), _result(1), _result(2), Done(), Done()],
    "anything after a load error": [LoadError("e", "t"), Ready("cpu")],
    "an error frame for a repeated case": [Ready("cpu"), _result(0), CaseError(0, "e", "t")],
    "a violation the supervisor saw": [Ready("cpu"), Violation("a message is too long")],
}


@pytest.mark.parametrize("sequence", ORDER_VIOLATIONS.values(), ids=ORDER_VIOLATIONS.keys())
def test_frames_out_of_order_are_protocol_violations(sequence: list[Frame]) -> None:
    order = FrameOrder(cases=3)
    *fine, last = sequence
    for frame in fine:
        order.accept(frame)
    with pytest.raises(ProtocolError):
        order.accept(last)


def test_the_one_order_that_is_progress() -> None:
    order = FrameOrder(cases=3)
    for frame in (Ready("cpu"), _result(0), CaseError(1, "e", "t"), _result(2)):
        order.accept(frame)
        assert order.loaded and not order.ended
    assert order.next_case == 3
    order.accept(Done())
    assert order.ended
    loaded_badly = FrameOrder(cases=3)
    loaded_badly.accept(LoadError("ImportError: x", "t"))
    assert loaded_badly.ended and not loaded_badly.loaded


def _warmed_up(supervisor: ModuleType, *messages: bytes) -> tuple[Any, list[dict[str, Any]]]:
    """A supervisor that warmed up on MESSAGES from its runner, and the frames it sent."""
    sent: list[dict[str, Any]] = []

    class Recorder:
        def send(self, frame: dict[str, Any]) -> None:
            sent.append(frame)

    relay = supervisor.Supervisor(Recorder())
    reports, report_end = os.pipe()
    input_end, inputs = os.pipe()
    try:
        os.write(report_end, b"".join(m + b"\n" for m in messages))
        os.close(report_end)
        warm = relay.warm_up(reports, inputs, {"shapes": [[2, 3]]})
        assert json.loads(os.read(input_end, 4096)) == {"shapes": [[2, 3]]}
    finally:
        for fd in (reports, input_end, inputs):
            os.close(fd)
    return (relay if warm else None), sent


def test_the_supervisor_takes_the_platform_from_the_runner_before_any_learner_code(
    supervisor: ModuleType,
) -> None:
    relay, sent = _warmed_up(
        supervisor, b'{"event": "platform", "platform": "cpu"}', b'{"event": "warm"}'
    )
    assert sent == [{"event": "warm"}]
    relay.handle(b'{"event": "ready", "platform": "gpu"}')
    assert sent[-1] == {"event": "ready", "platform": "cpu"}
    with pytest.raises(supervisor.Violation):
        relay.handle(b'{"event": "platform", "platform": "gpu"}')
    odd, _ = _warmed_up(
        supervisor, b'{"event": "platform", "platform": "quantum"}', b'{"event": "warm"}'
    )
    assert odd.platform == "unknown"
    with pytest.raises(supervisor.Violation):
        _warmed_up(supervisor, b'{"event": "warm"}')
    with pytest.raises(supervisor.Violation):
        _warmed_up(supervisor, b'{"event": "platform", "platform": "cpu"}', b'{"event": "ready"}')
    ended, sent = _warmed_up(supervisor, b'{"event": "platform", "platform": "cpu"}')
    assert ended is None and sent == []  # the runner died warming up: no warm frame


def test_the_supervisor_gives_each_input_only_once_the_previous_case_is_answered(
    supervisor: ModuleType,
) -> None:
    class Discard:
        def send(self, frame: dict[str, Any]) -> None:
            pass

    cases = [{"id": str(i), "values": {"seed": 1000 + i}} for i in range(3)]
    relay = supervisor.Supervisor(Discard())
    relay.platform = "cpu"  # as after warming up
    relay.take_job({"function": "f", "parameters": [], "submission": "s.py", "case_count": 3})
    for case in cases:  # sent early here: the supervisor still holds each until its turn
        relay.take_case(case)

    def given() -> list[dict[str, Any]]:
        return [json.loads(line) for line in relay.outbox.splitlines()]

    assert [m.get("id") for m in given()] == [None]  # the header only, while loading
    relay.handle(b'{"event": "ready"}')
    relay.handle(b'{"event": "ready"}')  # a forged second ready gives nothing more
    assert [m.get("id") for m in given()] == [None, "0"]
    relay.handle(b'{"event": "result", "case": "1", "shape": [1], "values": [1]}')
    assert [m.get("id") for m in given()] == [None, "0"]  # not the case that is due
    relay.handle(b'{"event": "error", "case": "0", "error": "E", "traceback": "T"}')
    relay.handle(b'{"event": "result", "case": "1", "shape": [1], "values": [1]}')
    relay.handle(b'{"event": "result", "case": "2", "shape": [1], "values": [1]}')
    assert [m.get("id") for m in given()] == [None, "0", "1", "2", None]
    assert given()[-1] == {"end": True}


def test_a_case_due_before_the_judge_sends_it_is_given_when_it_comes(
    supervisor: ModuleType,
) -> None:
    """The judge sends each input only once the previous result has reached it; the
    supervisor passes it on as it comes, if its case is due, and ends after the last."""

    class Discard:
        def send(self, frame: dict[str, Any]) -> None:
            pass

    relay = supervisor.Supervisor(Discard())
    relay.platform = "cpu"
    relay.take_job({"function": "f", "parameters": [], "submission": "s.py", "case_count": 2})

    def given() -> list[object]:
        return [
            json.loads(line).get("id", "end" if b"end" in line else None)
            for line in relay.outbox.splitlines()
        ]

    relay.handle(b'{"event": "ready"}')
    assert given() == [None]  # case 0 is due, not yet here
    relay.take_case({"id": "0", "values": {}})
    assert given() == [None, "0"]
    relay.handle(b'{"event": "result", "case": "0", "shape": [1], "values": [1]}')
    assert given() == [None, "0"]
    relay.take_case({"id": "1", "values": {}})
    relay.handle(b'{"event": "result", "case": "1", "shape": [1], "values": [1]}')
    assert given() == [None, "0", "1", "end"]
    assert relay.inputs == [None, None]  # given inputs are not kept


def test_both_ends_of_the_channel_share_their_limits(
    supervisor: ModuleType, runner: ModuleType
) -> None:
    assert supervisor.MAX_FRAME_BYTES == frames.MAX_FRAME_BYTES
    assert supervisor.MAX_RESULT_VALUES == frames.MAX_RESULT_VALUES == runner.MAX_RESULT_VALUES
    assert supervisor.MAX_SHAPE_DIMENSIONS == frames.MAX_SHAPE_DIMENSIONS
    assert supervisor.MAX_CASE_ID == frames.MAX_CASE_ID
    assert supervisor.PLATFORMS | {"unknown"} == frames.PLATFORMS
    # Room for the nonce and the supervisor's re-encoding of a message.
    assert runner.MAX_MESSAGE_BYTES <= frames.MAX_FRAME_BYTES // 2


def test_the_runner_cuts_messages_by_their_encoded_size(runner: ModuleType) -> None:
    emoji = "\N{GRINNING FACE}" * 3000  # 12 bytes each once JSON-escaped
    line = runner.fit_message(
        {"event": "load_error", "error": f"ImportError: {emoji}", "traceback": "tb " + emoji}
    )
    assert len(line) <= runner.MAX_MESSAGE_BYTES
    message = json.loads(line)
    assert message["error"].startswith("ImportError: \N{GRINNING FACE}")
    assert message["traceback"].endswith("\N{GRINNING FACE}")
    short = runner.fit_message({"event": "error", "case": "0", "error": "E", "traceback": "T"})
    assert json.loads(short) == {"event": "error", "case": "0", "error": "E", "traceback": "T"}


@pytest.mark.parametrize(
    "case",
    [
        *("0", "7", "10", "999999", "1000000", "9999999", "10000000", "1" + "0" * 40),
        *("00", "007", "0x1", "-1", "1 ", "\N{ARABIC-INDIC DIGIT ONE}"),
    ],
)
def test_a_case_id_the_judge_accepts_is_the_one_the_supervisor_counts(
    supervisor: ModuleType, case: str
) -> None:
    """One reading on both sides: the judge takes only the spelling the supervisor compares
    with the case it gave, so a forged "00" is a protocol violation, not case 0 (whose
    answer the supervisor would not count, leaving the learner waiting into a TLE)."""
    line = json.dumps({"event": "result", "case": case, "shape": [1], "values": [1]})
    try:
        judged: int | None = parse_line(_line(line), NONCE).case  # type: ignore[union-attr]
    except ProtocolError:
        judged = None
    try:
        counted = supervisor._case({"case": case})
    except supervisor.Violation:
        counted = None
    canonical = counted is not None and str(int(counted)) == counted
    assert (judged is not None) == canonical
    if judged is not None:
        assert counted == str(judged)


@pytest.mark.parametrize("text", ["\N{GRINNING FACE}" * 42_000, "\x01" * 42_000, "é" * 200_000])
def test_a_frame_stays_within_the_cap_once_encoded(supervisor: ModuleType, text: str) -> None:
    """A message that fits the pipe's limit as UTF-8 can grow up to 12-fold as escaped JSON:
    the supervisor cuts its text until the frame fits, and the judge parses it."""
    channel = supervisor.Channel(-1, NONCE)
    for frame in (
        {"event": "error", "case": "0", "error": text, "traceback": text},
        {"event": "load_error", "error": text, "traceback": "short"},
        {"event": "violation", "reason": text},
    ):
        line = channel.encoded(frame)
        assert len(line) <= frames.MAX_FRAME_BYTES
        parsed = parse_line(line.rstrip(b"\n"), NONCE)
        assert parsed is not None and not isinstance(parsed, frames.Done)
