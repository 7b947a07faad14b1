#!/usr/bin/env bash
# Build the arm64 kernel Image (W=1) in out/build from allnoconfig plus
# scripts/kernel.config.  Compiler warnings are kept in out/logs/.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" ccache make flex bison bc
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
stage_begin "build: arm64 Image"

make_config "$KBUILD" allnoconfig "$REPO_ROOT/scripts/kernel.config"

msg "compiling (log: $LOGS/build.log)"
run_logged "$LOGS/build.log" kmake W=1 Image modules
grep -E ': (warning|error): ' "$LOGS/build.log" >"$LOGS/build-warnings.txt" || true
msg "Image: $KBUILD/arch/arm64/boot/Image ($(du -h "$KBUILD/arch/arm64/boot/Image" | cut -f1)), $(wc -l <"$LOGS/build-warnings.txt") W=1 warning line(s)"
stage_end
