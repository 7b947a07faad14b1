#!/usr/bin/env bash
# make export: write out/linux's commits to patches/ with 'git format-patch
# -v$SERIES_VERSION --cover-letter --base', the cover letter's text from
# scripts/series/SERIES/cover-letter.txt, and refresh the mirror of created
# files.  Deterministic: run twice, nothing changes.
# A series based on another (PREREQ_SERIES) holds both in out/linux, the
# branch of the prerequisite's name marking where it ends: both are
# written, the prerequisite first (base..branch to its patches/), then this
# one (branch..HEAD), whose cover letter lists the prerequisite's patch ids
# after base-commit: as b4 expects.
#   EXPORT_TREE=DIR EXPORT_TIP=REV: write base..REV of DIR instead (how a
#   series writes its prerequisite; no mirror, no tree record)
. "$(dirname "$0")/lib.sh"
tree=${EXPORT_TREE:-$KSRC}
tip=${EXPORT_TIP:-HEAD}
show=${tree#"$REPO_ROOT"/}
[ -d "$tree/.git" ] || die "no kernel work tree: run 'make apply' first"
op=$(tree_in_progress "$tree")
[ -z "$op" ] || die "$show is in the middle of $op: finish or abort it first
  (a half-done history is not the series)"
cover=$SERIES_DIR/cover-letter.txt
[ -f "$cover" ] || die "$cover missing: its first line is the cover letter's subject, the rest its body"
base=$(base_commit)
if [ -n "${EXPORT_TREE:-}" ]; then
	from=$base
else
	tree_is_clean "$tree" ':!.gitignore' ||
		die "$show has uncommitted changes: commit them first"
	from=$(series_from)
fi
stage_begin "export: $show -> $P_SHOW/"
cd "$tree"
n=$(git rev-list --count "$from..$tip")
[ "$n" -gt 0 ] || die "$show has no commits of $SERIES on top of $([ "$from" = "$base" ] && echo "the base" || echo "$PREREQ_SERIES"): nothing to export"
if [ -n "$PREREQ_SERIES" ]; then
	msg "the prerequisite first:"
	EXPORT_TREE=$tree EXPORT_TIP=$from SERIES=$PREREQ_SERIES bash "$REPO_ROOT/scripts/export.sh"
fi

mkdir -p "$OUT"
tmp=$(mktemp -d "$OUT/.export.XXXXXX")
at_exit 'rm -rf "$tmp"'
# The cover letter's date is the tip's, not the time of the export.
GIT_COMMITTER_DATE=$(git log -1 --format=%cI "$tip") \
	git format-patch -q -v"$SERIES_VERSION" --cover-letter --base="$base" --no-signature \
	--subject-prefix=PATCH -o "$tmp" "$from..$tip"
letter=$(ls "$tmp"/*-0000-cover-letter.patch)
cover_letter_fill "$letter" "$cover"
if [ -n "$PREREQ_SERIES" ]; then
	# The prerequisite's patch ids, as b4 and a reader compute them from
	# its mails: 'git patch-id --stable' of each.  git 2.39's format-patch
	# computes its own ids without the diff's indent heuristic, so an id
	# of a patch whose hunks that heuristic shifts comes out different.
	ids=$(mktemp "$tmp/ids.XXXXXX")
	prereq_patches | while IFS= read -r p; do git patch-id --stable <"$p" | cut -d' ' -f1; done >"$ids"
	[ "$(grep -c '^prerequisite-patch-id: ' "$letter")" = "$(wc -l <"$ids")" ] ||
		die "git format-patch listed another number of prerequisite patches than patches/$PREREQ_SERIES/ holds"
	awk -v ids="$ids" '/^prerequisite-patch-id: / { getline id <ids; $0 = "prerequisite-patch-id: " id } { print }' \
		"$letter" >"$letter.new"
	mv "$letter.new" "$letter"
fi
rm -f "$PATCHES"/*.patch
mkdir -p "$PATCHES"
mv "$tmp"/*.patch "$PATCHES/"
if [ -z "${EXPORT_TREE:-}" ]; then
	"$REPO_ROOT/scripts/mirror.sh" update
	# out/linux now is exactly what patches/ describes: 'make' need not re-apply.
	tree_record "$KSRC" "$(series_state)"
fi
msg "wrote $n patch(es) and the cover letter to $P_SHOW/"
stage_end
