#!/usr/bin/env bash
# Sets up a fresh Debian bookworm machine (as root) to judge, serve and test; idempotent.
#  1. Debian packages: the Docker engine, debootstrap (sandbox base image), Chromium (browser tests),
#     Redis and PostgreSQL (scale-out tests, on loopback), pandoc (the Kattis export's statement)
#  2. starts dockerd in the background when no engine answers
#  3. the host's locked wheels in tools/wheelhouse (also what tests/test_packaging.py installs a
#     plain `pip install .` from, offline), and .venv with them and judgekit (editable)
#  4. the CPU sandbox image (wheelhouse downloaded here, installed offline in the build)
#  5. CRIU 4.2 for the snapshot executor (tools/criu/build.sh); optional: when it fails, the judge
#     falls back to its prewarmed pool
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '== setup: %s\n' "$*"; }

need_packages=()
command -v dockerd >/dev/null || need_packages+=(docker.io)
command -v debootstrap >/dev/null || need_packages+=(debootstrap)
command -v chromium >/dev/null || need_packages+=(chromium)
# Scale-out tests run a real broker and database on loopback; pandoc typesets the Kattis export.
command -v redis-server >/dev/null || need_packages+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_packages+=(postgresql)
command -v pandoc >/dev/null || need_packages+=(pandoc)
command -v python3 >/dev/null || need_packages+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_packages+=(python3-venv)
if ((${#need_packages[@]})); then
    log "installing Debian packages: ${need_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

bash tools/docker-engine.sh

if [ ! -x .venv/bin/pip ]; then
    log "creating .venv"
    python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip >/dev/null
fi

wheels=tools/wheelhouse
if [ ! -f "$wheels/.complete" ] || [ tools/requirements.lock -nt "$wheels/.complete" ] \
        || [ tools/requirements-build.lock -nt "$wheels/.complete" ]; then
    log "downloading the locked wheels into $wheels"
    .venv/bin/pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$wheels" -r tools/requirements.lock -r tools/requirements-build.lock
    touch "$wheels/.complete"
fi

if [ ! -x .venv/bin/judgekit ] || [ "$wheels/.complete" -nt .venv/.installed ] \
        || [ pyproject.toml -nt .venv/.installed ]; then
    log "installing tools/requirements.lock and judgekit (editable) into .venv from $wheels"
    .venv/bin/pip install -q --no-index --find-links "$wheels" -r tools/requirements.lock
    .venv/bin/pip install -q --no-index --find-links "$wheels" --no-deps -e .
    touch .venv/.installed
fi

log "building the CPU sandbox image (cached when its inputs are unchanged)"
.venv/bin/judgekit image build --device cpu

log "building CRIU 4.2 for the snapshot executor (cached when its inputs are unchanged)"
if ! { criu_error=$(bash tools/criu/build.sh 2>&1 >&3 | tee /dev/stderr | tail -n 1); } 3>&1; then
    log "the snapshot executor is unavailable (${criu_error#criu: error: });" \
        "judging falls back to the prewarmed pool"
fi
