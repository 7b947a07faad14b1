#!/usr/bin/env bash
# Apply gate: the series exactly as patches/ holds it, on the pinned base.
#  - GNU patch, patch after patch, on the base's copies of the files the
#    series touches: every hunk applies where its header says, no offset,
#    no fuzz (git am accepts both silently);
#  - git am of patches/ on a fresh checkout of the base (out/am-check, a
#    clone sharing the base's objects, reset before every use);
#  - 'make mbox' output: git am takes it (--empty=drop: the cover letter), and so does b4 am (Debian's b4),
#    whose am-ready mbox git am then applies; both give the same tree;
#  - the cover letter's base-commit: is the base's commit id.
# A series based on another (PREREQ_SERIES) is checked on top of that
# one's patches, applied first each time (as 'b4 am' users apply the
# prerequisite first); its cover letter must list their patch ids as
# prerequisite-patch-id:, in order.
. "$(dirname "$0")/lib.sh"
need_cmd git patch b4
mapfile -t patches < <(series_patches)
[ "${#patches[@]}" -gt 0 ] || die "$P_SHOW/ holds no patch"
mapfile -t prereq < <(prereq_patches)
[ -z "$PREREQ_SERIES" ] || [ "${#prereq[@]}" -gt 0 ] ||
	die "$P_SHOW is based on patches/$PREREQ_SERIES/, which holds no patch"
# fresh_tree: scratch_tree with the prerequisite applied
fresh_tree() {
	local t
	t=$(scratch_tree)
	[ -z "$PREREQ_SERIES" ] ||
		am_series "$t" "patches/$PREREQ_SERIES/ (the prerequisite)" "${prereq[@]}" >&2
	echo "$t"
}
base=$(base_commit)
stage_begin "am-check: ${#patches[@]} patch(es) on a fresh base"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-sea-am.XXXXXX")
at_exit 'rm -rf "$tmp"'
mapfile -t touched < <(sed -n 's#^+++ b/##p' "${prereq[@]}" "${patches[@]}" | sort -u)
# only the files that exist in the base; the series creates the others
mapfile -t existing < <(git -C "$BASE_REPO" ls-tree -r --name-only "$base" -- "${touched[@]}")
git -C "$BASE_REPO" archive "$base" -- "${existing[@]}" | tar -x -C "$tmp"
bad=0
# (the prerequisite's hunks are its own am-check's business: applied here
# only to give the files this series' patches are written against)
for p in "${prereq[@]}"; do
	patch -s -p1 -d "$tmp" --batch --forward --no-backup-if-mismatch <"$p" >/dev/null 2>&1 ||
		die "the prerequisite patches/$PREREQ_SERIES/ does not apply: $(basename "$p") ('make am-check SERIES=$PREREQ_SERIES')"
done
for p in "${patches[@]}"; do
	if ! out=$(patch -p1 -d "$tmp" --batch --forward --no-backup-if-mismatch <"$p" 2>&1); then
		printf '    does not apply: %s\n%s\n' "$(basename "$p")" "$(sed 's/^/      /' <<<"$out")" >&2
		bad=1
	elif grep -q 'offset\|fuzz' <<<"$out"; then
		printf '    applies with offset or fuzz: %s\n%s\n' "$(basename "$p")" \
			"$(grep 'offset\|fuzz' <<<"$out" | sed 's/^/      /')" >&2
		bad=1
	fi
done
[ "$bad" -eq 0 ] || die "$P_SHOW/ does not apply cleanly to the base: rebase the
  series in $K_SHOW (git rebase -i), then 'make export'"
msg "GNU patch: every hunk at its place, no offset, no fuzz"

tree=$(fresh_tree)
am_series "$tree" "$P_SHOW/" "${patches[@]}"
want=$(git -C "$tree" rev-parse 'HEAD^{tree}')
msg "git am $P_SHOW/: ${#patches[@]} commit(s) on $(git -C "$tree" log -1 --format=%h "$base")${PREREQ_SERIES:+ and the ${#prereq[@]} of $PREREQ_SERIES}"

mbox=$tmp/series.mbox
bash "$REPO_ROOT/scripts/mbox.sh" "$mbox" >/dev/null
tree=$(fresh_tree)
am_series "$tree" "make mbox's output" --empty=drop "$mbox"
[ "$(git -C "$tree" rev-parse 'HEAD^{tree}')" = "$want" ] ||
	die "git am of the mbox gives another tree than $P_SHOW/: scripts/mbox.sh is broken"
msg "git am mbox: the same tree"

cover_id=$(sed -n '1,/^$/s/^Message-Id: //p' "$mbox")
# b4 am stops, without a word, where git has no user.name/user.email (a new
# machine): give it the series' identity for this call only.
if ! out=$(cd "$tmp" && mkdir -p "$tmp/b4" &&
	GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$SERIES_NAME" \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$SERIES_EMAIL" \
	b4 --offline-mode am -C -m "$mbox" -o "$tmp/b4" -n series "$cover_id" 2>&1); then
	printf '%s\n' "$out" >&2
	die "b4 am rejects make mbox's output (above)"
fi
got=$(grep -c '^From ' "$tmp/b4/series.mbx" || true)
[ "$got" -eq "${#patches[@]}" ] || {
	printf '%s\n' "$out" >&2
	die "b4 am kept $got of ${#patches[@]} patch(es) from make mbox's output (above)"
}
tree=$(fresh_tree)
am_series "$tree" "b4 am's output" "$tmp/b4/series.mbx"
[ "$(git -C "$tree" rev-parse 'HEAD^{tree}')" = "$want" ] ||
	die "b4 am's mbox gives another tree than $P_SHOW/"
msg "b4 am mbox: $got patch(es), the same tree"

cover=$(find "$PATCHES" -maxdepth 1 -name '*-0000-cover-letter.patch')
[ -n "$cover" ] || die "$P_SHOW/ has no cover letter: run 'make export'"
said=$(sed -n 's/^base-commit: //p' "$cover")
[ "$said" = "$base" ] || die "the cover letter says base-commit: ${said:-(none)}
  but the pinned base is $base: run 'make export'"
msg "cover letter: base-commit: $base"
if [ -n "$PREREQ_SERIES" ]; then
	want_ids=$(for p in "${prereq[@]}"; do git patch-id --stable <"$p" | cut -d' ' -f1; done)
	said_ids=$(sed -n 's/^prerequisite-patch-id: //p' "$cover")
	[ "$said_ids" = "$want_ids" ] || die "the cover letter's prerequisite-patch-id: lines are not the patch ids
  of patches/$PREREQ_SERIES/ ($(wc -l <<<"$said_ids") line(s) for ${#prereq[@]} patch(es)): run 'make export'"
	msg "cover letter: prerequisite-patch-id: of the ${#prereq[@]} patch(es) of $PREREQ_SERIES, in order"
fi
stage_end
