#!/usr/bin/env bash
# make range-diff OLD=<dir|git ref>: how the series changed between an
# earlier export and patches/ now, as 'git range-diff' shows it (for the
# cover letter's changelog).  OLD is a directory of format-patch files or a
# commit/tag of this repository (its patches/ is used).  Both are applied
# on a fresh base in out/am-check, branches range-diff-old and -new.
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
mapfile -t oldp < <(find "$olddir" -maxdepth 1 -name '*.patch' ! -name '*-0000-cover-letter.patch' | sort)
mapfile -t newp < <(series_patches)
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
