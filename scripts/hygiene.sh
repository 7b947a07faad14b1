#!/usr/bin/env bash
# Diff-hygiene gate on patches/ as a whole:
#  - nothing in patches/ but the cover letter and the patches, named and
#    numbered as 'git format-patch -vN --cover-letter' names them, and each
#    subject's [PATCH vN N/M] matching its place;
#  - no added line with trailing whitespace, no file mode change, no new
#    file that is executable, binary, or a backup/merge leftover;
#  - no Change-Id: (Gerrit) trailer.
. "$(dirname "$0")/lib.sh"
dir=$PATCHES
[ -d "$dir" ] || die "no $P_SHOW/: run 'make export'"
mapfile -t patches < <(series_patches)
m=${#patches[@]}
stage_begin "hygiene: $P_SHOW/ (${m} patch(es) and the cover letter)"
problems=()
problem() { problems+=("$*"); }

# Names: what git format-patch -vN --cover-letter calls out/linux's commits
# (which 'make apply' made from patches/).
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
names=$(mktemp -d)
at_exit 'rm -rf "$names"'
git -C "$KSRC" format-patch -q -v"$SERIES_VERSION" --cover-letter -o "$names" "$(series_from)..HEAD"
while IFS= read -r name; do
	problem "$P_SHOW/$name: git format-patch would not write it (stray, or misnamed)"
done < <(comm -23 <(ls "$dir") <(ls "$names"))
while IFS= read -r name; do
	problem "$P_SHOW/$name is missing (git format-patch writes it from $K_SHOW)"
done < <(comm -13 <(ls "$dir") <(ls "$names"))
# numbered as git format-patch numbers them: as wide as the count (01/16)
num() { printf '%0*d' "${#m}" "$1"; }
n=0
for f in "${patches[@]}"; do
	n=$((n + 1))
	subj=$(sed -n '/^Subject: /{s/^Subject: //;p;q}' "$f")
	[[ $subj == "[PATCH $V $(num $n)/$m] "* ]] ||
		problem "$(basename "$f"): subject '$subj' should start with '[PATCH $V $(num $n)/$m]'"
done
grep -q "^Subject: \[PATCH $V $(num 0)/$m\] " "$dir/$V-0000-cover-letter.patch" 2>/dev/null ||
	problem "the cover letter's subject should start with '[PATCH $V $(num 0)/$m]'"

for f in "${patches[@]}"; do
	name=$(basename "$f")
	while IFS= read -r l; do
		problem "$name:${l%%:*}: trailing whitespace"
	done < <(grep -nE '^\+.*[[:space:]]$' "$f" | grep -v '^[0-9]*:+++ ')
	grep -qE '^(old|new) mode ' "$f" && problem "$name: changes a file mode"
	while IFS= read -r l; do
		problem "$name:${l%%:*}: new file is not mode 100644"
	done < <(grep -nE '^new file mode ' "$f" | grep -v ' 100644$')
	grep -q '^GIT binary patch' "$f" && problem "$name: contains a binary file"
	while IFS= read -r l; do
		problem "$name: stray file: $l"
	done < <(sed -n 's#^+++ b/##p' "$f" | grep -E '(\.orig|\.rej|~|\.swp|\.bak)$')
	grep -qi '^Change-Id:' "$f" && problem "$name: has a Change-Id: trailer"
done
if [ "${#problems[@]}" -gt 0 ]; then
	printf '    %s\n' "${problems[@]}" >&2
	die "${#problems[@]} hygiene problem(s): fix them in $K_SHOW (git rebase -i), then
  'make export' (never edit $P_SHOW/ by hand)"
fi
msg "names, numbering, whitespace, modes, trailers: clean"
stage_end
