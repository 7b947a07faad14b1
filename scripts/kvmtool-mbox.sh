#!/usr/bin/env bash
# make kvmtool-mbox: kvmtool/patches/ (cover letter first) as one threaded
# mbox for kvmtool's list, out/kvmtool-sea-vN.mbox, addressed as
# kvmtool/kvmtool.env says, signed by the sender's git identity (as 'make
# send' does it).  Same patches and sender, same mbox.
. "$(dirname "$0")/lib.sh"
mapfile -t mails < <(ls "$REPO_ROOT"/kvmtool/patches/*.patch 2>/dev/null)
[ "${#mails[@]}" -gt 1 ] || die "no kvmtool patches in kvmtool/patches/: run 'make kvmtool-export'"
mbox=${1:-$OUT_ROOT/kvmtool-sea-v$KVMTOOL_VERSION.mbox}
stage_begin "kvmtool-mbox: ${#mails[@]} mail(s) -> $mbox"
mbox_write "$mbox" "kvmtool-sea-v$KVMTOOL_VERSION" "$KVMTOOL_TO" "$KVMTOOL_CC" "${mails[@]}"
stage_end
