#!/usr/bin/env bash
# Style: scripts/checkpatch.pl --strict on every patch of the series; any
# error, warning or check fails.
. "$(dirname "$0")/lib.sh"
[ -x "$KSRC/scripts/checkpatch.pl" ] || die "no kernel work tree: run 'make apply' first"
mapfile -t patches < <(series_patches)
stage_begin "checkpatch: --strict on ${#patches[@]} patch(es)"
bad=0
for p in "${patches[@]}"; do
	if out=$(cd "$KSRC" && ./scripts/checkpatch.pl --strict --quiet --no-summary "$p" 2>&1) &&
		[ -z "$out" ]; then
		msg "clean: $(basename "$p")"
	else
		bad=$((bad + 1))
		printf '    NOT CLEAN: %s\n%s\n' "$(basename "$p")" "$(sed 's/^/      /' <<<"$out")"
	fi
done
[ "$bad" -eq 0 ] || die "$bad patch(es) not checkpatch-clean: fix them in out/linux
  (git rebase -i), then 'make export'"
stage_end
