#!/usr/bin/env bash
# The base kernel, for 'make compare': the pinned base, same configuration
# as the test kernel, built in out/build-base (out/linux checks the base out
# and returns to the tip), and the SEA emulator module built against it,
# installed as out/kselftest/kvm/base/sea_emul.ko (tests load it when told
# SEA_EMUL_KO=/kselftest/kvm/base/sea_emul.ko).  Run after 'make emulator'.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" ccache make
[ -d "$OUT/kselftest/kvm" ] || die "no kselftests installed: run 'make selftests emulator' first"
stage_begin "basekernel: the base's Image and emulator module"
checkout_rev base
KBUILD=$OUT/build-base
make_config "$KBUILD" allnoconfig "$REPO_ROOT/scripts/kernel.config"
msg "compiling (log: $LOGS/build-base.log)"
run_logged "$LOGS/build-base.log" kmake Image modules
build_emulator_module "$OUT/emulator-base" "$LOGS/emulator-module-base.log"
install -D -m 644 "$OUT/emulator-base/sea_emul.ko" "$OUT/kselftest/kvm/base/sea_emul.ko"
msg "$KBUILD/arch/arm64/boot/Image and kselftest/kvm/base/sea_emul.ko"
stage_end
