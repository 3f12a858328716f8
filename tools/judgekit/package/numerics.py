"""Pins the CPU code path that computes expected answers, so they regenerate bit for bit anywhere.

XLA's CPU backend compiles for the host's vector instructions. With FMA, the normal sampler
rounds differently; with AVX-512, the sum of squares in a norm is split into 16 lanes instead of
8 and added in another order. Measured on the same inputs and versions: ||kernel|| differed by
2 float32 ulps between an AVX2 host and an AVX-512 host, so `judgekit generate` was not
byte-identical across machines. Capping XLA at AVX2 makes every x86-64 host that has AVX2 and
FMA (Intel since 2013, AMD since 2015) compute the same bits. Submissions are never pinned:
the checker's tolerance absorbs these differences.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError

PINNED_MACHINE = "x86_64"
PINNED_ISA = "AVX2"
# CPU flags (as /proc/cpuinfo spells them) the pinned code path needs.
REQUIRED_CPU_FLAGS = ("avx2", "fma")
_ISA_FLAG = f"--xla_cpu_max_isa={PINNED_ISA}"


@dataclass(frozen=True)
class AnswerNumerics:
    """The code path expected answers come from, as recorded in testcases/manifest.json."""

    machine: str
    xla_cpu_max_isa: str

    def to_json(self) -> dict[str, str]:
        return {"machine": self.machine, "xla_cpu_max_isa": self.xla_cpu_max_isa}


PINNED = AnswerNumerics(PINNED_MACHINE, PINNED_ISA)


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def host_numerics() -> AnswerNumerics:
    """The code path this host takes once pinned: PINNED when it can, else its own native one."""
    machine = platform.machine()
    if machine == PINNED_MACHINE and set(REQUIRED_CPU_FLAGS) <= _cpu_flags():
        return PINNED
    return AnswerNumerics(machine, "native")


def why_not_reproducible() -> str | None:
    """None when this host computes answers bit for bit like the pinned path, else why not."""
    numerics = host_numerics()
    if numerics == PINNED:
        return None
    return (
        f"this host ({numerics.machine}, without {' and '.join(REQUIRED_CPU_FLAGS)} or not "
        f"x86-64) cannot take the pinned code path ({PINNED_MACHINE} with XLA capped at "
        f"{PINNED_ISA}): regenerated answers may differ from the committed ones in the last "
        "float32 bits, well inside the tolerance"
    )


def pin_answer_numerics() -> None:
    """Cap XLA's CPU code generation for this process; call before JAX computes anything."""
    if host_numerics() != PINNED:
        return
    flags = os.environ.get("XLA_FLAGS", "").split()
    if _ISA_FLAG in flags:
        return
    from jax._src import xla_bridge  # JAX offers no public way to ask this.

    if xla_bridge.backends_are_initialized():
        raise JudgekitError(
            "JAX already computed something in this process before the answer numerics were "
            f"pinned; start it with XLA_FLAGS={_ISA_FLAG} or pin before any JAX call"
        )
    others = [flag for flag in flags if not flag.startswith("--xla_cpu_max_isa=")]
    os.environ["XLA_FLAGS"] = " ".join([*others, _ISA_FLAG])
