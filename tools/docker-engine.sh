#!/usr/bin/env bash
# Makes sure a Docker engine answers: starts Debian's dockerd in the background when none does.
set -euo pipefail

if docker info >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dockerd >/dev/null; then
    echo "docker-engine: dockerd is not installed; run: apt-get install -y docker.io" >&2
    exit 1
fi
echo "== setup: starting dockerd (log: /var/log/dockerd.log)"
nohup dockerd >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 1
done
echo "docker-engine: dockerd did not answer within 60 s; see /var/log/dockerd.log" >&2
exit 1
