#!/usr/bin/env bash
# make mbox: the cover letter and the patches of patches/, in order, as one
# mbox (out/SERIES/kvm-sea-vN.mbox, N from scripts/series/SERIES/series.env), threaded like git send-email threads them
# (every patch answers the cover letter), addressed from
# MAINTAINERS.snippet.  Message-Ids derive from the series' content, so the
# same series always gives the same mbox.  'make check' feeds it to git am
# and to b4 am (scripts/am-check.sh).
. "$(dirname "$0")/lib.sh"
snippet=$REPO_ROOT/MAINTAINERS.snippet
[ -f "$snippet" ] || die "no MAINTAINERS.snippet: run 'make maintainers'"
cover=$PATCHES/$V-0000-cover-letter.patch
[ -f "$cover" ] || die "no cover letter in $P_SHOW/: run 'make export'"
mapfile -t patches < <(series_patches)
mbox=${1:-$OUT/kvm-sea-$V.mbox}
stage_begin "mbox: cover letter + ${#patches[@]} patch(es) -> $mbox"
id=$(cat "$cover" "${patches[@]}" | sha256sum | cut -c1-16)
to=$(recipients To | paste -sd, | sed 's/,/, /g')
cc=$(recipients Cc | paste -sd, | sed 's/,/, /g')
[ -n "$to" ] || die "MAINTAINERS.snippet names no To: recipient: run 'make maintainers'"
msgid() { printf '<kvm-sea-%s-%s-%d@example.invalid>' "$V" "$id" "$1"; }

mkdir -p "$(dirname "$mbox")"
: >"$mbox.tmp"
n=0
for f in "$cover" "${patches[@]}"; do
	# Headers are unfolded (b4 0.12 fails on a folded Subject:, RFC 5322
	# allows lines up to 998 characters), and the extra ones go where the
	# header block ends, at its first empty line.
	awk -v mid="$(msgid "$n")" -v parent="$([ "$n" -gt 0 ] && msgid 0)" \
		-v to="$to" -v cc="$cc" '
		done { print; next }
		/^[ \t]/ { sub(/^[ \t]+/, " "); held = held $0; next }
		/^$/ {
			print held
			print "To: " to
			if (cc != "") print "Cc: " cc
			print "Message-Id: " mid
			if (parent != "") { print "In-Reply-To: " parent; print "References: " parent }
			print; done = 1; next
		}
		{ if (held != "") print held; held = $0 }' "$f" >>"$mbox.tmp"
	echo >>"$mbox.tmp"
	n=$((n + 1))
done
mv "$mbox.tmp" "$mbox"
msg "$n mails, thread $(msgid 0)"
stage_end
