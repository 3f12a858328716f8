#!/usr/bin/env bash
# The project's test command (the README's second command; .ci/run calls exactly this).
# It sets up whatever is missing first (Debian packages, the Docker engine, .venv, the sandbox
# image), then runs the linters, the package validation and the test suite, which judges every
# known submission (`judgekit verify`) against the real Docker engine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash tools/setup.sh

echo "== ruff"
.venv/bin/ruff check tools tests checker reference sandbox
.venv/bin/ruff format --check tools tests checker reference sandbox
echo "== mypy"
.venv/bin/mypy
echo "== judgekit validate"
.venv/bin/judgekit validate
echo "== pytest"
.venv/bin/pytest --timeout=900 "$@"
