#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The kvmtool test (test-only, not part of any series): a Linux guest under
# lkvm, with kvmtool's SEA handler (kvmtool/patches/), reads a guest
# physical address that the SEA emulator (emulator/sea_emul.c) turns into a
# synchronous external abort.  Run in the test VM like any kselftest of
# the list (busybox sh); TAP on stdout.
#   1  capability on, FAR valid: kvmtool logs the exit and replays a data
#      abort; in the guest the task that read dies of SIGBUS/BUS_OBJERR with
#      si_addr the address it read, another task runs, the guest powers off
#   2  capability on, FnV set (FAR unknown): the same, si_addr 0 (or, on a
#      kernel with the known gap "fnv", what FAR_EL2 held: the emulator's
#      junk address)
#   3  capability off (lkvm --no-sea-to-user): KVM injects an SError and the
#      guest kernel panics; the picture the series exists to change
# A kernel report (BUG, WARNING, Oops, panic...) in the guest's console
# fails cases 1 and 2.  The guest's console is printed, each line prefixed
# with "# kvmtool-guest: " (scripts/boot.sh keeps those lines in
# out/logs/kvmtool-guest.log).
# Files, next to this script: lkvm (static), sea_emul.ko,
# sea_kvmtool.d/Image (the same kernel as the host's) and
# sea_kvmtool.d/guest.cpio.gz (kvmtool/guest/sea_guest.c as /init).

dir=$(dirname "$0")
d=$dir/sea_kvmtool.d
params=/sys/module/sea_emul/parameters
# outside the guest's RAM (kvmtool puts it at 0x80000000, 128 MiB here) and
# every device kvmtool emulates: a read of it is a stage-2 fault on no memslot
gpa=0xa0000000
report='BUG:|WARNING:|Oops|Kernel panic|Call trace:|Unable to handle|SError'
fails=0 n=0

tap() { # tap OK|FAIL DESCRIPTION
	n=$((n + 1))
	if [ "$1" = OK ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}

gap() { case ",${SEA_EMUL_GAPS:-}," in *",$1,"*) return 0 ;; esac; return 1; }

# arm FNV GPA_VALID: poison the page of $gpa for the next guest
arm() {
	echo "$1" >$params/fnv
	echo "$2" >$params/gpa_valid
	echo 0 >$params/junk
	echo 0 >$params/dabt_count
	echo $((gpa)) >$params/ipa
}

# guest NAME EXPECT [LKVM-OPTION]: boot the guest, its console in /tmp/NAME.log
guest() {
	# a guest that loops on the abort (no replay) is stopped: a normal
	# run takes a few seconds
	HOME=/tmp timeout 60 "$dir/lkvm" run -k "$d/Image" -i "$d/guest.cpio.gz" \
		-m 128 -c 1 --console serial --network mode=none $3 \
		-p "console=ttyS0 panic=-1 SEA_GPA=$gpa SEA_EXPECT=$2" \
		</dev/null >"/tmp/$1.log" 2>&1
	echo $? >"/tmp/$1.rc"
	sed "s/^/# kvmtool-guest: [$1] /" "/tmp/$1.log"
}

# survived NAME EXPECT: the checks of a run the guest must survive
survived() {
	rc=$(cat "/tmp/$1.rc") why=
	grep -q '^# sea_guest: PASS' "/tmp/$1.log" || why="$why; the guest's checks did not pass"
	grep -q '^not ok' "/tmp/$1.log" && why="$why; a guest check failed"
	grep -Eq "$report" "/tmp/$1.log" && why="$why; a kernel report in the guest's console"
	grep -q "synchronous external abort on a data access: esr 0x[0-9a-f]*, $3" "/tmp/$1.log" ||
		why="$why; kvmtool did not log the abort with '$3'"
	[ "$(cat $params/dabt_count)" -ge 1 ] || why="$why; the emulator converted no abort"
	[ "$rc" = 0 ] || why="$why; lkvm exited with $rc"
	if [ -z "$why" ]; then
		tap OK "$1: the reading task got SIGBUS (si_addr as $2), the guest lived on"
	else
		tap FAIL "$1:${why#;}"
	fi
}

echo "TAP version 13"
echo "1..3"
if [ ! -x "$dir/lkvm" ]; then
	echo "ok 1 # SKIP no lkvm: kvmtool was not built (KVMTOOL_SRC, see README)"
	echo "ok 2 # SKIP no lkvm"
	echo "ok 3 # SKIP no lkvm"
	exit 4
fi
[ -d $params ] || insmod "$dir/sea_emul.ko" || { echo "Bail out! cannot load sea_emul.ko"; exit 1; }

arm 0 1
guest far-valid va
survived far-valid va "gva 0x[0-9a-f]*, gpa $gpa"

arm 1 0
if gap fnv; then
	expect=$(cat $params/junk_addr)
	echo "# known gap fnv: the replayed abort carries FAR_EL2's junk"
else
	expect=0
fi
guest fnv "$expect"
survived fnv "$expect" "gva unknown, gpa unknown"

arm 0 1
guest cap-off va --no-sea-to-user
if grep -q 'Kernel panic - not syncing: Asynchronous SError Interrupt' /tmp/cap-off.log &&
	! grep -q '^# sea_guest: PASS' /tmp/cap-off.log &&
	! grep -q 'synchronous external abort on' /tmp/cap-off.log; then
	tap OK "cap-off: no exit, the guest panicked with an SError"
else
	tap FAIL "cap-off: expected the guest kernel's SError panic and no kvmtool exit"
fi
echo 18446744073709551615 >$params/ipa	# disarm (-1)
[ "$fails" = 0 ]
