# shellcheck shell=bash
# Common helpers for the pipeline scripts: paths, logging, stage timing.
# Sourced by every script in scripts/; never run on its own.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=base.env
. "$REPO_ROOT/scripts/base.env"

CACHE=${KVM_SEA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-sea}
OUT=${KVM_SEA_OUT:-$REPO_ROOT/out}
KSRC=$OUT/linux            # kernel git work tree, series applied
KBUILD=$OUT/build          # O= directory of the arm64 kernel build
LOGS=$OUT/logs
BASE_REPO=$CACHE/base/linux-$BASE_VERSION.git
CROSS=aarch64-linux-gnu-
JOBS=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# Fixed build identity: reproducible images and ccache hits across runs.
export KBUILD_BUILD_USER=kvm-sea KBUILD_BUILD_HOST=kvm-sea
export KBUILD_BUILD_TIMESTAMP="$BASE_GIT_DATE"
# Git must not pick up the caller's global settings (hooks, attributes,
# signing) when the scripts drive their own repositories.
export GIT_CONFIG_NOSYSTEM=1

_stage_name= _stage_t0=
msg()  { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

stage_begin() {
	_stage_name=$1 _stage_t0=$SECONDS
	printf '==> %s\n' "$_stage_name"
	trap '_stage_fail $?' EXIT
}
stage_end() {
	trap - EXIT
	printf '<== %s: done in %ss\n' "$_stage_name" $((SECONDS - _stage_t0))
}
_stage_fail() {
	[ "$1" -eq 0 ] && return
	printf '<== %s: FAILED after %ss\n' "$_stage_name" $((SECONDS - _stage_t0)) >&2
}

# run_logged LOG CMD...: run CMD with all output in LOG, print a heartbeat
# line every 30 s so long steps show they are alive, and on failure show the
# end of the log and where the whole of it is.
run_logged() {
	local log=$1; shift
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 &
	local pid=$! t0=$SECONDS next=$((SECONDS + 30)) rc=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ]; then
			printf '    ... %ss: %s\n' $((SECONDS - t0)) \
				"$(tail -n 1 "$log" | cut -c1-100)"
			next=$((next + 30))
		fi
	done
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '\n--- last lines of %s ---\n' "$log" >&2
		tail -n 40 "$log" >&2
		printf -- '--- end (exit %s); full log: %s\n' "$rc" "$log" >&2
	fi
	return "$rc"
}

# kmake ARGS...: make in the kernel work tree, arm64, out of tree, ccache.
kmake() {
	make -C "$KSRC" O="$KBUILD" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" "$@"
}

# The series: patch files in order, cover letter excluded.
series_patches() {
	find "$REPO_ROOT/patches" -maxdepth 1 -name '*.patch' ! -name '*0000-cover-letter.patch' | sort
}

base_commit() {
	[ -f "$BASE_REPO/kvm-sea-base" ] || die "base not imported yet: run 'make base'"
	cat "$BASE_REPO/kvm-sea-base"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' is not installed: run 'make deps' (or scripts/deps.sh)"
	done
}

# guard_ksrc: refuse (unless FORCE=1) when out/linux holds work that exists
# nowhere else: commits not written to patches/, or uncommitted changes.
guard_ksrc() {
	[ -d "$KSRC/.git" ] && [ "${FORCE:-0}" != 1 ] || return 0
	local state=$KSRC/.git/kvm-sea-applied recorded
	recorded=$(sed -n 2p "$state" 2>/dev/null || true)
	[ "$(git -C "$KSRC" rev-parse HEAD)" = "${recorded:-$(base_commit)}" ] ||
		die "out/linux has commits that are not in patches/ (HEAD $(git -C "$KSRC" log -1 --format=%h)).
  Run 'make export' to write them to patches/, or add FORCE=1 to discard them."
	[ -z "$(git -C "$KSRC" status --porcelain -- . ':!.gitignore')" ] ||
		die "out/linux has uncommitted or untracked changes: commit them and
  'make export', or add FORCE=1 to discard them."
}

# series_state: what out/linux must have been built from to be current:
# the base commit and a hash of every patch file.
series_state() {
	local -a p
	mapfile -t p < <(series_patches)
	printf '%s %s\n' "$(base_commit)" "$(cat /dev/null "${p[@]}" | sha256sum | cut -d' ' -f1)"
}
