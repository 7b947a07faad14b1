#!/usr/bin/env bash
# make mbox: the cover letter and the patches of patches/, in order, as one
# mbox (out/SERIES/kvm-sea-vN.mbox, N from scripts/series/SERIES/series.env),
# threaded like git send-email threads them (every patch answers the cover
# letter), addressed from the series' MAINTAINERS snippet.  Message-Ids
# derive from the series' content, so the same series (and sender) always
# gives the same mbox.  The sender's git identity replaces the placeholder,
# as in 'make send'.  'make check' feeds it to git am and to b4 am (scripts/am-check.sh).
mails=1
. "$(dirname "$0")/lib.sh"
snippet=$SNIPPET
[ -f "$snippet" ] || die "no ${snippet#"$REPO_ROOT"/}: run 'make maintainers SERIES=$SERIES'"
cover=$PATCHES/$V-0000-cover-letter.patch
[ -f "$cover" ] || die "no cover letter in $P_SHOW/: run 'make export'"
mapfile -t patches < <(series_patches)
mbox=${1:-$OUT/kvm-sea-$V.mbox}
stage_begin "mbox: cover letter + ${#patches[@]} patch(es) -> $mbox"
to=$(recipients To | paste -sd, | sed 's/,/, /g')
cc=$(recipients Cc | paste -sd, | sed 's/,/, /g')
[ -n "$to" ] || die "${snippet#"$REPO_ROOT"/} names no To: recipient: run 'make maintainers SERIES=$SERIES'"
mbox_write "$mbox" "kvm-sea-$V" "$to" "$cc" "$cover" "${patches[@]}"
stage_end
