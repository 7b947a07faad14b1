#!/bin/sh
# /init of the test initramfs (busybox).  Runs the kselftests named in
# /etc/kvm-sea/tests, or in kvmsea.tests=a,b on the kernel command line,
# through the kselftest runner, then powers the VM off.  scripts/boot.sh
# reads the console: the START/END markers tell a finished run from a hang.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kselftest runner writes test output to /dev/stdout: devtmpfs has no
# such links, without them the output would land in a file.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp

tests=$(grep -v '^#' /etc/kvm-sea/tests)
for arg in $(cat /proc/cmdline); do
	case $arg in
	kvmsea.tests=*) tests=$(echo "${arg#kvmsea.tests=}" | tr , ' ') ;;
	esac
done
sel=
for t in $tests; do sel="$sel -t kvm:$(basename "$t")"; done
# KVMSEA_TIMEOUT=N on the kernel command line: per-test limit (long runs)
[ -n "${KVMSEA_TIMEOUT:-}" ] && sel="$sel -o $KVMSEA_TIMEOUT"

echo "KVM-SEA-TESTS-START"
cd /kselftest && ./run_kselftest.sh $sel
# KVMSEA_KMEMLEAK=1 (debug kernel): look for leaks now; the kernel logs
# "kmemleak: N new suspected memory leaks", which scripts/boot.sh fails on.
if [ "${KVMSEA_KMEMLEAK:-}" = 1 ] && [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 5
	echo scan >/sys/kernel/debug/kmemleak
	echo "kmemleak report:"
	cat /sys/kernel/debug/kmemleak
fi
echo "KVM-SEA-TESTS-END"
poweroff -f
