#!/usr/bin/env bash
# Build the arm64 kernel Image (W=1) in out/build from allnoconfig plus
# scripts/kernel.config.  Compiler warnings are kept in out/logs/.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" ccache make flex bison bc
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
stage_begin "build: arm64 Image"

frag=$REPO_ROOT/scripts/kernel.config
mkdir -p "$KBUILD" "$LOGS"
run_logged "$LOGS/config.log" kmake allnoconfig
run_logged "$LOGS/config.log" "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$KBUILD" \
	"$KBUILD/.config" "$frag"
run_logged "$LOGS/config.log" kmake olddefconfig

# merge_config only warns when Kconfig drops a requested value: fail instead,
# the tests would otherwise run on a kernel without what they need.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r line; do
	grep -qxF "$line" "$KBUILD/.config" || printf '  %s\n' "$line"
done)
[ -z "$missing" ] || die "these options of scripts/kernel.config did not survive
olddefconfig (a dependency is missing; add it to the fragment):
$missing"

msg "compiling (log: $LOGS/build.log)"
run_logged "$LOGS/build.log" kmake W=1 Image modules
grep -E ': (warning|error): ' "$LOGS/build.log" >"$LOGS/build-warnings.txt" || true
msg "Image: $KBUILD/arch/arm64/boot/Image ($(du -h "$KBUILD/arch/arm64/boot/Image" | cut -f1)), $(wc -l <"$LOGS/build-warnings.txt") W=1 warning line(s)"
stage_end
