#!/usr/bin/env bash
# make kvmtool-export: write out/kvmtool/src's commits (on the pinned
# source) to kvmtool/patches/ with 'git format-patch --cover-letter', the
# cover letter's text from kvmtool/cover-letter.txt.  Deterministic: run
# twice, nothing changes.
. "$(dirname "$0")/lib.sh"
tree=$KVMTOOL_TREE
dest=$REPO_ROOT/kvmtool/patches
cover=$REPO_ROOT/kvmtool/cover-letter.txt
[ -d "$tree/.git" ] || die "no kvmtool tree: run 'make kvmtool' first (with KVMTOOL_SRC)"
op=$(tree_in_progress "$tree")
[ -z "$op" ] || die "${tree#"$REPO_ROOT"/} is in the middle of $op: finish or abort it first"
tree_is_clean "$tree" ||
	die "${tree#"$REPO_ROOT"/} has uncommitted changes: commit them first"
n=$(git -C "$tree" rev-list --count kvmtool-base..HEAD)
[ "$n" -gt 0 ] || die "${tree#"$REPO_ROOT"/} has no commits on the pinned source: nothing to export"
stage_begin "kvmtool-export: out/kvmtool/src -> kvmtool/patches/"
tmp=$(mktemp -d "$OUT_ROOT/.kvmtool-export.XXXXXX")
at_exit 'rm -rf "$tmp"'
# "v1" is left out of a first version's subjects, as git send-email users do
vopt=()
[ "$KVMTOOL_VERSION" -eq 1 ] || vopt=(-v"$KVMTOOL_VERSION")
GIT_COMMITTER_DATE=$(git -C "$tree" log -1 --format=%cI) \
	git -C "$tree" format-patch -q "${vopt[@]}" --cover-letter --no-signature \
	--subject-prefix="$KVMTOOL_PREFIX" -o "$tmp" kvmtool-base..HEAD
cover_letter_fill "$(ls "$tmp"/*0000-cover-letter.patch)" "$cover"
rm -f "$dest"/*.patch
mkdir -p "$dest"
mv "$tmp"/*.patch "$dest/"
# the tree is what kvmtool/patches/ describes: 'make kvmtool' keeps it
tree_record "$tree" "$(kvmtool_state "$KVMTOOL_TAR")"
msg "wrote $n patch(es) and the cover letter to kvmtool/patches/"
stage_end
