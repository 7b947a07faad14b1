#!/usr/bin/env bash
# Bisectability gate: build the Image (W=1) at every patch of the series,
# in order, in out/linux; then return to the tip.  Fails if a patch does
# not build, or if it adds a compiler warning (compared with the step
# before it, so the culprit is named) in a file the series touches or in
# the directories of the C files it changes (their objects are rebuilt at
# every step, so all their warnings are seen, not only those of what make
# happened to redo).  The base step builds those directories only: it
# gives the warnings the first patch is compared with; the rest of the
# base is the release as shipped, and a whole-kernel build of it (every
# object that includes a header the series changes) cost a cold run about
# six minutes for nothing the gate compares.
# A patch that changes only selftests (tools/testing/selftests/) and .rst
# documents changes nothing the kernel build reads: its step is the step
# before it, and is not built again (about a minute of relinking each).
# Logs: out/logs/bisect-NN.log (00 is the base).
. "$(dirname "$0")/lib.sh"
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
[ -f "$KBUILD/.config" ] || die "no kernel config: run 'make build' first"
# A series based on another starts from that one's last commit, which its
# own bisect gate built: the step before this series' first patch.
from=$(series_from)
mapfile -t commits < <(git -C "$KSRC" rev-list --reverse "$from..HEAD")
mapfile -t dirs < <(series_dirs)
mapfile -t files < <(series_files)
stage_begin "bisect: build the ${PREREQ_SERIES:+tip of }${PREREQ_SERIES:-base} and each of ${#commits[@]} patch(es), W=1"
# diagnostics in the files and directories named above, as a grep pattern
scope=$(printf '%s\n' "${files[@]}" "${dirs[@]}" | sed 's/[.]/\\./g; s/^/^/' )

# builds_same_kernel A B: the step from A to B changes no file the kernel
# build reads
builds_same_kernel() {
	! git -C "$KSRC" diff --name-only "$1" "$2" -- . \
		':!tools/testing/selftests' ':!Documentation/*.rst' | grep -q .
}

n=0 bad=0 prev= prev_rev=
for c in "$from" "${commits[@]}"; do
	checkout_rev "$c"
	log=$(printf '%s/bisect-%02d.log' "$LOGS" "$n")
	what=$([ "$n" -gt 0 ] && echo "[$n/${#commits[@]}]" ||
		{ [ -z "$PREREQ_SERIES" ] && echo base || echo "$PREREQ_SERIES's tip"; })
	msg "$what $(git -C "$KSRC" log -1 --format=%s)"
	rev=$(git -C "$KSRC" rev-parse HEAD)
	if [ "$n" -gt 0 ] && builds_same_kernel "$prev_rev" "$rev"; then
		msg "    selftests and .rst only: the kernel of the step before"
		echo "same kernel as the step before ($prev_rev)" >"$log"
		cp "$prev" "$log.warnings"
		prev=$log.warnings prev_rev=$rev n=$((n + 1))
		continue
	fi
	drop_objects "$KBUILD" "${dirs[@]}"
	targets=(Image)
	[ "$n" -gt 0 ] || [ "${#dirs[@]}" -eq 0 ] || targets=("${dirs[@]}")
	run_logged "$log" kmake W=1 "${targets[@]}" ||
		die "$what ($(git -C "$KSRC" log -1 --format=%s)) does not build: see $log"
	diagnostics "$log" | grep -f <(printf '%s\n' "$scope") >"$log.warnings" || true
	# A warning not in the base first appears at some patch: that one is
	# to blame, so each step is compared with the one before it.
	if [ "$n" -gt 0 ] && ! compare_diagnostics "W=1 warnings" "$prev" "$log.warnings"; then
		printf '    ^ added by patch %d: %s\n' "$n" "$(git -C "$KSRC" log -1 --format=%s)" >&2
		bad=$((bad + 1))
	fi
	prev=$log.warnings prev_rev=$rev
	n=$((n + 1))
done
msg "tip vs ${PREREQ_SERIES:-base}: $(comm -13 "$LOGS/bisect-00.log.warnings" "$prev" | wc -l) new warning(s)"
[ "$bad" -eq 0 ] || die "$bad patch(es) add W=1 warnings: fix them in $K_SHOW (git rebase -i, then 'make export')"
stage_end
