#!/usr/bin/env bash
# Build the SEA emulator (emulator/: test-only, never part of the series):
# sea_emul.ko against the pipeline's kernel build, and sea_emul_test against
# the KVM selftest library, then add both to out/kselftest/kvm.  Run after
# 'make selftests', which rebuilds out/kselftest.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" make
[ -f "$KBUILD/Module.symvers" ] || die "no kernel build with modules: run 'make build' first"
[ -f "$OUT/kselftest/kselftest-list.txt" ] || die "no kselftests installed: run 'make selftests' first"
stage_begin "emulator: sea_emul.ko and sea_emul_test"

# Kbuild writes its objects next to the sources: build from a copy in out/.
mod=$OUT/emulator
rm -rf "$mod"
mkdir -p "$mod"
cp "$REPO_ROOT/emulator/sea_emul.c" "$REPO_ROOT/emulator/Kbuild" "$mod/"
run_logged "$LOGS/emulator-module.log" kmake W=1 M="$mod" modules
! grep -q 'warning:' "$LOGS/emulator-module.log" ||
	die "sea_emul.c builds with warnings: see $LOGS/emulator-module.log"

ksft=$KBUILD/kselftest/kvm
LDFLAGS=-static run_logged "$LOGS/emulator-test.log" \
	make -C "$KSRC/tools/testing/selftests/kvm" -f Makefile \
	-f "$REPO_ROOT/emulator/test.mk" ARCH=arm64 CROSS_COMPILE="$CROSS" \
	OUTPUT="$ksft" \
	KHDR_INCLUDES="-isystem $KBUILD/usr/include" \
	SEA_EMUL_DIR="$REPO_ROOT/emulator" "$ksft/sea_emul_test"

install -m 644 "$mod/sea_emul.ko" "$OUT/kselftest/kvm/sea_emul.ko"
install -m 755 "$ksft/sea_emul_test" "$OUT/kselftest/kvm/sea_emul_test"
grep -qx 'kvm:sea_emul_test' "$OUT/kselftest/kselftest-list.txt" ||
	echo "kvm:sea_emul_test" >>"$OUT/kselftest/kselftest-list.txt"
msg "sea_emul.ko and sea_emul_test installed in $OUT/kselftest/kvm"
stage_end
