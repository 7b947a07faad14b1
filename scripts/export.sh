#!/usr/bin/env bash
# make export: write out/linux's commits (base..HEAD) to patches/ with
# 'git format-patch -v$SERIES_VERSION --cover-letter --base', the cover letter's text from
# scripts/series/SERIES/cover-letter.txt, and refresh the mirror of created files.
# Deterministic: run twice, nothing changes.
. "$(dirname "$0")/lib.sh"
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
op=$(tree_in_progress "$KSRC")
[ -z "$op" ] || die "$K_SHOW is in the middle of $op: finish or abort it first
  (a half-done history is not the series)"
cover=$SERIES_DIR/cover-letter.txt
[ -f "$cover" ] || die "$cover missing: its first line is the cover letter's subject, the rest its body"
stage_begin "export: $K_SHOW -> $P_SHOW/"
base=$(base_commit)
cd "$KSRC"
ksrc_is_clean ||
	die "$K_SHOW has uncommitted changes: commit them first"
n=$(git rev-list --count "$base..HEAD")
[ "$n" -gt 0 ] || die "$K_SHOW has no commits on top of the base: nothing to export"

tmp=$(mktemp -d "$OUT/.export.XXXXXX")
at_exit 'rm -rf "$tmp"'
# The cover letter's date is the tip's, not the time of the export.
GIT_COMMITTER_DATE=$(git log -1 --format=%cI) \
	git format-patch -q -v"$SERIES_VERSION" --cover-letter --base="$base" --no-signature \
	--subject-prefix=PATCH -o "$tmp" "$base..HEAD"
cover_letter_fill "$(ls "$tmp"/*-0000-cover-letter.patch)" "$cover"
rm -f "$PATCHES"/*.patch
mkdir -p "$PATCHES"
mv "$tmp"/*.patch "$PATCHES/"
"$REPO_ROOT/scripts/mirror.sh" update
# out/linux now is exactly what patches/ describes: 'make' need not re-apply.
tree_record "$KSRC" "$(series_state)"
msg "wrote $n patch(es) and the cover letter to $P_SHOW/"
stage_end
