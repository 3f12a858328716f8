"""`judgekit bench`: the arithmetic, the sample of cases and the targets, checked cheaply; then
one real --quick run on the sample cases, whose JSON report and PNG are checked."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from judgekit.bench import warm_pool
from judgekit.bench.chart import write_chart
from judgekit.bench.cold import Judged
from judgekit.bench.plan import FULL, QUICK, make_plan, spread_sample
from judgekit.bench.results import (
    BenchReport,
    Latency,
    LoadLatency,
    Machine,
    Mode,
    ModeTime,
    SubmissionBench,
    Sustained,
    ThroughputLevel,
)
from judgekit.bench.stats import extrapolate, per_minute, percentile, ratio
from judgekit.bench.sustained import host_cpu_s
from judgekit.bench.targets import (
    cache_gain,
    check_targets,
    reference_latency,
    restored_cost,
    same_verdict_under_load,
    scaling,
)
from judgekit.cli import main
from judgekit.judge.verdict import Verdict
from judgekit.package.problem import Problem
from judgekit.package.testcase import TestCase as Case
from sandbox_support import require_sandbox

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([3.0], 50) == 3.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 100) == 5.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_ratio_extrapolation_and_rate() -> None:
    assert ratio(3.0, 0.5) == 6.0
    assert ratio(3.0, 0.0) is None
    assert extrapolate([1.0, 2.0, 3.0], 138) == pytest.approx(276.0)
    with pytest.raises(ValueError):
        extrapolate([], 10)
    assert per_minute(8, 30.0) == 16.0


def _case(index: int, length: int, features: int) -> Case:
    return Case("secret", f"c{index}", {"x": [0.0] * length, "features": features})


def _shape(case: Case) -> tuple[int, ...]:
    x = case.input["x"]
    assert isinstance(x, list)
    return (len(x), int(case.input["features"]))  # type: ignore[arg-type]


def test_the_per_case_sample_spreads_over_shapes_and_is_stable() -> None:
    cases = [_case(i, 1 + i % 6, 1 + i % 3) for i in range(60)]
    sample = spread_sample(cases, _shape, 4)
    assert len(sample) == 4 and len({_shape(c) for c in sample}) == 4
    assert sample == spread_sample(cases, _shape, 4)
    assert {_shape(c) for c in spread_sample(cases, _shape, 6)} == {_shape(c) for c in cases}
    assert len(spread_sample(cases, _shape, 8)) == 8  # more than the 6 shapes: extra cases
    assert spread_sample(cases[:3], _shape, 12) == tuple(cases[:3])


def test_the_plan_puts_the_reference_first_once(problem: Problem) -> None:
    reference = problem.root / problem.reference
    other = problem.root / "submissions" / "accepted" / "returns_a_list.py"
    cases = [_case(i, 2, 1) for i in range(20)]
    plan = make_plan(problem, [other, reference, other], cases, _shape, quick=False)
    assert plan.submissions == (reference.resolve(), other.resolve())
    assert plan.repetitions == FULL and len(plan.per_case_sample) == FULL.per_case_sample


def _bench(
    name: str, *, reference: bool, p50: float | None, cold: tuple[float, float]
) -> SubmissionBench:
    floor = 0.5
    times = [
        ModeTime(Mode.FLOOR, floor, 1.0),
        ModeTime(Mode.COLD_NO_CACHE, cold[0], ratio(cold[0], floor)),
        ModeTime(Mode.COLD_CACHE, cold[1], ratio(cold[1], floor)),
        ModeTime(Mode.FRESH_PROCESS, None, None, "not measured"),
        ModeTime(Mode.WARM_POOL, p50, ratio(p50, floor) if p50 else None),
        ModeTime(Mode.PER_CASE_PROCESS, 150.0, 300.0, "12 of 138 cases run, extrapolated"),
    ]
    latency = Latency((p50, p50), p50, p50) if p50 is not None else None
    return SubmissionBench(name, reference, tuple(times), latency)


QUIET_AND_LOADED = LoadLatency(16, (9.0,), (60.0,), 9.0, 60.0, 2, ("AC",))


def test_the_targets_pass_miss_or_say_what_was_not_measured() -> None:
    fast = _bench("reference/r.py", reference=True, p50=0.8, cold=(10.0, 4.0))
    slow = _bench("submissions/accepted/s.py", reference=False, p50=2.5, cold=(10.0, 6.0))
    checks = check_targets([fast, slow], [], QUIET_AND_LOADED)
    assert [c.passed for c in checks] == [True, False, False, None, True, None, None, None]
    assert "s.py" in checks[1].detail and "0.60x" in checks[2].detail
    assert reference_latency([slow]).passed is None
    unmeasured = _bench("r.py", reference=True, p50=None, cold=(10.0, 4.0))
    assert reference_latency([unmeasured]).passed is None
    assert cache_gain([fast]).passed is True
    levels = [ThroughputLevel(1, 8, 60.0, 8.0), ThroughputLevel(2, 8, 36.0, 13.3)]
    assert scaling(levels).passed is True
    assert scaling(levels[:1]).passed is None
    assert "2 re-run(s)" in checks[4].detail and "16 busy" in checks[4].detail
    changed = dataclasses.replace(QUIET_AND_LOADED, verdicts=("AC", "TLE"))
    assert same_verdict_under_load(changed).passed is False
    assert same_verdict_under_load(dataclasses.replace(changed, verdicts=("JE",))).passed is False


def test_the_snapshot_targets_compare_with_cold_in_the_same_run() -> None:
    cold = Sustained("cold, cache", 20, 2, 60.0, 20.0, 6.0, 6.2, ("AC",))
    restored = Sustained("restored clone", 20, 2, 15.0, 80.0, 1.2, 1.4, ("AC",))
    assert [c.passed for c in restored_cost([cold, restored])] == [True, True, True]
    slow = dataclasses.replace(restored, per_minute=50.0, p50_s=2.0, cpu_per_verdict_s=2.5)
    checks = restored_cost([cold, slow])
    assert [c.passed for c in checks] == [False, False, False]
    assert "2.50x (20.0 -> 50.0 per minute)" in checks[1].detail
    assert all(c.passed is None for c in restored_cost([cold]))


def test_the_host_cpu_is_read_from_proc_stat(tmp_path: Path) -> None:
    stat = tmp_path / "stat"
    hz = os.sysconf("SC_CLK_TCK")
    stat.write_text(f"cpu  {hz} 0 {hz} 9999 {hz} 0 0 0 0 0\ncpu0 1 2 3\n")
    assert host_cpu_s(stat) == 2.0  # user + system; idle and iowait are not busy


def test_the_chart_is_a_png_even_with_modes_not_measured(tmp_path: Path) -> None:
    benches = (
        _bench("reference/r.py", reference=True, p50=None, cold=(10.0, 4.0)),
        _bench("submissions/accepted/s.py", reference=False, p50=1.5, cold=(12.0, 5.0)),
    )
    machine = Machine(2, "linux", "3.11", "0.10.2", "image:tag", 0.5, 0.7)
    report = BenchReport(
        False, "2026-01-01T00:00:00+00:00", 1.0, machine, 138, benches, (), "", QUIET_AND_LOADED,
        (), "", (),
    )  # fmt: skip
    write_chart(report, tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes().startswith(PNG_SIGNATURE)
    assert report.to_json()["submissions"][0]["modes"][0]["mode"] == "floor"


class _FakePool:
    """Stands in for the judge's pool: counts how often it was asked to be warm."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.waits = 0

    def run(self, job: object, on_frame: object = None) -> object:
        raise AssertionError("judge_seconds is replaced in these tests")

    def wait_until_warm(self, timeout_s: float) -> bool:
        self.waits += 1
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> _FakePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_latency_and_throughput_wait_for_a_warm_pool_and_count_every_judging(
    problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    times = iter([0.4, 0.6, 0.5, 2.0])
    monkeypatch.setattr(
        warm_pool, "judge_seconds", lambda *_: Judged(next(times, 0.01), Verdict.AC)
    )
    pool = _FakePool(1)
    judged: list[int] = []
    latency = warm_pool.latency(
        pool,  # type: ignore[arg-type]
        problem,
        Path("s.py"),
        [],
        runs=4,
        on_judged=lambda: judged.append(1),
    )
    assert pool.waits == 4 and len(judged) == 4
    assert latency.runs_s == (0.4, 0.6, 0.5, 2.0) and latency.p50_s == pytest.approx(0.55)
    sizes: list[int] = []

    def factory(size: int) -> _FakePool:
        sizes.append(size)
        return _FakePool(size)

    level = warm_pool.throughput(
        factory,  # type: ignore[arg-type]
        problem,
        Path("s.py"),
        [],
        concurrency=2,
        judgings=6,
        on_judged=lambda: judged.append(1),
    )
    assert sizes == [2] and len(judged) == 10
    assert level.concurrency == 2 and level.judgings == 6 and level.per_minute > 0


def test_an_unreachable_docker_engine_is_one_clear_error(
    problem: Problem,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    argv = ["--problem", str(problem.root), "bench", "--quick", "--cases", "sample"]
    assert main([*argv, "--json", str(tmp_path / "r.json")]) == 2
    assert "cannot reach the Docker engine" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_a_quick_bench_writes_its_report_and_chart(problem: Problem, tmp_path: Path) -> None:
    require_sandbox(problem.root)
    report_path = tmp_path / "bench.json"
    reference = problem.root / problem.reference
    argv = ["--problem", str(problem.root), "bench", "--quick", "--cases", "sample"]
    argv += ["--submission", str(reference), "--json", str(report_path)]
    assert main(argv) == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["quick"] is True and report["cases"] == 4
    assert set(report["machine"]) == {
        "cpus",
        "platform",
        "python",
        "jax",
        "image",
        "load_at_start",
        "load_at_end",
    }
    [bench] = report["submissions"]
    assert bench["name"] == str(problem.reference) and bench["is_reference"] is True
    modes = {m["mode"]: m for m in bench["modes"]}
    assert list(modes) == [mode.value for mode in Mode]
    floor = modes["floor"]["seconds"]
    assert floor > 0 and modes["floor"]["ratio_to_floor"] == 1.0
    for mode in modes.values():
        if mode["seconds"] is None:
            assert mode["ratio_to_floor"] is None and mode["note"].startswith("not measured")
        else:
            assert mode["ratio_to_floor"] == pytest.approx(mode["seconds"] / floor)
    for mode in ("fresh_process", "cold_no_cache", "per_case_process"):
        assert modes[mode]["seconds"] > floor
    assert modes["cold_no_cache"]["verdict"] == "AC"
    assert "extrapolated" in modes["per_case_process"]["note"]
    assert report["targets"][0]["target"].startswith("warm-pool p50")
    assert all(t["passed"] in (True, False, None) for t in report["targets"])
    ways = {way["way"]: way for way in report["sustained"]}
    assert list(ways)[:2] == ["cold, cache", "warm pool"]
    for way in ways.values():
        assert way["judgings"] == QUICK.sustained_judgings and way["verdicts"] == ["AC"]
        assert way["cpu_per_verdict_s"] > 0 and 0 < way["p50_s"] <= way["seconds"]
    # What each way costs against the others is the bench's own targets (PASS/MISS, one run's
    # ratios), never an assertion here: the host's CPU counters see everything else it runs.
    loaded = report["under_load"]
    assert loaded["busy_containers"] >= 4 and loaded["verdicts"] == ["AC"]
    assert len(loaded["quiet_runs_s"]) == len(loaded["loaded_runs_s"]) == 1
    assert loaded["reruns"] >= 0 and loaded["loaded_p50_s"] > 0
    png = report_path.with_suffix(".png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
