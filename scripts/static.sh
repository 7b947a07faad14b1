#!/usr/bin/env bash
# Static-analysis gate, at the base and at the tip, in out/build:
#  - sparse (C=2: every object, rebuilt or not) on the directories of the C
#    files the series changes;
#  - scripts/kernel-doc -none -Wall on the kernel C files and headers it changes.
# Fails if the series adds a diagnostic the base does not have.
. "$(dirname "$0")/lib.sh"
need_cmd sparse
[ -f "$KBUILD/.config" ] || die "no kernel config: run 'make build' first"
mapfile -t dirs < <(series_dirs)
mapfile -t srcs < <(series_files | grep -E '\.[ch]$')
stage_begin "static: sparse on ${dirs[*]}, kernel-doc on ${#srcs[@]} file(s)"
for rev in base tip; do
	checkout_rev $rev
	log=$LOGS/sparse-$rev.log
	msg "$rev: sparse (log: $log)"
	run_logged "$log" kmake C=2 "${dirs[@]}" ||
		die "sparse or the build failed at the $rev: see $log"
	diagnostics "$log" >"$log.warnings"
	# kernel-doc only reads the files that exist at this revision
	log=$LOGS/kernel-doc-$rev.log
	(cd "$KSRC" && for f in "${srcs[@]}"; do
		[ -f "$f" ] && scripts/kernel-doc -none -Wall "$f"
	done) >"$log" 2>&1 || true
	diagnostics "$log" >"$log.warnings"
done
bad=0
compare_diagnostics "sparse (C=2) diagnostics" "$LOGS/sparse-base.log.warnings" \
	"$LOGS/sparse-tip.log.warnings" || bad=1
compare_diagnostics "kernel-doc warnings" "$LOGS/kernel-doc-base.log.warnings" \
	"$LOGS/kernel-doc-tip.log.warnings" || bad=1
[ "$bad" -eq 0 ] || die "the series adds static-analysis warnings (above): fix them in $K_SHOW (git rebase -i, then 'make export')"
stage_end
