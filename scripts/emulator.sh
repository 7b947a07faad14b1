#!/usr/bin/env bash
# Build the SEA emulator (emulator/: test-only, never part of the series):
# sea_emul.ko against the pipeline's kernel build, and its test programs
# (emulator/sea_*.c) against the KVM selftest library, then add both to out/kselftest/kvm.  Run after
# 'make selftests', which rebuilds out/kselftest.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" make
[ -f "$KBUILD/Module.symvers" ] || die "no kernel build with modules: run 'make build' first"
[ -f "$OUT/kselftest/kselftest-list.txt" ] || die "no kselftests installed: run 'make selftests' first"
stage_begin "emulator: sea_emul.ko and its test programs"

mod=$OUT/emulator
build_emulator_module "$mod" "$LOGS/emulator-module.log"

# The programs use the UAPI headers in out/build/usr/include: make them
# current (another step may have installed a different revision's).
run_logged "$LOGS/headers.log" kmake headers
# The test programs: every emulator/sea_*.c but the module itself.
progs=()
for f in "$REPO_ROOT"/emulator/sea_*.c; do
	f=$(basename "$f" .c)
	[ "$f" = sea_emul ] || progs+=("$f")
done
ksft=$KBUILD/kselftest/kvm
LDFLAGS=-static run_logged "$LOGS/emulator-test.log" \
	make -C "$KSRC/tools/testing/selftests/kvm" -f Makefile \
	-f "$REPO_ROOT/emulator/test.mk" ARCH=arm64 CROSS_COMPILE="$CROSS" \
	OUTPUT="$ksft" \
	KHDR_INCLUDES="-isystem $KBUILD/usr/include" \
	SEA_EMUL_DIR="$REPO_ROOT/emulator" "${progs[@]/#/$ksft/}"
! grep -q 'warning:' "$LOGS/emulator-test.log" ||
	die "an emulator test program builds with warnings: see $LOGS/emulator-test.log"

install -m 644 "$mod/sea_emul.ko" "$OUT/kselftest/kvm/sea_emul.ko"
for p in "${progs[@]}"; do
	install -m 755 "$ksft/$p" "$OUT/kselftest/kvm/$p"
	grep -qx "kvm:$p" "$OUT/kselftest/kselftest-list.txt" ||
		echo "kvm:$p" >>"$OUT/kselftest/kselftest-list.txt"
done
msg "sea_emul.ko and ${progs[*]} installed in $OUT/kselftest/kvm"
stage_end
