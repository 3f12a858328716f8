"""What the container engine's failures mean, in words a judge host's admin can act on."""

from __future__ import annotations

import docker.errors
import requests

from judgekit.package.problem import Device


class RuntimeFailure(Exception):
    """runc or CRIU, driven directly (`judgekit.sandbox.snapshots`), failed."""


# A dead engine shows up as a requests error, not a DockerException.
EngineError = (docker.errors.DockerException, requests.RequestException, RuntimeFailure)
NO_GPU_DRIVER = "could not select device driver"


def engine_failure(error: Exception, device: Device) -> str:
    """The judge error for ERROR: what is missing and how to get it, where we know."""
    if device is Device.GPU and NO_GPU_DRIVER in str(error):
        return (
            "this host's Docker engine cannot give containers a GPU (no NVIDIA runtime): "
            "install the NVIDIA Container Toolkit (Debian package nvidia-container-toolkit), "
            "run `nvidia-ctk runtime configure --runtime=docker`, restart dockerd, "
            "or judge with --device cpu"
        )
    if isinstance(error, RuntimeFailure):
        return f"the container runtime failed: {error}"
    return f"the Docker engine failed: {error}"


def stream_failure(error: Exception) -> str:
    """The judge error for a sandbox whose output stream failed before the container ended:
    nothing after it could be read, so the run cannot be judged."""
    return (
        f"reading the sandbox's output failed ({type(error).__name__}: {error}); "
        "the run was stopped unjudged"
    )
