#!/usr/bin/env bash
# Boot the test kernel in QEMU, once per KVM mode, run the test list, judge
# each run.
#   scripts/boot.sh [TEST,TEST...]   (default: the series' tests.list, less
#                                    what it leaves out in the mode)
# Environment:
#   MODES=a,b                        KVM modes (scripts/qemu.env), default
#                                    the first of the series' KVM_MODES
#   BOOT_APPEND="VAR=value ..."      added to the kernel command line; the
#                                    kernel hands VAR=value to init's, and
#                                    so the tests', environment (and
#                                    BOOT_APPEND_MODE of series.env in MODE)
#   BOOT_IMAGE, BOOT_INITRD          another kernel / initramfs (default:
#                                    out/build's Image, out/initramfs.cpio.gz)
#   BOOT_DIR                         where a run's files go (default
#                                    out/logs/boot-MODE)
#   BOOT_RUN                         the run this boot is part of (check, all,
#                                    ...): which tests may skip (tests.list)
# A run's files: console.log (the whole console), results.txt (a verdict per
# test, written only once the run is judged), kernel-reports.txt and
# kvmtool-guest.log.  A run fails on any failed or missing test, on a hang,
# on a console without KVM's line for the mode (it did not test that mode),
# and on any kernel report (BUG:, WARNING:, Oops, lockdep, KASAN, ...) even
# when every test passed.
. "$(dirname "$0")/lib.sh"
need_cmd timeout
[ -x "$QEMU" ] || die "QEMU $QEMU_VERSION is not unpacked in the cache ($QEMU): run 'make deps'"
image=${BOOT_IMAGE:-$KBUILD/arch/arm64/boot/Image}
initrd=${BOOT_INITRD:-$OUT/initramfs.cpio.gz}
[ -f "$image" ] || die "no kernel Image ($image): run 'make build' first"
[ -f "$initrd" ] || die "no initramfs ($initrd): run 'make initramfs' first"

# boot_mode MODE [TEST,TEST...]: one boot in MODE; its verdict
boot_mode() {
	local mode=$1 dir=${BOOT_DIR:-$LOGS/boot-$1} tests append log results
	local asked
	if [ -n "${2:-}" ]; then
		asked=$(tr , '\n' <<<"$2")
	else
		asked=$(series_tests)
	fi
	tests=$(drop_left_out "$mode" <<<"$asked")
	[ -n "$tests" ] || die "no test to run in $mode mode (${TESTS_LIST#"$REPO_ROOT"/})"
	append="$QEMU_APPEND${KVM_MODE_ARG[$mode]:+ ${KVM_MODE_ARG[$mode]}}"
	append="$append kvmsea.tests=$(paste -sd, <<<"$tests")"
	# the kernel's known gaps and ABI reach the emulator's tests (emul.h);
	# the mode's own additions (BOOT_APPEND_MODE in series.env) only where
	# BOOT_APPEND (a bench or stress size) does not set the same VAR
	local mode_append=BOOT_APPEND_${mode^^} kv
	append="$append${KERNEL_GAPS:+ SEA_EMUL_GAPS=$KERNEL_GAPS}${KERNEL_ABI:+ SEA_EMUL_ABI=$KERNEL_ABI}"
	append="$append${BOOT_APPEND:+ $BOOT_APPEND}"
	for kv in ${!mode_append:-}; do
		case " ${BOOT_APPEND:-} " in
		*" ${kv%%=*}="*) ;;
		*) append="$append $kv" ;;
		esac
	done
	stage_begin "boot ($mode): QEMU, $(wc -l <<<"$tests") test(s)"
	grep -vxF -f <(printf '%s\n' "$tests") <<<"$asked" |
		sed "s#.*#    left out in this mode: & (why: ${TESTS_LIST#"$REPO_ROOT"/})#" || true

	# nothing of an earlier run survives: no results.txt, no verdict
	rm -rf "$dir"
	mkdir -p "$dir"
	log=$dir/console.log results=$dir/results.txt
	msg "console log: $log (limit ${QEMU_TIMEOUT}s)"
	local rc=0
	timeout -k 10 "$QEMU_TIMEOUT" "$QEMU" "${QEMU_ARGS[@]}" -kernel "$image" \
		-initrd "$initrd" -append "$append" </dev/null 2>&1 |
		tr -d '\r' | tee "$log" |
		grep --line-buffered -E '^(not )?ok [0-9]+ selftests: ' |
		sed -u 's/^/    /' || rc=${PIPESTATUS[0]}

	local pass=0 fail=0 skip=0 name line
	while IFS= read -r t; do
		name=$(basename "$t")
		line=$(grep -E "^(not )?ok [0-9]+ selftests: kvm: $name( |$)" "$log" | tail -n 1 || true)
		case $line in
		"ok "*"# SKIP"*)
			if test_may_skip "$t" "${BOOT_RUN:-}"; then
				skip=$((skip + 1)); echo "SKIP $name"
			else
				# the reason the test gave: its first SKIP line
				fail=$((fail + 1))
				echo "FAIL $name (it skipped, and it must run here: $(awk -v h="# selftests: kvm: $name" '
					$0 == h { in_t = 1; next }
					in_t && /SKIP/ { sub(/^# /, ""); print; exit }
					in_t && /^(not )?ok [0-9]+ selftests: / { exit }' "$log"))"
			fi
			;;
		"ok "*) pass=$((pass + 1)); echo "PASS $name" ;;
		"not ok "*) fail=$((fail + 1)); echo "FAIL $name" ;;
		*) fail=$((fail + 1)); echo "FAIL $name (no result: the run stopped before it)" ;;
		esac
	done <<<"$tests" >"$results.tmp"

	local problems=() splat p
	if ! grep -q '^KVM-SEA-TESTS-END' "$log"; then
		if [ "$rc" -eq 124 ]; then
			problems+=("HANG: the guest did not finish within ${QEMU_TIMEOUT}s")
		else
			problems+=("the guest stopped before the tests finished (QEMU exit $rc)")
		fi
	fi
	if ! grep -E '^\[ *[0-9]+\.[0-9]+\] kvm \[[0-9]+\]: ' "$log" | sed -E 's/^[^]]*\] kvm \[[0-9]+\]: //' |
		grep -xE "${KVM_MODE_BANNER[$mode]}" >/dev/null; then
		problems+=("KVM did not come up in $mode mode: no \"kvm [N]: ${KVM_MODE_BANNER[$mode]}\" line")
	fi
	# Kernel lines carry a printk timestamp; test output does not.
	# (KASAN and lockdep reports start with BUG: or WARNING:; the debug
	# kernel's banners, "RCU lockdep checking is enabled", "kmemleak: ...
	# initialized", are not reports.)
	splat='BUG:|WARNING:|Oops|Call trace:|Kernel panic|Internal error:|Unable to handle kernel|UBSAN:|suspected memory leak|unreferenced object|possible (circular|recursive) locking|inconsistent lock state|self-detected stall|blocked for more than'
	if grep -E "^\[ *[0-9]+\.[0-9]+\] .*($splat)" "$log" >"$dir/kernel-reports.txt"; then
		problems+=("kernel reports in the console log ($(wc -l <"$dir/kernel-reports.txt") line(s)), first: $(head -n 1 "$dir/kernel-reports.txt")")
	fi
	for p in "${problems[@]}"; do
		fail=$((fail + 1))
		echo "FAIL console: $p" >>"$results.tmp"
	done
	mv "$results.tmp" "$results"

	# The guests' consoles of the kvmtool test (kvmtool/test/sea_kvmtool.sh
	# prefixes their lines), on their own.
	grep -o 'kvmtool-guest: .*' "$log" | cut -d' ' -f2- >"$dir/kvmtool-guest.log" ||
		rm -f "$dir/kvmtool-guest.log"
	sed 's/^/    /' "$results"
	# Cases a test skipped inside (TAP subtests), with the reason each gives.
	grep -E '^# ok [0-9]+ .*# SKIP' "$log" | sed 's/^# /    subtest: /' || true
	[ "${#problems[@]}" -eq 0 ] || printf '    see %s\n' "$log"
	stage_end
	echo "$mode: $pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}

rc=0
for m in ${boot_modes//,/ }; do
	boot_mode "$m" "${1:-}" || rc=1
done
exit "$rc"
