#!/usr/bin/env bash
# make clean:     remove out/ (work tree, build, logs) from the checkout.
# make distclean: also remove the caches (tarball, base import, ccache,
#                 arm64 packages).  Prints what it removed.
. "$(dirname "$0")/lib.sh"
guard_ksrc
remove() {
	[ -e "$1" ] || return 0
	printf '    removing %s (%s)\n' "$1" "$(du -sh "$1" 2>/dev/null | cut -f1)"
	rm -rf "$1"
}
remove "$OUT"
if [ "${1:-}" = --cache ]; then
	remove "$CACHE"
fi
