# The judgekit application image for the web app and the judge hosts of tools/deploy/compose.yaml.
# Build from the repository root: docker build -f tools/deploy/judgekit.Dockerfile .
# (It does not hold the sandbox image: each judge host builds that on its own engine with
# `bash tools/setup.sh` or `judgekit image build`, and its sandboxes run there.)
FROM python:3.11-slim-bookworm
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /judgekit
COPY tools/requirements.lock tools/requirements.lock
RUN pip install --no-cache-dir -r tools/requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps -e .
ENTRYPOINT ["judgekit", "--problem", "/judgekit"]
