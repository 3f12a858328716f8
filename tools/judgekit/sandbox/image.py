"""Builds the sandbox image offline: a base (official slim Python, else bootstrapped from
Debian packages), plus the locked wheels from a host-side wheelhouse, plus the sandbox's own
code (supervisor.py, runner.py, warmup.py), plus a JAX compilation cache that warmup.py fills
for the shapes the judge will meet (`warmup_shapes`).

The tag carries a digest of every input, so a judge can tell which image answered and a
rebuild with unchanged inputs is a cache hit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from judgekit.errors import JudgekitError
from judgekit.package.problem import Device, load_problem
from judgekit.package.shape_space import Shape
from judgekit.package.shapes import warmup_shapes
from judgekit.sandbox.docker_cli import image_id
from judgekit.sandbox.image_cleanup import Pruned, build_leaving_nothing_behind, prune_superseded

SANDBOX_DIR = Path("sandbox")
OFFICIAL_BASE = "python:3.11-slim"
BOOTSTRAP_BASE = "judgekit-base:bookworm-python3.11"
BOOTSTRAP_SUITE = "bookworm"
BOOTSTRAP_PACKAGES = ("python3", "python3-venv", "ca-certificates")
IMAGE_REPOSITORY = "judgekit-sandbox"
SHAPES_FILE = "warmup-shapes.json"
LABEL = "judgekit.image"

Log = Callable[[str], None]


@dataclass(frozen=True)
class ImageRecipe:
    """Everything the image is made of, for one device."""

    device: Device
    sandbox_dir: Path
    shapes: tuple[Shape, ...]
    """The (in_features, out_features) pairs the image's compilation cache is warmed for."""

    @property
    def dockerfile(self) -> Path:
        return self.sandbox_dir / "Dockerfile"

    @property
    def code(self) -> tuple[Path, ...]:
        """The judge's code inside the image: the supervisor (PID 1), the learner's runner and
        the warm-up (generic JAX work that fills the compilation cache)."""
        return tuple(
            self.sandbox_dir / name for name in ("supervisor.py", "runner.py", "warmup.py")
        )

    @property
    def shapes_json(self) -> bytes:
        """What warmup.py reads at build time: a JSON list of [in_features, out_features]."""
        return json.dumps([list(shape) for shape in self.shapes]).encode()

    @property
    def lock(self) -> Path:
        return self.sandbox_dir / f"requirements-{self.device.value}.lock"

    @property
    def wheelhouse(self) -> Path:
        return self.sandbox_dir / "wheelhouse" / self.device.value

    def digest(self, base_id: str) -> str:
        """sha256 over the Dockerfile, the sandbox code, lock file, the warm-up shapes and
        the base image's id: a changed test set means a new image."""
        digest = self._inputs()
        digest.update(base_id.encode())
        digest.update(self.device.value.encode())
        return digest.hexdigest()

    def inputs_digest(self) -> str:
        """sha256 over what this checkout puts into the image (not the base image, which each
        host bootstraps itself): equal on two hosts when they build the same sandbox."""
        digest = self._inputs()
        digest.update(self.device.value.encode())
        return digest.hexdigest()

    def _inputs(self) -> hashlib._Hash:
        digest = hashlib.sha256()
        for part in (self.dockerfile, *self.code, self.lock):
            digest.update(part.name.encode() + b"\0" + part.read_bytes() + b"\0")
        digest.update(SHAPES_FILE.encode() + b"\0" + self.shapes_json + b"\0")
        return digest

    def tag(self, base_id: str) -> str:
        return f"{IMAGE_REPOSITORY}-{self.device.value}:{self.digest(base_id)[:12]}"


def recipe_for(problem_root: Path, device: Device) -> ImageRecipe:
    recipe = ImageRecipe(
        device, problem_root / SANDBOX_DIR, warmup_shapes(load_problem(problem_root))
    )
    if not recipe.lock.is_file():
        raise JudgekitError(f"{recipe.lock}: missing; the {device.value} image needs its lock file")
    return recipe


def debian_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The host's Debian mirror, read from its apt sources (deb822 or one-line format)."""
    candidates: list[str] = []
    for path in sorted((sources_dir / "sources.list.d").glob("*.sources")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for stanza in text.split("\n\n"):
            if re.search(rf"^Suites:.*\b{BOOTSTRAP_SUITE}\b", stanza, re.MULTILINE):
                match = re.search(r"^URIs:\s*(\S+)", stanza, re.MULTILINE)
                if match and "security" not in match.group(1):
                    candidates.append(match.group(1))
    one_line = sources_dir / "sources.list"
    if one_line.is_file():
        for line in one_line.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb" and BOOTSTRAP_SUITE in parts[2:3]:
                uri = next(p for p in parts[1:] if not p.startswith("["))
                if "security" not in uri:
                    candidates.append(uri)
    if not candidates:
        raise JudgekitError(
            f"no Debian {BOOTSTRAP_SUITE} mirror found in {sources_dir}/sources.list(.d); "
            "add one, or load an image named python:3.11-slim into the engine"
        )
    return candidates[0]


def ensure_base(log: Log) -> str:
    """The base image's reference: official slim Python if present or pullable, else our own."""
    for reference in (OFFICIAL_BASE, BOOTSTRAP_BASE):
        if image_id(reference):
            return reference
    pulled = subprocess.run(
        ["timeout", "60", "docker", "pull", OFFICIAL_BASE], capture_output=True, text=True
    )
    if pulled.returncode == 0:
        return OFFICIAL_BASE
    log(f"cannot pull {OFFICIAL_BASE} (no registry reachable); bootstrapping a Debian base")
    if shutil.which("debootstrap") is None:
        raise JudgekitError("debootstrap is not installed; run: apt-get install -y debootstrap")
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="judgekit-rootfs-") as rootfs:
        log(f"debootstrap --variant=minbase {BOOTSTRAP_SUITE} from {mirror}")
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BOOTSTRAP_PACKAGES)}",
                BOOTSTRAP_SUITE,
                rootfs,
                mirror,
            ],
            check=True,
            capture_output=True,
        )
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(Path(rootfs) / cache, ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "import", "-", BOOTSTRAP_BASE],
            stdin=tar.stdout,
            check=True,
            capture_output=True,
        )
        if tar.wait() != 0:
            raise JudgekitError("packing the bootstrapped root filesystem failed")
    return BOOTSTRAP_BASE


def download_wheelhouse(recipe: ImageRecipe, log: Log) -> None:
    """pip-download every locked wheel on the host (containers cannot reach PyPI)."""
    recipe.wheelhouse.mkdir(parents=True, exist_ok=True)
    log(f"downloading wheels for {recipe.lock.name} into {recipe.wheelhouse}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            *(f"--platform=manylinux_2_{minor}_x86_64" for minor in range(17, 37)),
            "--platform=manylinux2014_x86_64",
            "--platform=any",
            "--no-deps",
            "-r",
            str(recipe.lock),
            "-d",
            str(recipe.wheelhouse),
        ],
        check=True,
    )


def _context(recipe: ImageRecipe, directory: Path) -> None:
    """A build context holding only this device's inputs (hard links, no copies) and the
    warm-up shapes."""
    for source in (recipe.dockerfile, *recipe.code, recipe.lock):
        os.link(source, directory / source.name)
    (directory / SHAPES_FILE).write_bytes(recipe.shapes_json)
    wheels = directory / "wheelhouse" / recipe.device.value
    wheels.mkdir(parents=True)
    for wheel in recipe.wheelhouse.glob("*.whl"):
        os.link(wheel, wheels / wheel.name)


def build_image(problem_root: Path, device: Device, log: Log, *, force: bool = False) -> str:
    """Build (or find) the sandbox image for DEVICE and return its tag."""
    recipe = recipe_for(problem_root, device)
    base = ensure_base(log)
    base_id = image_id(base) or base
    tag = recipe.tag(base_id)
    if image_id(tag) and not force:
        log(f"{tag} is up to date")
        return tag
    download_wheelhouse(recipe, log)
    log(f"building {tag} from {base}")
    with tempfile.TemporaryDirectory(prefix="judgekit-context-", dir=recipe.sandbox_dir) as ctx:
        _context(recipe, Path(ctx))
        build_leaving_nothing_behind(
            [
                "--build-arg",
                f"BASE={base}",
                "--build-arg",
                f"DEVICE={device.value}",
                "--label",
                f"{LABEL}.digest={recipe.digest(base_id)}",
                "--label",
                f"{LABEL}.device={device.value}",
                ctx,
            ],
            tags=[tag, f"{repository(device)}:latest"],
            log=log,
        )
    return tag


def repository(device: Device) -> str:
    return f"{IMAGE_REPOSITORY}-{device.value}"


def prune_images(problem_root: Path, device: Device, log: Log, *, dry_run: bool = False) -> Pruned:
    """Remove DEVICE's sandbox images whose tag is not the current inputs' digest."""
    return prune_superseded(
        repository(device), current_image(problem_root, device), log, dry_run=dry_run
    )


def current_image(problem_root: Path, device: Device) -> str:
    """The tag a judge must use now; a clear error when it has not been built."""
    recipe = recipe_for(problem_root, device)
    for base in (OFFICIAL_BASE, BOOTSTRAP_BASE):
        base_id = image_id(base)
        if base_id and image_id(recipe.tag(base_id)):
            return recipe.tag(base_id)
    raise JudgekitError(
        f"the {device.value} sandbox image is not built (or its inputs changed); "
        f"run: judgekit image build --device {device.value}"
    )
