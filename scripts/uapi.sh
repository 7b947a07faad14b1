#!/usr/bin/env bash
# UAPI gate, on the series' tree in out/build:
#  - make headers_install (to out/build/usr/include);
#  - the kernel's UAPI header compile test (what CONFIG_UAPI_HEADER_TEST
#    runs: every exported header compiles on its own, twice, and passes
#    headers_check.pl), enabled for this run only;
#  - scripts/abi-check.c, the numbers, sizes and offsets of DESIGN.md
#    section 3 and their equality with upstream, as static asserts, built
#    against the installed headers; for a series that adds no UAPI
#    (KERNEL_ABI empty), that it changes no UAPI header instead.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc"
[ -f "$KBUILD/.config" ] || die "no kernel config: run 'make build' first"
stage_begin "uapi: headers_install, header compile test, ABI asserts"
run_logged "$LOGS/uapi.log" kmake headers_install ||
	die "make headers_install failed: see $LOGS/uapi.log"
run_logged "$LOGS/uapi-hdrtest.log" kmake usr/ CONFIG_UAPI_HEADER_TEST=y ||
	die "a UAPI header does not compile on its own: see $LOGS/uapi-hdrtest.log"
for h in linux/kvm asm/kvm; do
	[ -f "$KBUILD/usr/include/$h.hdrtest" ] || die "the header test skipped $h.h"
done
msg "$(find "$KBUILD/usr/include" -name '*.hdrtest' | wc -l) header(s) compile on their own, linux/kvm.h and asm/kvm.h among them"
if [ "$KERNEL_ABI" = series ]; then
	build_abi_check "$OUT/sea_abi_check"
	msg "scripts/abi-check.c builds against them: DESIGN.md section 3 holds"
else
	# a series without the series' ABI (the mainline fixes) adds no UAPI
	changed=$(git -C "$KSRC" diff --name-only "$(base_commit)" HEAD -- include/uapi arch/arm64/include/uapi)
	[ -z "$changed" ] || die "$SERIES changes UAPI headers, which it must not (KERNEL_ABI is empty):
$(sed 's/^/  /' <<<"$changed")"
	msg "no UAPI header changed (the series adds no UAPI: KERNEL_ABI is empty)"
fi
stage_end
