#!/usr/bin/env bash
# A second kernel next to the test kernel, with the SEA emulator module
# built against it:
#   scripts/altkernel.sh base    the pinned base (no series), same config,
#                                in out/build-base; for 'make compare'
#   scripts/altkernel.sh debug   the series with scripts/debug.config on top
#                                (KASAN, lockdep, ...), in out/build-debug;
#                                for 'make check-debug'
# The module goes to out/kselftest/kvm/NAME/sea_emul.ko: tests load it when
# told SEA_EMUL_KO=/kselftest/kvm/NAME/sea_emul.ko.  Run after 'make emulator'.
. "$(dirname "$0")/lib.sh"
name=${1:-}
frags=("$REPO_ROOT/scripts/kernel.config")
case $name in
base) rev=base ;;
debug) rev=tip frags+=("$REPO_ROOT/scripts/debug.config") ;;
*) die "usage: $0 base|debug" ;;
esac
need_cmd "${CROSS}gcc" ccache make
[ -d "$OUT/kselftest/kvm" ] || die "no kselftests installed: run 'make selftests emulator' first"
stage_begin "altkernel: the $name kernel and its emulator module"
checkout_rev "$rev"
KBUILD=$OUT/build-$name
make_config "$KBUILD" allnoconfig "${frags[@]}"
msg "compiling (log: $LOGS/build-$name.log)"
run_logged "$LOGS/build-$name.log" kmake Image modules
build_emulator_module "$OUT/emulator-$name" "$LOGS/emulator-module-$name.log"
install -D -m 644 "$OUT/emulator-$name/sea_emul.ko" "$OUT/kselftest/kvm/$name/sea_emul.ko"
msg "$KBUILD/arch/arm64/boot/Image and kselftest/kvm/$name/sea_emul.ko"
stage_end
