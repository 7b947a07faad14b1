#!/usr/bin/env bash
# Boot the test kernel in QEMU, run the test list, judge the run.
#   scripts/boot.sh [TEST,TEST...]   (default: the series' tests.list)
# Environment, for the bench and stress runs:
#   BOOT_APPEND="VAR=value ..."      added to the kernel command line; the
#                                    kernel hands VAR=value to init's, and
#                                    so the tests', environment
#   BOOT_IMAGE, BOOT_INITRD          another kernel / initramfs (default:
#                                    out/build's Image, out/initramfs.cpio.gz)
#   BOOT_LOG                         console log (default out/logs/console.log)
# The whole console goes to out/logs/console.log.  The run fails on any
# failed or missing test, on a hang, and on any kernel report (BUG:,
# WARNING:, Oops, lockdep, KASAN, ...) even when every test passed.
. "$(dirname "$0")/lib.sh"
. "$REPO_ROOT/scripts/qemu.env"
need_cmd "$QEMU" timeout
image=${BOOT_IMAGE:-$KBUILD/arch/arm64/boot/Image}
initrd=${BOOT_INITRD:-$OUT/initramfs.cpio.gz}
[ -f "$image" ] || die "no kernel Image ($image): run 'make build' first"
[ -f "$initrd" ] || die "no initramfs ($initrd): run 'make initramfs' first"

if [ -n "${1:-}" ]; then
	tests=$(tr , '\n' <<<"$1")
	append="$QEMU_APPEND kvmsea.tests=$1"
else
	tests=$(grep -v -e '^#' -e '^$' "$TESTS_LIST")
	append=$QEMU_APPEND
fi
# the kernel's known gaps reach the emulator's tests (emulator/emul.h)
append="$append${KERNEL_GAPS:+ SEA_EMUL_GAPS=$KERNEL_GAPS}${BOOT_APPEND:+ $BOOT_APPEND}"
ntests=$(wc -l <<<"$tests")
stage_begin "boot: QEMU, $ntests test(s)"

log=${BOOT_LOG:-$LOGS/console.log}
mkdir -p "$LOGS"
msg "console log: $log (limit ${QEMU_TIMEOUT}s)"
rc=0
timeout -k 10 "$QEMU_TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" -kernel "$image" \
	-initrd "$initrd" -append "$append" </dev/null 2>&1 |
	tr -d '\r' | tee "$log" |
	grep --line-buffered -E '^(not )?ok [0-9]+ selftests: ' |
	sed -u 's/^/    /' || rc=${PIPESTATUS[0]}

pass=0 fail=0 skip=0 results=$LOGS/results.txt
: >"$results"
while IFS= read -r t; do
	name=$(basename "$t")
	line=$(grep -E "^(not )?ok [0-9]+ selftests: kvm: $name( |$)" "$log" | tail -n 1 || true)
	case $line in
	"ok "*"# SKIP"*) skip=$((skip + 1)); echo "SKIP $name" ;;
	"ok "*) pass=$((pass + 1)); echo "PASS $name" ;;
	"not ok "*) fail=$((fail + 1)); echo "FAIL $name" ;;
	*) fail=$((fail + 1)); echo "FAIL $name (no result: the run stopped before it)" ;;
	esac >>"$results"
done <<<"$tests"

problems=()
if ! grep -q '^KVM-SEA-TESTS-END' "$log"; then
	if [ "$rc" -eq 124 ]; then
		problems+=("HANG: the guest did not finish within ${QEMU_TIMEOUT}s")
	else
		problems+=("the guest stopped before the tests finished (QEMU exit $rc)")
	fi
fi
# Kernel lines carry a printk timestamp; test output does not.
# (KASAN and lockdep reports start with BUG: or WARNING:; the debug
# kernel's banners, "RCU lockdep checking is enabled", "kmemleak: ...
# initialized", are not reports.)
splat='BUG:|WARNING:|Oops|Call trace:|Kernel panic|Internal error:|Unable to handle kernel|UBSAN:|suspected memory leak|unreferenced object|possible (circular|recursive) locking|inconsistent lock state|self-detected stall|blocked for more than'
if grep -E "^\[ *[0-9]+\.[0-9]+\] .*($splat)" "$log" >"$LOGS/kernel-reports.txt"; then
	problems+=("kernel reports in the console log ($(wc -l <"$LOGS/kernel-reports.txt") line(s)), first: $(head -n 1 "$LOGS/kernel-reports.txt")")
fi
for p in "${problems[@]}"; do
	fail=$((fail + 1))
	echo "FAIL console: $p" >>"$results"
done

# The guests' consoles of the kvmtool test (kvmtool/test/sea_kvmtool.sh
# prefixes their lines), on their own.
grep -o 'kvmtool-guest: .*' "$log" | cut -d' ' -f2- >"$LOGS/kvmtool-guest.log" ||
	rm -f "$LOGS/kvmtool-guest.log"
sed 's/^/    /' "$results"
# Cases a test skipped inside (TAP subtests), with the reason each gives.
grep -E '^# ok [0-9]+ .*# SKIP' "$log" | sed 's/^# /    subtest: /' || true
[ "${#problems[@]}" -eq 0 ] || printf '    see %s\n' "$log"
stage_end
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
