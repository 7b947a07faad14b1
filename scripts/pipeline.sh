#!/usr/bin/env bash
# The two commands: 'make' (pipeline.sh all) and 'make check' (pipeline.sh
# check); also 'make bench' and 'make stress' (the long runs of
# scripts/runs.env instead of the test list) and 'make compare' (the base
# kernel against the patched one) and 'make check-debug' (the tests on a
# KASAN/lockdep/kmemleak/UBSAN kernel).  Runs the stage scripts in order, keeps going past a failed gate
# so one run reports everything, and ends with a verdict per step, the total
# time, and the closing line "N passed, N failed, N skipped".
. "$(dirname "$0")/lib.sh"
mode=${1:-all}
case $mode in all|check|bench|stress|compare|check-debug) ;;
*) die "usage: $0 all|check|bench|stress|compare|check-debug" ;;
esac
. "$REPO_ROOT/scripts/runs.env"
take_lock
t0=$SECONDS
S=$REPO_ROOT/scripts
verdicts=()

# step NAME CMD...: run one stage, record its verdict and time.
step() {
	local name=$1 t=$SECONDS rc=0
	shift
	"$@" || rc=$?
	verdicts+=("$([ "$rc" -eq 0 ] && echo PASS || echo FAIL) $name ($((SECONDS - t))s)")
	return "$rc"
}
summary() {
	local v pass=0 fail=0 skip=0
	printf '\n==== %s summary ====\n' "$mode"
	for v in "${verdicts[@]}"; do printf '    %s\n' "$v"; done
	printf '    total: %ss\n' $((SECONDS - t0))
	# tests count one each; every other step counts as one
	if [ -f "$LOGS/results.txt" ] && [ "$booted" = 1 ]; then
		pass=$(grep -c '^PASS' "$LOGS/results.txt" || true)
		skip=$(grep -c '^SKIP' "$LOGS/results.txt" || true)
		fail=$(grep -c '^FAIL' "$LOGS/results.txt" || true)
	fi
	for v in "${verdicts[@]}"; do
		case $v in "PASS boot"*|"FAIL boot"*) continue ;; esac
		case $v in PASS*) pass=$((pass + 1)) ;; FAIL*) fail=$((fail + 1)) ;; esac
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ] || return 1
	# all green, tests run: 'make send SEND=1' may send this exact series
	if [ "$mode" = check ] && [ "$booted" = 1 ]; then
		check_stamp >"$OUT/check-passed"
	fi
}
booted=0
[ "$mode" = check ] && rm -f "$OUT/check-passed"
at_exit 'summary || exit 1'

# Each of these needs the one before; a failure ends the run.  The stages
# that build something are skipped while their inputs are unchanged
# (run_stage in lib.sh).
step deps bash "$S/deps.sh"
step base bash "$S/base.sh"
step apply bash "$S/apply.sh"
# The quality gates (make check): a failed gate does not stop the run.
# Those after the build compare the series with the base: they check out
# the base in out/linux and always return to the tip.
if [ "$mode" = check ]; then
	for gate in checkpatch hygiene maintainers am-check mirror; do
		step "$gate" bash "$S/$gate.sh" || true
	done
fi
step build run_stage build
if [ "$mode" = check ]; then
	for gate in bisect defconfig static docs uapi; do
		step "$gate" bash "$S/$gate.sh" || true
	done
fi
step selftests run_stage selftests
step emulator run_stage emulator
case $mode in
compare) step altkernel bash "$S/altkernel.sh" base ;;
check-debug) step altkernel bash "$S/altkernel.sh" debug ;;
esac
# altkernel adds the other kernel's emulator module to out/kselftest: the
# initramfs must be packed again to carry it.
case $mode in compare|check-debug) rm -f "$STAMPS/initramfs" ;; esac
step initramfs run_stage initramfs
# make check: the stage graph reruns what an input feeds, and only that
[ "$mode" = check ] && { step graph bash "$S/graph-test.sh" || true; }
booted=1
case $mode in
all|check) step boot bash "$S/boot.sh" || true ;;
bench)
	BOOT_APPEND=$BENCH_APPEND step boot bash "$S/boot.sh" "$BENCH_TESTS" || true
	# the figures, as the bench printed them
	grep -E '^# # (mmio|sea |exit|ratio)' "$LOGS/console.log" | sed 's/^# # /    /' |
		tee "$LOGS/bench.txt"
	;;
stress) BOOT_APPEND=$STRESS_APPEND step boot bash "$S/boot.sh" "$STRESS_TESTS" || true ;;
compare) booted=0; step compare bash "$S/compare-base.sh" || true ;;
check-debug)
	BOOT_IMAGE=$OUT/build-debug/arch/arm64/boot/Image BOOT_APPEND=$DEBUG_APPEND \
		step boot bash "$S/boot.sh" "$DEBUG_TESTS" || true
	;;
esac
