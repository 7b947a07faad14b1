#!/usr/bin/env bash
# make clean:     remove out/ (work trees, builds, logs) from the checkout;
#                 with SERIES=NAME only that series' out/NAME/.
# make distclean: also remove the caches (tarballs, base imports, ccache,
#                 arm64 packages).  Prints what it removed.
# Nothing is removed while a series' kernel tree holds unexported work
# (FORCE=1 overrides).
picked=${SERIES:-}
. "$(dirname "$0")/lib.sh"
remove() {
	[ -e "$1" ] || return 0
	printf '    removing %s (%s)\n' "$1" "$(du -sh "$1" 2>/dev/null | cut -f1)"
	rm -rf "$1"
}
case ${1:-} in
--guard) guard_ksrc; exit 0 ;;
--cache | "") ;;
*) die "usage: $0 [--cache]" ;;
esac
if [ -n "$picked" ]; then
	guard_ksrc
	remove "$OUT"
else
	# every series checked before anything goes
	for s in "${ALL_SERIES[@]}"; do SERIES=$s bash "$0" --guard; done
	remove "$OUT_ROOT"
fi
if [ "${1:-}" = --cache ]; then
	remove "$CACHE"
fi
