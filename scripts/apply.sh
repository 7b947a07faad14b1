#!/usr/bin/env bash
# Apply patches/ with 'git am'.
#   scripts/apply.sh            onto out/linux, a clone of the pinned base
#   scripts/apply.sh KDIR       onto the user's own kernel tree (must be clean)
# A series based on another one (PREREQ_SERIES) gets that one's patches
# first; in out/linux a branch of its name marks where they end.
# A failed 'git am' is aborted, so the tree is back where it started, and the
# error names the patch and the file that did not apply.
. "$(dirname "$0")/lib.sh"
need_cmd git

kdir=${1:-}
mapfile -t patches < <(series_patches)
mapfile -t prereq < <(prereq_patches)
[ -z "$PREREQ_SERIES" ] || [ "${#prereq[@]}" -gt 0 ] ||
	die "$P_SHOW is based on patches/$PREREQ_SERIES/, which holds no patch"

# am_all DIR: git am every patch of patches/ in DIR, those of the series it
# is based on first (prereq_tip: the last of those)
prereq_tip=
am_all() {
	if [ -n "$PREREQ_SERIES" ]; then
		am_series "$1" "patches/$PREREQ_SERIES/ (the series $SERIES is based on)" "${prereq[@]}"
		prereq_tip=$(git -C "$1" rev-parse HEAD)
		msg "applied ${#prereq[@]} patch(es) of $PREREQ_SERIES, the prerequisite"
	fi
	[ "${#patches[@]}" -gt 0 ] || { msg "$P_SHOW/ is empty: nothing to apply"; return 0; }
	am_series "$1" "the series" "${patches[@]}"
	msg "applied ${#patches[@]} patch(es)"
}

if [ -n "$kdir" ]; then
	stage_begin "apply: onto $kdir"
	git -C "$kdir" rev-parse --git-dir >/dev/null 2>&1 ||
		die "KDIR=$kdir is not a git tree"
	op=$(tree_in_progress "$kdir")
	[ -z "$op" ] || die "$kdir is in the middle of $op: finish or abort it first"
	[ -z "$(git -C "$kdir" status --porcelain --untracked-files=no)" ] ||
		die "$kdir has uncommitted changes: commit or stash them first"
	am_all "$kdir"
	msg "now at: $(git -C "$kdir" log -1 --format='%h %s')"
	stage_end
	exit 0
fi

stage_begin "apply: ${#patches[@]} patch(es) onto $K_SHOW"
state=$KSRC/.git/kvm-sea-applied
want=$(series_state)

if [ ! -d "$KSRC/.git" ]; then
	msg "cloning the base into $KSRC"
	rm -rf "$KSRC.tmp"
	git clone -q --no-checkout "$BASE_REPO" "$KSRC.tmp"
	git -C "$KSRC.tmp" config user.name "$SERIES_NAME"
	git -C "$KSRC.tmp" config user.email "$SERIES_EMAIL"
	git -C "$KSRC.tmp" checkout -q -b sea base
	mv "$KSRC.tmp" "$KSRC"
fi
cd "$KSRC"

# An interrupted earlier run may have left an 'am' behind: ours to drop.
[ -d .git/rebase-apply ] && git am --abort >/dev/null 2>&1

# patches/ unchanged since out/linux was made from them: nothing to apply.
# Work done in out/linux since (commits, edits) is the input from now on,
# until 'make export' writes it to patches/ or FORCE=1 drops it.
if [ "${FORCE:-0}" != 1 ] && series_is_applied; then
	if ksrc_has_own_work; then
		msg "$K_SHOW holds work that $P_SHOW/ lacks (HEAD $(git log -1 --format='%h %s')):"
		msg "building from it as it is; 'make export' writes it to $P_SHOW/"
	else
		msg "series already applied (HEAD $(git log -1 --format='%h %s'))"
	fi
	stage_end
	exit 0
fi

# patches/ changed: re-applying must not throw away work that exists only
# in out/linux.
if [ "${FORCE:-0}" != 1 ] && [ -f "$state" ] && ksrc_has_own_work; then
	die "$P_SHOW/ changed since $K_SHOW was made from them, and $K_SHOW holds
  work of its own (HEAD $(git log -1 --format='%h %s')).  Nothing was changed.
  To keep $K_SHOW's series: 'make export' (it rewrites $P_SHOW/ from $K_SHOW).
  To take $P_SHOW/ instead: 'make apply FORCE=1' (drops $K_SHOW's own work)."
fi
guard_ksrc

rm -f "$state"
# The series is applied on a fresh base in the scratch clone and fetched:
# checking its tip out here rewrites only the files that differ from what
# is checked out, so unchanged files keep their timestamps and the build
# redoes only what the new series changed (a selftest-only change rebuilds
# no kernel object).
tree=$(scratch_tree)
am_all "$tree"
git fetch -q "$tree" HEAD
git update-index --no-skip-worktree .gitignore
git checkout -q -f -B sea FETCH_HEAD
[ -z "$prereq_tip" ] || git branch -q -f "$PREREQ_SERIES" "$prereq_tip"
git clean -q -fdx -e /.git
# Debian's .gitignore ends by ignoring every top-level path, which would hide
# the files the series creates from 'git status'.  Drop that stanza in the
# work tree only; skip-worktree keeps it out of every commit.
sed -i '/^# Debian packaging: ignore everything/,$d' .gitignore
sed -i '${/^#$/d}' .gitignore
git update-index --skip-worktree .gitignore
tree_record "$KSRC" "$want"
msg "$K_SHOW at: $(git log -1 --format='%h %s')"
stage_end
