"""The image recipe: inputs, digest and the GPU variant's pins (no engine needed)."""

from __future__ import annotations

from pathlib import Path

from judgekit.package.problem import Device, Problem
from judgekit.sandbox.image import debian_mirror, recipe_for


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    return pins


def test_the_gpu_lock_is_the_cpu_lock_plus_the_matching_cuda_plugin(problem: Problem) -> None:
    cpu = _pins(recipe_for(problem.root, Device.CPU).lock)
    gpu = _pins(recipe_for(problem.root, Device.GPU).lock)
    assert all(gpu.get(name) == version for name, version in cpu.items())
    assert gpu["jax-cuda12-plugin"] == gpu["jax-cuda12-pjrt"] == cpu["jax"] == "0.10.2"
    assert any(name.startswith("nvidia-cudnn") for name in gpu)


def test_the_image_holds_no_answers_reference_or_checker(problem: Problem) -> None:
    dockerfile = recipe_for(problem.root, Device.CPU).dockerfile.read_text()
    copied = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY")]
    assert all(
        not any(word in source for word in ("testcases", "reference", "checker", ".ans"))
        for source in copied
    )


def test_the_digest_changes_with_every_input_and_names_the_device(problem: Problem) -> None:
    cpu = recipe_for(problem.root, Device.CPU)
    gpu = recipe_for(problem.root, Device.GPU)
    assert cpu.digest("base-a") != cpu.digest("base-b")
    assert cpu.digest("base-a") != gpu.digest("base-a")
    assert cpu.tag("base-a").startswith("judgekit-sandbox-cpu:")


def test_the_debian_mirror_is_read_from_apt_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert debian_mirror(tmp_path) == "http://mirror.example/debian"
