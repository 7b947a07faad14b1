#!/usr/bin/env bash
# Bisectability: build the Image (W=1) at every patch of the series, in
# order, in out/linux; then return to the tip.  One log per patch in
# out/logs/bisect-NN.log.
. "$(dirname "$0")/lib.sh"
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
[ -f "$KBUILD/.config" ] || die "no kernel config: run 'make build' first"
cd "$KSRC"
[ -z "$(git status --porcelain -- . ':!.gitignore')" ] ||
	die "out/linux has uncommitted changes: commit or drop them first"
mapfile -t commits < <(git rev-list --reverse "$(base_commit)..HEAD")
stage_begin "bisect: build each of ${#commits[@]} patch(es)"
tip=$(git symbolic-ref -q --short HEAD || git rev-parse HEAD)
trap 'git checkout -q "$tip"' EXIT
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	git checkout -q --detach "$c"
	msg "[$n/${#commits[@]}] $(git log -1 --format=%s)"
	log=$(printf '%s/bisect-%02d.log' "$LOGS" "$n")
	run_logged "$log" kmake W=1 Image ||
		die "patch $n ($(git log -1 --format=%s)) does not build: see $log"
done
git checkout -q "$tip"
trap - EXIT
stage_end
