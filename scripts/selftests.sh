#!/usr/bin/env bash
# Build the KVM kselftests for arm64, statically linked, and install them with
# the kselftest runner into out/kselftest (the layout run_kselftest.sh uses).
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" make rsync
[ -f "$KBUILD/.config" ] || die "no kernel build: run 'make build' first"
stage_begin "selftests: KVM kselftests (static, arm64)"

run_logged "$LOGS/headers.log" kmake headers
# LDFLAGS from the environment: the selftest Makefile appends its own.
msg "compiling (log: $LOGS/selftests.log)"
rm -rf "$OUT/kselftest.tmp"
LDFLAGS=-static run_logged "$LOGS/selftests.log" \
	make -C "$KSRC/tools/testing/selftests" -j"$JOBS" ARCH=arm64 \
	CROSS_COMPILE="$CROSS" O="$KBUILD" TARGETS=kvm \
	KSFT_INSTALL_PATH="$OUT/kselftest.tmp" install
# The project's own ABI check joins the kvm collection, so the runner runs
# it, for a series whose test list names it (a bare base lacks the ABI).
if series_tests | grep -x sea_abi_check >/dev/null; then
	msg "building the ABI check against the installed UAPI headers"
	build_abi_check "$OUT/kselftest.tmp/kvm/sea_abi_check"
	echo "kvm:sea_abi_check" >>"$OUT/kselftest.tmp/kselftest-list.txt"
fi
rm -rf "$OUT/kselftest"
mv "$OUT/kselftest.tmp" "$OUT/kselftest"
msg "$(grep -c '^kvm:' "$OUT/kselftest/kselftest-list.txt") KVM tests installed in $OUT/kselftest"
stage_end
