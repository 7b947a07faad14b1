#!/usr/bin/env bash
# The files the series creates also live in this repo at their kernel paths.
#   scripts/mirror.sh update   copy them from out/linux (make export does it)
#   scripts/mirror.sh check    fail unless the repo's copies equal out/linux's
# Only files the series adds are mirrored, never files it merely modifies.
. "$(dirname "$0")/lib.sh"
mode=${1:-check}
case $mode in update|check) ;; *) die "usage: $0 update|check" ;; esac
# A series that another is based on: that one's tree holds the last version
# of every file the two create, and mirrors them all.
top=$(based_on_it)
if [ -n "$top" ]; then
	[ "$mode" = update ] || { stage_begin "mirror: created files equal the series'"; }
	msg "the files $SERIES creates are mirrored by $top, which is based on it"
	[ "$mode" = update ] || stage_end
	exit 0
fi
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
base=$(base_commit)
roots=(arch include Documentation tools)
mapfile -t created < <(git -C "$KSRC" diff --name-only --diff-filter=A "$base" HEAD -- "${roots[@]}")
mapfile -t present < <(cd "$REPO_ROOT" && find "${roots[@]}" -type f 2>/dev/null | sort)
# Every series mirrors its own created files here (and those of the series
# it is based on): a file another series' patches create (a "new file" in
# patches/OTHER/) is that series' business.
mapfile -t others < <(for s in "${ALL_SERIES[@]}"; do
	[ "$s" = "$SERIES" ] || [ "$s" = "$PREREQ_SERIES" ] || [ ! -d "$REPO_ROOT/patches/$s" ] ||
		find "$REPO_ROOT/patches/$s" -maxdepth 1 -name '*.patch' -exec \
			awk '/^diff --git / { f = substr($4, 3) } /^new file mode/ { print f }' {} +
done | sort -u)
mine() { ! printf '%s\n' "${others[@]}" | grep -xF -- "$1" >/dev/null; }

case $mode in
update)
	for f in "${present[@]}"; do mine "$f" && rm -f "$REPO_ROOT/$f"; done
	for f in "${created[@]}"; do
		mkdir -p "$REPO_ROOT/$(dirname "$f")"
		git -C "$KSRC" show "HEAD:$f" >"$REPO_ROOT/$f"
	done
	(cd "$REPO_ROOT" && find "${roots[@]}" -type d -empty -delete 2>/dev/null) || true
	msg "mirrored ${#created[@]} file(s) the series creates"
	;;
check)
	stage_begin "mirror: created files equal the series'"
	bad=0
	for f in "${created[@]}"; do
		if ! git -C "$KSRC" show "HEAD:$f" | cmp -s - "$REPO_ROOT/$f"; then
			printf '    differs or missing: %s\n' "$f"; bad=1
		fi
	done
	for f in "${present[@]}"; do
		mine "$f" || continue
		printf '%s\n' "${created[@]}" | grep -xF "$f" >/dev/null ||
			{ printf '    not created by the series: %s\n' "$f"; bad=1; }
	done
	[ "$bad" -eq 0 ] || die "the mirror under arch/ include/ Documentation/ tools/ is stale:
  run 'make export' (never edit those files or $P_SHOW/ by hand)"
	msg "${#created[@]} file(s), all identical"
	stage_end
	;;
*) die "usage: $0 update|check" ;;
esac
