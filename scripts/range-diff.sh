#!/usr/bin/env bash
# make range-diff OLD=<dir|git ref>: how the series changed between an
# earlier export and patches/ now, as 'git range-diff' shows it (for the
# cover letter's changelog).  OLD is a directory of format-patch files or a
# commit/tag of this repository (its patches/ is used).  Both are applied
# on a fresh base in out/am-check, branches range-diff-old and -new.  A
# series based on another is compared with that one below it.
. "$(dirname "$0")/lib.sh"
old=${1:-}
check_target_args range-diff "$old"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-sea-rd.XXXXXX")
at_exit 'rm -rf "$tmp"'
if [ -d "$old" ]; then
	olddir=$old
else
	git -C "$REPO_ROOT" archive "$old" patches | tar -x -C "$tmp"
	# before there were two series, patches/ held the 6.12 one alone
	olddir=$tmp/patches/$SERIES
	[ -d "$olddir" ] || olddir=$tmp/patches
fi
mapfile -t oldp < <(patch_files "$olddir")
mapfile -t newp < <(series_patches)
# A series based on another: both sides with the prerequisite below them,
# so that patches moved between the two series are matched too (from a
# commit of this repository, its patches/PREREQ_SERIES/ if it had one).
if [ -n "$PREREQ_SERIES" ]; then
	mapfile -t newp < <(prereq_patches; series_patches)
	[ -d "$old" ] || mapfile -t oldp < <(patch_files "$tmp/patches/$PREREQ_SERIES"; patch_files "$olddir")
fi
[ "${#oldp[@]}" -gt 0 ] || die "OLD=$old holds no patch files"
stage_begin "range-diff: $old (${#oldp[@]} patches) -> $P_SHOW/ (${#newp[@]})"
tree=$(scratch_tree)
am_series "$tree" "OLD=$old" "${oldp[@]}"
git -C "$tree" branch -q -f range-diff-old HEAD
tree=$(scratch_tree)
am_series "$tree" "$P_SHOW/" "${newp[@]}"
git -C "$tree" branch -q -f range-diff-new HEAD
base=$(base_commit)
git -C "$tree" --no-pager range-diff --no-color "$base..range-diff-old" "$base..range-diff-new"
stage_end
