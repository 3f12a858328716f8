#!/usr/bin/env bash
# Builds CRIU 4.2 for the snapshot executor (runc checkpoint/restore of a warm sandbox);
# idempotent and cached. Needs root (apt-get, /opt, /var/cache).
#  1. checks criu-4.2.tar.gz and every patch against SHA256SUMS; refuses to build on a mismatch
#  2. installs the Debian build dependencies that are missing
#  3. extracts into /var/cache/judgekit/criu-build, applies patches/*.patch, `make -j2 criu`
#  4. installs /opt/judgekit/criu-4.2/sbin/criu with a stamp of the inputs' checksums
# A rerun with the same inputs and the binary in place builds nothing. Ends with `criu check`;
# exits non-zero when the build or the check fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VERSION=4.2
TARBALL=criu-$VERSION.tar.gz
BUILD_ROOT=/var/cache/judgekit/criu-build
PREFIX=/opt/judgekit/criu-$VERSION
CRIU=$PREFIX/sbin/criu
STAMP=$PREFIX/inputs.sha256
# Only what the criu binary needs: no GnuTLS (page-server TLS); libbsd (setproctitle) and
# libnftables (nft network locking; runc's default is iptables) are left out by not installing
# their -dev packages. Plugins, crit, lib and the docs are never built (`make criu`).
MAKE_FLAGS=(-j2 NO_GNUTLS=1 criu)
BUILD_DEPS=(gcc make patch pkg-config protobuf-compiler protobuf-c-compiler libprotobuf-dev
    libprotobuf-c-dev libnl-3-dev libnet1-dev libcap-dev uuid-dev)

log() { printf '== criu: %s\n' "$*"; }
die() {
    printf 'criu: error: %s\n' "$*" >&2
    exit 1
}

# 1. The inputs: the tarball and each patch, every one listed in SHA256SUMS.
patches=(patches/*.patch)
[ -e "${patches[0]}" ] || patches=()
for input in "$TARBALL" "${patches[@]}"; do
    awk -v f="$input" '$2 == f { found = 1 } END { exit !found }' SHA256SUMS \
        || die "$input is not listed in tools/criu/SHA256SUMS"
done
if ! mismatch=$(sha256sum --check --strict --quiet SHA256SUMS 2>&1); then
    die "refusing to build: tools/criu/SHA256SUMS does not match the files (${mismatch//$'\n'/; })"
fi
inputs="$(cat SHA256SUMS)
make ${MAKE_FLAGS[*]}"

if [ -x "$CRIU" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$inputs" ]; then
    log "$CRIU is up to date (inputs unchanged)"
else
    mkdir -p "$BUILD_ROOT"
    exec 9>"$BUILD_ROOT/.lock"
    flock 9

    # 2. The Debian build dependencies, installed only when missing.
    missing=()
    for package in "${BUILD_DEPS[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' \
            || missing+=("$package")
    done
    if ((${#missing[@]})); then
        log "installing build dependencies: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
        if ! apt_output=$(apt-get update -qq 2>&1 \
            && apt-get install -y -qq --no-install-recommends "${missing[@]}" 2>&1); then
            printf '%s\n' "$apt_output" | tail -n 20 >&2
            die "could not install the build dependencies: ${missing[*]}"
        fi
    fi

    # 3. A fresh source tree every time the inputs change; the build log stays beside it.
    src=$BUILD_ROOT/criu-$VERSION
    build_log=$BUILD_ROOT/build.log
    log "building CRIU $VERSION in $src (log: $build_log)"
    started=$SECONDS
    rm -rf "$src"
    tar -xzf "$TARBALL" -C "$BUILD_ROOT"
    for patch_file in "${patches[@]}"; do
        patch -d "$src" -p1 --forward --quiet <"$patch_file" \
            || die "$patch_file does not apply to criu-$VERSION"
    done
    if ! make -C "$src" "${MAKE_FLAGS[@]}" >"$build_log" 2>&1; then
        tail -n 20 "$build_log" >&2
        die "the CRIU build failed; see $build_log"
    fi

    # 4. Install atomically, then the stamp.
    install -D -m 0755 "$src/criu/criu" "$CRIU.new"
    mv -f "$CRIU.new" "$CRIU"
    printf '%s\n' "$inputs" >"$STAMP"
    log "built $CRIU in $((SECONDS - started)) s"
fi

"$CRIU" --version | sed 's/^/== criu: /'
if check=$("$CRIU" check 2>&1); then
    log "criu check: ${check//$'\n'/; }"
else
    die "criu check failed on this kernel: ${check//$'\n'/; }"
fi
