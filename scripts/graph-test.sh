#!/usr/bin/env bash
# Gate (make check): the stage graph does what 'make help' says.  From a
# state where everything is current, change one input at a time and check
# which stages 'scripts/run.sh --plan' would rerun: exactly those after the
# input, none before it.  Then rerun for real after a change to the test
# list, timed: only the initramfs is packed again, the kernel is not built.
# Every input is restored, whatever happens.
. "$(dirname "$0")/lib.sh"
stage_begin "graph: an input reruns the stages after it, and only those"
run=$REPO_ROOT/scripts/run.sh

plan() { "$run" --plan "$1" | paste -sd' ' -; }
now=$(plan initramfs)
[ -z "$now" ] || die "before the test, 'make initramfs' would run: $now (expected nothing)"

# expect WHAT FILE WANT: append a comment line to FILE, check the plan for
# 'make boot', restore FILE.
bad=0 saved=
restore() { [ -z "$saved" ] || cp -p "$saved" "${saved%.graph-test}"; rm -f "$saved"; saved=; }
at_exit restore
expect() {
	local what=$1 file=$2 want=$3 got
	saved=$file.graph-test
	cp -p "$file" "$saved"
	echo "# graph-test" >>"$file"
	got=$(plan boot)
	restore
	if [ "$got" = "$want" ]; then
		msg "$what changed: reruns $got"
	else
		printf '    %s changed: would rerun "%s", expected "%s"\n' "$what" "$got" "$want" >&2
		bad=$((bad + 1))
	fi
}
patch=$(series_patches | sed -n 1p)
expect "${TESTS_LIST#"$REPO_ROOT"/}" "$TESTS_LIST" "initramfs boot"
expect "scripts/guest-init.sh" "$REPO_ROOT/scripts/guest-init.sh" "initramfs boot"
expect "kvmtool/guest/sea_guest.c" "$REPO_ROOT/kvmtool/guest/sea_guest.c" "kvmtool initramfs boot"
expect "emulator/sea_fuzz.c" "$REPO_ROOT/emulator/sea_fuzz.c" "emulator kvmtool initramfs boot"
expect "scripts/abi-check.c" "$REPO_ROOT/scripts/abi-check.c" "selftests emulator kvmtool initramfs boot"
expect "scripts/kernel.config" "$REPO_ROOT/scripts/kernel.config" "build selftests emulator kvmtool initramfs boot"
expect "$K_SHOW (a source file)" "$KSRC/arch/arm64/kvm/inject_fault.c" "build selftests emulator kvmtool initramfs boot"
[ -z "$patch" ] ||
	expect "a patch" "$patch" "apply build selftests emulator kvmtool initramfs boot"
[ "$bad" -eq 0 ] || die "$bad change(s) would rerun the wrong stages: see scripts/stages.list and stage_fingerprint() in scripts/lib.sh"

# For real: a changed test list packs the initramfs again, nothing else.
saved=$TESTS_LIST.graph-test
cp -p "$TESTS_LIST" "$saved"
echo "# graph-test" >>"$TESTS_LIST"
t=$SECONDS
out=$("$run" initramfs 2>&1) || die "make initramfs failed after a test list change:
$out"
took=$((SECONDS - t))
restore
ran=$(sed -n 's/^==> \([a-z-]*\)[: ].*/\1/p' <<<"$out" | paste -sd' ' -)
skipped=$(sed -n 's/^==> \([a-z-]*\): up to date.*/\1/p' <<<"$out" | paste -sd' ' -)
[ "$skipped" = "build selftests emulator kvmtool" ] ||
	die "after a test list change, make initramfs skipped only '$skipped' (ran: $ran)"
msg "a test list change: make initramfs took ${took}s, skipped $skipped"
# and back: the initramfs as the test list really is
"$run" initramfs >/dev/null
stage_end
