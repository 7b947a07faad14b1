#!/usr/bin/env bash
# The two commands: 'make' (pipeline.sh all) and 'make check' (pipeline.sh
# check); also 'make bench' and 'make stress' (the long runs of
# scripts/runs.env instead of the test list) and 'make compare' (the base
# kernel against the patched one) and 'make check-debug' (the tests on a
# KASAN/lockdep/kmemleak/UBSAN kernel).  Runs the stage scripts in order, keeps going past a failed gate
# so one run reports everything, and ends with a verdict per step, the total
# time, and the closing line "N passed, N failed, N skipped".
picked=${SERIES:-}
. "$(dirname "$0")/lib.sh"
mode=${1:-all}
case $mode in all|check|bench|stress|compare|check-debug) ;;
*) die "usage: $0 all|check|bench|stress|compare|check-debug" ;;
esac
. "$REPO_ROOT/scripts/runs.env"
check_kvmtool_src
# make check runs the kvmtool test, which needs kvmtool's source: say so now,
# not after an hour of building (make alone lets the test skip)
if [ "$mode" = check ] && [ -z "${KVMTOOL_SRC:-}" ] && ! kvmtool_src_cached; then
	die "make check runs the kvmtool test: it needs kvmtool at commit ${KVMTOOL_COMMIT:0:12}
  (kvmtool/kvmtool.env), and none is cached yet. Set KVMTOOL_SRC to its tarball
  (CI: ../shared/vendor/kvmtool-${KVMTOOL_COMMIT:0:7}.tar.gz) or to a kvmtool git checkout:
    git clone https://git.kernel.org/pub/scm/linux/kernel/git/will/kvmtool.git
    make check KVMTOOL_SRC=\$PWD/kvmtool"
fi
take_lock
t0=$SECONDS

# 'make' and 'make check' without SERIES=: every series in turn (each a run
# of its own, so one series' failure does not hide the next one's result),
# then the totals.  The longer runs (bench, stress, compare, check-debug)
# take the first series unless SERIES= names another.
if [ -z "$picked" ] && { [ "$mode" = all ] || [ "$mode" = check ]; }; then
	rc=0 totals=()
	for s in "${ALL_SERIES[@]}"; do
		printf '\n######## series %s ########\n' "$s"
		SERIES=$s bash "$0" "$mode" || rc=1
		totals+=("$s: $(cat "$OUT_ROOT/$s/summary.txt" 2>/dev/null || echo '0 passed, 1 failed, 0 skipped (did not finish)')")
	done
	printf '\n==== %s: all series ====\n' "$mode"
	printf '    %s\n' "${totals[@]}"
	printf '    total: %ss\n' $((SECONDS - t0))
	printf '%s\n' "${totals[@]}" | awk -F'[:,]' '
		{ for (i = 2; i <= NF; i++) { split($i, w, " "); n[w[2]] += w[1] } }
		END { printf "%d passed, %d failed, %d skipped\n", n["passed"], n["failed"], n["skipped"] }'
	exit "$rc"
fi
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
	printf '\n==== %s summary (series %s) ====\n' "$mode" "$SERIES"
	for v in "${verdicts[@]}"; do printf '    %s\n' "$v"; done
	printf '    total: %ss\n' $((SECONDS - t0))
	# tests count one each, in each mode they ran in; a boot that wrote no
	# results this run (boot.sh deletes the last ones first) is a failure;
	# every other step counts as one
	local m r p f s
	for m in "${booted[@]}"; do
		r=$LOGS/boot-$m/results.txt
		if [ -f "$r" ]; then
			p=$(grep -c '^PASS' "$r" || true)
			s=$(grep -c '^SKIP' "$r" || true)
			f=$(grep -c '^FAIL' "$r" || true)
			printf '    tests in %s mode: %s passed, %s failed, %s skipped\n' "$m" "$p" "$f" "$s"
		else
			p=0 s=0 f=1
			printf '    tests in %s mode: no results (the boot stopped before it judged the run)\n' "$m"
		fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	done
	for v in "${verdicts[@]}"; do
		case $v in "PASS boot"*|"FAIL boot"*) continue ;; esac
		case $v in PASS*) pass=$((pass + 1)) ;; FAIL*) fail=$((fail + 1)) ;; SKIP*) skip=$((skip + 1)) ;; esac
	done
	echo "$pass passed, $fail failed, $skip skipped" | tee "$OUT/summary.txt"
	[ "$fail" -eq 0 ] || return 1
	# all green, tests run: 'make send SEND=1' may send this exact series
	if [ "$mode" = check ] && [ "${#booted[@]}" -gt 0 ]; then
		check_stamp >"$OUT/check-passed"
	fi
}
booted=()
[ "$mode" = check ] && rm -f "$OUT/check-passed"
mkdir -p "$OUT"
rm -f "$OUT/summary.txt"
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
# A series without patches yet (its base is built and tested bare) has
# nothing for the gates to judge: they are skipped, and counted so.
gates=$mode
if [ "$mode" = check ] && [ -z "$(series_patches)" ]; then
	gates=none
	verdicts+=("SKIP gates: $P_SHOW/ holds no patch yet (the bare base is built and tested)")
fi
if [ "$gates" = check ]; then
	for gate in checkpatch hygiene maintainers am-check mirror; do
		step "$gate" bash "$S/$gate.sh" || true
	done
fi
step build run_stage build
if [ "$gates" = check ]; then
	for gate in bisect defconfig static docs uapi; do
		step "$gate" bash "$S/$gate.sh" || true
	done
fi
step selftests run_stage selftests
step emulator run_stage emulator
step kvmtool run_stage kvmtool
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
# The KVM modes to boot in: MODES=a,b, or every mode of the series
# (KVM_MODES) for make check, the first for the other runs.
modes=$boot_modes
[ -n "${MODES:-}" ] || [ "$mode" != check ] || modes=$KVM_MODES
# boot_in MODE [TESTS]: one boot, its own verdict line
boot_in() {
	booted+=("$1")
	# (boot.sh deletes them too, but it may stop before it gets there)
	rm -f "$LOGS/boot-$1/results.txt"
	BOOT_RUN=$mode MODES=$1 step "boot $1" bash "$S/boot.sh" "${@:2}" || true
}
case $mode in
all|check) for m in ${modes//,/ }; do boot_in "$m"; done ;;
bench)
	for m in ${modes//,/ }; do
		BOOT_APPEND=$BENCH_APPEND boot_in "$m" "$BENCH_TESTS"
		# the figures, as the bench printed them
		grep -E '^# # (mmio|sea |exit|ioctl|trap|ratio|kvmtool-bench)' "$LOGS/boot-$m/console.log" |
			sed 's/^# # /    /' | tee "$LOGS/bench-$m.txt"
		! grep -q '^    ratio.*MISSED' "$LOGS/bench-$m.txt" ||
			warn "$m: the SEA round trip missed its goal, sea/mmio <= $BENCH_GOAL (scripts/runs.env)"
		grep -q '^    kvmtool-bench: ratio' "$LOGS/bench-$m.txt" ||
			warn "$m: no figure in a Linux guest under kvmtool: lkvm was not built (KVMTOOL_SRC, see README)"
		! grep -q '^    kvmtool-bench: ratio.*MISSED' "$LOGS/bench-$m.txt" ||
			warn "$m: the SEA in a Linux guest under kvmtool missed its goal, sea/mmio <= $KVMTOOL_BENCH_GOAL (scripts/runs.env)"
	done
	;;
stress)
	for m in ${modes//,/ }; do BOOT_APPEND=$STRESS_APPEND boot_in "$m" "$STRESS_TESTS"; done
	;;
compare) step compare bash "$S/compare-base.sh" || true ;;
check-debug)
	for m in ${modes//,/ }; do
		BOOT_IMAGE=$OUT/build-debug/arch/arm64/boot/Image BOOT_APPEND=$DEBUG_APPEND \
			boot_in "$m" "$DEBUG_TESTS"
	done
	;;
esac
