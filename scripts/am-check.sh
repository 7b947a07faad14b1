#!/usr/bin/env bash
# Apply gate: the series exactly as patches/ holds it, on the pinned base.
#  - GNU patch, patch after patch, on the base's copies of the files the
#    series touches: every hunk applies where its header says, no offset,
#    no fuzz (git am accepts both silently);
#  - git am of patches/ on a fresh checkout of the base (out/am-check, a
#    clone sharing the base's objects, reset before every run);
#  - the cover letter's base-commit: is the base's commit id.
. "$(dirname "$0")/lib.sh"
. "$REPO_ROOT/scripts/identity.env"
need_cmd git patch
mapfile -t patches < <(series_patches)
[ "${#patches[@]}" -gt 0 ] || die "patches/ holds no patch"
base=$(base_commit)
stage_begin "am-check: ${#patches[@]} patch(es) on a fresh base"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvm-sea-am.XXXXXX")
at_exit 'rm -rf "$tmp"'
mapfile -t touched < <(sed -n 's#^+++ b/##p' "${patches[@]}" | sort -u)
# only the files that exist in the base; the series creates the others
mapfile -t existing < <(git -C "$BASE_REPO" ls-tree -r --name-only "$base" -- "${touched[@]}")
git -C "$BASE_REPO" archive "$base" -- "${existing[@]}" | tar -x -C "$tmp"
bad=0
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
[ "$bad" -eq 0 ] || die "patches/ does not apply cleanly to the base: rebase the
  series in out/linux (git rebase -i), then 'make export'"
msg "GNU patch: every hunk at its place, no offset, no fuzz"

tree=$OUT/am-check
if [ ! -d "$tree/.git" ]; then
	msg "cloning the base into $tree (once)"
	rm -rf "$tree"
	git clone -q --shared --no-checkout "$BASE_REPO" "$tree"
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q -f --detach "$base"
git -C "$tree" clean -q -fdx
if ! out=$(GIT_COMMITTER_NAME=$SERIES_NAME GIT_COMMITTER_EMAIL=$SERIES_EMAIL \
		git -C "$tree" am "${patches[@]}" 2>&1); then
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	printf '%s\n' "$out" >&2
	die "git am of patches/ fails on a fresh base (above)"
fi
msg "git am: $(git -C "$tree" rev-list --count "$base..HEAD") commit(s) on $(git -C "$tree" log -1 --format=%h "$base")"

cover=$(find "$REPO_ROOT/patches" -maxdepth 1 -name '*-0000-cover-letter.patch')
[ -n "$cover" ] || die "patches/ has no cover letter: run 'make export'"
said=$(sed -n 's/^base-commit: //p' "$cover")
[ "$said" = "$base" ] || die "the cover letter says base-commit: ${said:-(none)}
  but the pinned base is $base: run 'make export'"
msg "cover letter: base-commit: $base"
stage_end
