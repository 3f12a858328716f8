"""Starting a judge host: check it judges exactly what the web app serves, say what it is,
then consume its queue."""

from __future__ import annotations

import logging

from judgekit.errors import JudgekitError
from judgekit.judgehost.broker import celery_app, redacted
from judgekit.judgehost.client import JudgehostClient
from judgekit.judgehost.consumer import consume
from judgekit.judgehost.host import HostIdentity, JudgeHost
from judgekit.judgehost.job import real_judge
from judgekit.judgehost.protocol import differences, hello_for
from judgekit.package.manifest import installed_versions
from judgekit.package.problem import Device, Problem

log = logging.getLogger("judgekit.judgehost")

START_PATIENCE_S = 20.0
# How long a job keeps trying to reach a web app that went away (a restart) before it gives
# up and leaves the submission to its lease.
JOB_PATIENCE_S = 120.0


def start_judge_host(
    *,
    problem: Problem,
    device: Device,
    concurrency: int,
    broker_url: str,
    server: str,
    token: str,
    name: str,
    heartbeat_s: float,
) -> None:
    from judgekit.judge.prewarmed import PrewarmedSandboxes
    from judgekit.sandbox.image import current_image

    client = JudgehostClient(server, token, patience_s=START_PATIENCE_S)
    try:
        theirs = client.hello()
        client.patience_s = JOB_PATIENCE_S
        ours = hello_for(problem, theirs.lease_s)
        found = differences(ours, theirs, device.value)
        if found:
            raise JudgekitError(
                "this judge host differs from the web app, so it would judge another problem: "
                + "; ".join(found)
                + ". Check out the web app's version here and run `judgekit image build`"
            )
        image = current_image(problem.root, device)
        versions = installed_versions()
        log.info(
            "judge host %s: device %s, image %s, %s; web app %s, broker %s, %d at once",
            name,
            device.value,
            image,
            ", ".join(f"{k} {v}" for k, v in sorted(versions.items())),
            server,
            redacted(broker_url),
            concurrency,
        )
        with PrewarmedSandboxes(problem, (device,), concurrency) as sandboxes:
            host = JudgeHost(
                HostIdentity(name, device, image, versions),
                problem,
                client,
                real_judge(sandboxes),
                concurrency,
            )
            host.start_heartbeats(heartbeat_s)
            try:
                consume(celery_app(broker_url), host, concurrency)
            finally:
                host.stop()
    finally:
        client.close()
