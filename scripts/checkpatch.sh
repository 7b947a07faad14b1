#!/usr/bin/env bash
# Style gate, on every patch of the series:
#  - scripts/checkpatch.pl --strict: any error, warning or check fails;
#  - the subject carries the prefix its files call for (subject_prefix);
#  - a Signed-off-by: names the patch's author exactly.
#
# One checkpatch test is replaced by an exact one: FILE_PATH_CHANGES warns
# on every new file ("does MAINTAINERS need updating?") whether or not an
# entry covers it.  Instead, the maintainers gate (scripts/maintainers.sh)
# fails when a file the series adds has no entry but THE REST.
# UNKNOWN_COMMIT_ID is ignored too: the base is a tarball imported without
# history, so checkpatch can look up no commit a Fixes: line names (the
# line's form is still checked); the cover letter says where the ids come
# from.
. "$(dirname "$0")/lib.sh"
[ -x "$KSRC/scripts/checkpatch.pl" ] || die "no kernel work tree: run 'make apply' first"
# scripts/spdxcheck.py runs on "python3" from PATH and needs Debian's
# python3-ply and python3-git, which only Debian's interpreter sees.
export PATH=/usr/bin:$PATH
mapfile -t patches < <(series_patches)

# subject_prefix FILE...: the subject prefix of a patch touching FILEs, the
# way the KVM/arm64 tree names its commits: arm64 code -> "KVM: arm64: ",
# only KVM selftests or only KVM docs -> the series' own prefixes
# (scripts/series/NAME/series.env).
subject_prefix() {
	if printf '%s\n' "$@" | grep '^arch/arm64/' >/dev/null; then
		echo "KVM: arm64: "
	elif ! printf '%s\n' "$@" | grep -v '^tools/testing/selftests/kvm/' >/dev/null; then
		echo "$SUBJECT_PREFIX_SELFTESTS"
	elif ! printf '%s\n' "$@" | grep -v '^Documentation/virt/kvm/' >/dev/null; then
		echo "$SUBJECT_PREFIX_DOCS"
	else
		echo "(no rule: add one to subject_prefix in $0) "
	fi
}
stage_begin "checkpatch: --strict on ${#patches[@]} patch(es)"
bad=0
for p in "${patches[@]}"; do
	if out=$(cd "$KSRC" && ./scripts/checkpatch.pl --strict --quiet --no-summary \
			--ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$p" 2>&1) && [ -z "$out" ]; then
		msg "clean: $(basename "$p")"
	else
		bad=$((bad + 1))
		printf '    NOT CLEAN: %s\n%s\n' "$(basename "$p")" "$(sed 's/^/      /' <<<"$out")"
	fi
	meta=$(git mailinfo /dev/null /dev/null <"$p")
	author="$(sed -n 's/^Author: //p' <<<"$meta") <$(sed -n 's/^Email: //p' <<<"$meta")>"
	subject=$(sed -n 's/^Subject: //p' <<<"$meta")
	mapfile -t files < <(sed -n 's#^+++ b/##p; s#^--- a/##p' "$p" | sort -u)
	want=$(subject_prefix "${files[@]}")
	if [[ $subject != "$want"* ]]; then
		bad=$((bad + 1))
		printf '    WRONG PREFIX: %s: its files call for "%s"\n' "$(basename "$p")" "$want"
	fi
	if ! grep -qxF "Signed-off-by: $author" "$p"; then
		bad=$((bad + 1))
		printf '    NO SIGN-OFF BY THE AUTHOR: %s: add "Signed-off-by: %s"\n' "$(basename "$p")" "$author"
	fi
done
[ "$bad" -eq 0 ] || die "$bad problem(s): fix them in $K_SHOW (git rebase -i), then 'make export'"
stage_end
