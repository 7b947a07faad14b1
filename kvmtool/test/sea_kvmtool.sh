#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The kvmtool test (test-only, not part of any series): a Linux guest under
# lkvm, with kvmtool's SEA handler (kvmtool/patches/), reads a guest
# physical address that the SEA emulator (emulator/sea_emul.c) turns into a
# synchronous external abort.  Run in the test VM like any kselftest of
# the list (busybox sh); TAP on stdout.
#   1  capability on, FAR valid: kvmtool logs the exit (the gva the task
#      read, the gpa) and replays a data abort; in the guest the task that
#      read dies of SIGBUS/BUS_OBJERR with si_addr the address it read,
#      another task runs, the guest powers off; exactly one exit
#   2  capability on, FnV set (FAR unknown): the same, si_addr 0 (or, on a
#      kernel with the known gap "fnv", what FAR_EL2 held: the emulator's
#      junk address)
#   3  a 2-vCPU guest, the task on vCPU 1: kvmtool names vCPU 1, the same
#      outcome as 1
#   4  an instruction fetch: a 512 MiB guest booted with mem=256M jumps to
#      a page above 256M that guest module sea_exec.ko maps for it (nothing
#      ever touched it, so the fetch faults at stage 2); kvmtool replays an
#      instruction abort, the task dies of SIGBUS with si_addr the address
#      it jumped to (on a kernel with the known gap "iabt", no
#      instruction-abort injection: kvmtool says so and injects an SError,
#      the guest panics)
#   5  KVM refuses the replay (the emulator's "refuse=1", as a kernel that
#      cannot replay answers): kvmtool injects the SError the guest got
#      before the exit existed, and says so; the guest panics as it did
#   6  KVM refuses every KVM_SET_VCPU_EVENTS ("refuse=2"), a 2-vCPU guest,
#      the task on vCPU 1: kvmtool stops the whole VM at once and exits
#      with 128 (its die()), not a timeout, not 0
#   7  the task's SIGBUS handler returns, so the read aborts again and
#      again: kvmtool replays it exactly as many times as its limit
#      (SEA_MAX_REPLAYS of the patched arm/aarch64/kvm-cpu.c, in
#      sea_kvmtool.d/max_replays), logs the repeat once, then injects an
#      SError: the guest panics instead of looping for ever
#   8  capability off (lkvm --no-sea-to-user): KVM injects an SError and the
#      guest kernel panics; the picture the series exists to change
# With SEA_KVMTOOL_BENCH=N in the environment (make bench, scripts/runs.env)
# it runs the end-to-end figure instead: one guest times N poisoned reads
# until its SIGBUS handler runs against N reads of a register of a UART
# kvmtool emulates, alternating, and the line "# kvmtool-bench: ..." gives
# the medians and their ratio against SEA_KVMTOOL_BENCH_GOAL.
# A kernel report (BUG, WARNING, Oops, panic...) in the guest's console
# fails cases 1-4.  The guest's console is printed, each line prefixed
# with "# kvmtool-guest: " (scripts/boot.sh keeps those lines in
# out/logs/kvmtool-guest.log).
# Files, next to this script: lkvm (static), sea_emul.ko,
# sea_kvmtool.d/Image (the same kernel as the host's),
# sea_kvmtool.d/guest.cpio.gz (kvmtool/guest/sea_guest.c as /init, with
# sea_exec.ko) and sea_kvmtool.d/max_replays.

dir=$(dirname "$0")
d=$dir/sea_kvmtool.d
params=/sys/module/sea_emul/parameters
# outside the guest's RAM (kvmtool puts it at 0x80000000, 128 MiB here) and
# every device kvmtool emulates: a read of it is a stage-2 fault on no memslot
gpa=0xa0000000 gpa_read=0xa0000000 mb=128
report='BUG:|WARNING:|Oops|Kernel panic|Call trace:|Unable to handle|SError'
fails=0 n=0

tap() { # tap OK|FAIL DESCRIPTION
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}

gap() { case ",${SEA_EMUL_GAPS:-}," in *",$1,"*) return 0 ;; esac; return 1; }

# arm FNV GPA_VALID [REFUSE]: poison the page of $gpa for the next guest
arm() {
	echo "$1" >$params/fnv
	echo "$2" >$params/gpa_valid
	echo "${3:-0}" >$params/refuse
	echo 0 >$params/junk
	echo 0 >$params/dabt_count
	echo 0 >$params/refused_count
	echo $((gpa)) >$params/ipa
}

# guest NAME VCPUS EXPECT [GUEST-ENV [LKVM-OPTION]]: boot the guest, its
# console in /tmp/NAME.log, lkvm's exit status in /tmp/NAME.rc
guest() {
	# a guest that loops on the abort, or an lkvm that does not stop, is
	# killed: a normal run takes a few seconds (the 7 runs stay within
	# the kselftest runner's 120 s for a test)
	HOME=/tmp timeout -s KILL 40 "$dir/lkvm" run -k "$d/Image" -i "$d/guest.cpio.gz" \
		-m "$mb" -c "$2" --console serial --network mode=none $5 \
		-p "console=ttyS0 loglevel=5 panic=-1 SEA_GPA=$gpa SEA_EXPECT=$3 $4" \
		</dev/null >"/tmp/$1.log" 2>&1
	echo $? >"/tmp/$1.rc"
	echo 0 >$params/refuse
	# the serial console's CRs out; a last line that lkvm's end cut short
	# gets its newline
	sed -i 's/\r$//' "/tmp/$1.log"
	[ -z "$(tail -c 1 "/tmp/$1.log")" ] || echo >>"/tmp/$1.log"
	# (a run that loops can log without end: its first lines say why)
	head -n 500 "/tmp/$1.log" | sed "s/^/# kvmtool-guest: [$1] /"
	lines=$(wc -l <"/tmp/$1.log")
	[ "$lines" -le 500 ] || echo "# kvmtool-guest: [$1] ($((lines - 500)) more lines not shown)"
}

# count NAME PATTERN: lines of the run's console matching PATTERN
count() { grep -c -- "$2" "/tmp/$1.log"; }

# verdict NAME WHAT: report the run, failing with the reasons in $why
verdict() {
	if [ -z "$why" ]; then
		tap OK "$1: $2"
	else
		tap FAIL "$1:${why#;}"
	fi
}

# survived NAME EXPECT WHAT VCPU [fetch]: the checks of a run the guest must
# survive (the task read, or with "fetch" jumped to, $gpa)
survived() {
	rc=$(cat "/tmp/$1.rc") why=
	if [ "${5:-}" = fetch ]; then
		access="an instruction fetch" did="jumps to" counter=iabt_count
	else
		access="a data access" did=reads counter=dabt_count
	fi
	grep -q '^# sea_guest: PASS' "/tmp/$1.log" || why="$why; the guest's checks did not pass"
	grep -q '^not ok' "/tmp/$1.log" && why="$why; a guest check failed"
	grep -Eq "$report" "/tmp/$1.log" && why="$why; a kernel report in the guest's console"
	[ "$(count "$1" 'synchronous external abort on')" = 1 ] ||
		why="$why; kvmtool logged $(count "$1" 'synchronous external abort on') aborts, not 1"
	grep -q "vCPU $4: synchronous external abort on $access: esr 0x[0-9a-f]*, $3" "/tmp/$1.log" ||
		why="$why; kvmtool did not log the abort on $access on vCPU $4 with '$3'"
	grep -q "$did GPA $gpa at VA 0x[0-9a-f]* on CPU $4\$" "/tmp/$1.log" ||
		why="$why; the task did not run on CPU $4"
	[ "$(cat $params/$counter)" = 1 ] ||
		why="$why; the emulator converted $(cat $params/$counter) aborts ($counter), not 1"
	if [ "$2" = va ]; then
		# the gva kvmtool reports is the address the task read or jumped to
		va=$(sed -n "s/.*$did GPA $gpa at VA \(0x[0-9a-f]*\) .*/\1/p" "/tmp/$1.log")
		logged=$(sed -n "s/.*abort on $access: esr 0x[0-9a-f]*, gva \(0x[0-9a-f]*\),.*/\1/p" "/tmp/$1.log")
		[ -n "$va" ] && [ "$va" = "$logged" ] ||
			why="$why; kvmtool's gva '$logged' is not the address the task used, '$va'"
	fi
	[ "$rc" = 0 ] || why="$why; lkvm exited with $rc"
	verdict "$1" "the task on vCPU $4 ($did GPA $gpa) got SIGBUS (si_addr as $2), the guest lived on"
}

# timed_out NAME: timeout killed lkvm (SIGKILL: 137)
timed_out() { case $(cat "/tmp/$1.rc") in 137) return 0 ;; esac; return 1; }

# panicked NAME: the guest kernel died of the SError, as without the exit
panicked() {
	grep -q 'Kernel panic - not syncing: Asynchronous SError Interrupt' "/tmp/$1.log" ||
		why="$why; no SError panic in the guest"
	grep -q '^# sea_guest: PASS' "/tmp/$1.log" && why="$why; the guest's checks passed"
	timed_out "$1" && why="$why; lkvm did not end in 40 s"
	return 0
}

# the end-to-end figure (make bench)
bench() {
	rounds=$SEA_KVMTOOL_BENCH goal=${SEA_KVMTOOL_BENCH_GOAL:-0}
	echo "1..1"
	[ -d $params ] || insmod "$dir/sea_emul.ko" || { echo "Bail out! cannot load sea_emul.ko"; exit 1; }
	arm 0 1
	# the scratch register of kvmtool's second 8250 (ARM_MMIO_AREA +
	# 0x1000, register 7): an MMIO exit that kvmtool answers, no side effect
	guest bench 1 va "SEA_BENCH=$rounds SEA_MMIO=0x1001007"
	set -- $(sed -n 's/^# sea_guest: bench [0-9]* rounds: sea \([0-9]*\) ns, mmio \([0-9]*\) ns.*/\1 \2/p' /tmp/bench.log)
	why=
	grep -q '^# sea_guest: PASS' /tmp/bench.log || why="$why; the guest's bench did not pass"
	[ $# = 2 ] || why="$why; no figures from the guest"
	[ "$(cat $params/dabt_count)" = "$rounds" ] ||
		why="$why; the emulator converted $(cat $params/dabt_count) aborts, not $rounds"
	[ "$(cat /tmp/bench.rc)" = 0 ] || why="$why; lkvm exited with $(cat /tmp/bench.rc)"
	if [ $# = 2 ]; then
		echo "# kvmtool-bench: $rounds rounds in a Linux guest under lkvm: poisoned read to SIGBUS handler $1 ns, MMIO read $2 ns (medians)"
		awk -v s="$1" -v m="$2" -v g="$goal" 'BEGIN {
			r = s / m
			if (g > 0)
				printf "# kvmtool-bench: ratio sea/mmio %.2f (goal: <= %.2f, %s)\n", r, g, r <= g ? "met" : "MISSED"
			else
				printf "# kvmtool-bench: ratio sea/mmio %.2f (no goal)\n", r
		}'
	fi
	verdict bench "$rounds SEAs and MMIO reads timed in the guest"
	echo 18446744073709551615 >$params/ipa	# disarm (-1)
	[ "$fails" = 0 ]
	exit
}

echo "TAP version 13"
[ -n "${SEA_KVMTOOL_BENCH:-}" ] && [ -x "$dir/lkvm" ] && bench
echo "1..8"
if [ ! -x "$dir/lkvm" ]; then
	for i in 1 2 3 4 5 6 7 8; do
		echo "ok $i # SKIP no lkvm: kvmtool was not built (KVMTOOL_SRC, see README)"
	done
	exit 4
fi
[ -d $params ] || insmod "$dir/sea_emul.ko" || { echo "Bail out! cannot load sea_emul.ko"; exit 1; }
max=$(cat "$d/max_replays")

arm 0 1
guest far-valid 1 va
survived far-valid va "gva 0x[0-9a-f]*, gpa $gpa" 0
arm 1 0
if gap fnv; then
	expect=$(cat $params/junk_addr)
	echo "# known gap fnv: the replayed abort carries FAR_EL2's junk"
else
	expect=0
fi
guest fnv 1 "$expect"
survived fnv "$expect" "gva unknown, gpa unknown" 0

arm 0 1
guest vcpu1 2 va SEA_CPU=1
survived vcpu1 va "gva 0x[0-9a-f]*, gpa $gpa" 1

# above the guest kernel's mem=256M, below the 512 MiB kvmtool gives it
# (kvmtool loads the DTB and the initrd below 256M): never touched
gpa=0x98000000 mb=512
arm 0 1
guest fetch 1 va "SEA_FETCH=1 mem=256M"
if gap iabt; then
	# a kernel without instruction-abort injection: kvmtool can only
	# inject the SError the guest got before the exit existed
	why=
	panicked fetch
	grep -q 'vCPU 0: this kernel cannot replay an instruction abort: injecting an SError instead' /tmp/fetch.log ||
		why="$why; kvmtool did not say it injects an SError"
	[ "$(cat $params/iabt_count)" = 1 ] ||
		why="$why; the emulator converted $(cat $params/iabt_count) aborts (iabt_count), not 1"
	verdict fetch "known gap iabt: kvmtool cannot replay the instruction abort, injected an SError, the guest panicked"
else
	survived fetch va "gva 0x[0-9a-f]*, gpa $gpa" 0 fetch
fi
gpa=$gpa_read mb=128

arm 0 1 1
guest refused 1 va
why=
panicked refused
grep -q 'vCPU 0: KVM refused to replay the abort: injecting an SError instead' /tmp/refused.log ||
	why="$why; kvmtool did not say it injects an SError"
[ "$(cat $params/refused_count)" = 1 ] ||
	why="$why; the emulator refused $(cat $params/refused_count) calls, not 1"
[ "$(cat $params/dabt_count)" = 1 ] ||
	why="$why; the emulator converted $(cat $params/dabt_count) aborts, not 1"
verdict refused "KVM refused the replay: kvmtool injected an SError, the guest panicked as before"

arm 0 1 2
guest stop 2 va SEA_CPU=1
why= rc=$(cat /tmp/stop.rc)
[ "$rc" = 128 ] || why="$why; lkvm exited with $rc, not 128 (die)"
timed_out stop && why="$why (killed: it did not end in 40 s)"
grep -q 'vCPU 1: cannot inject an SError either' /tmp/stop.log ||
	why="$why; kvmtool did not say why it stopped"
grep -q '^# sea_guest:' /tmp/stop.log && why="$why; the guest ran on"
verdict stop "KVM refused everything on vCPU 1: lkvm stopped the VM and exited with 128"

arm 0 1
guest stuck 1 va SEA_RETRY=1
why=
panicked stuck
[ "$(count stuck '^# sea_guest: SIGBUS, again')" = "$max" ] ||
	why="$why; the task got $(count stuck '^# sea_guest: SIGBUS, again') SIGBUS, not $max"
[ "$(cat $params/dabt_count)" = $((max + 1)) ] ||
	why="$why; the emulator converted $(cat $params/dabt_count) aborts, not $((max + 1))"
[ "$(count stuck 'the same abort again at pc')" = 1 ] ||
	why="$why; kvmtool logged the repeat $(count stuck 'the same abort again at pc') times, not once"
grep -q 'vCPU 0: the guest does not get past the abort: injecting an SError instead' /tmp/stuck.log ||
	why="$why; kvmtool did not say it gives up"
verdict stuck "the same abort $max times: kvmtool replayed it $max times, then injected an SError"

arm 0 1
guest cap-off 1 va "" --no-sea-to-user
why=
panicked cap-off
grep -q 'synchronous external abort on' /tmp/cap-off.log && why="$why; kvmtool saw an exit"
verdict cap-off "no exit, the guest panicked with an SError"
echo 18446744073709551615 >$params/ipa	# disarm (-1)
[ "$fails" = 0 ]
