// SPDX-License-Identifier: GPL-2.0-only
/*
 * ABI check for the series, built against the UAPI headers the kernel build
 * installs (out/build/usr/include).  At compile time: every number, size and
 * offset of DESIGN.md section 3, and equality with upstream Linux where
 * upstream has the item (values of Linux 7.3's include/uapi/linux/kvm.h).
 * At run time, in the test VM: KVM_CHECK_EXTENSION reports both new
 * capabilities, on the system and on a VM.  Output is TAP; exit 4 (kselftest
 * SKIP) without /dev/kvm.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

/* Upstream's numbers: a VMM built against upstream headers must work here. */
#define UPSTREAM_KVM_EXIT_ARM_SEA			41
#define UPSTREAM_KVM_CAP_ARM_SEA_TO_USER		245
#define UPSTREAM_KVM_EXIT_ARM_SEA_FLAG_GPA_VALID	(1ULL << 0)

#define field(type, member)	(((type *)0)->member)
#define ASSERT_OFFSET(type, member, off) \
	_Static_assert(offsetof(type, member) == (off), #type "." #member " offset")
#define ASSERT_SIZE(type, member, size) \
	_Static_assert(sizeof(field(type, member)) == (size), #type "." #member " size")

_Static_assert(KVM_EXIT_ARM_SEA == UPSTREAM_KVM_EXIT_ARM_SEA, "exit number");
_Static_assert(KVM_CAP_ARM_SEA_TO_USER == UPSTREAM_KVM_CAP_ARM_SEA_TO_USER, "cap number");
_Static_assert(KVM_EXIT_ARM_SEA_FLAG_GPA_VALID == UPSTREAM_KVM_EXIT_ARM_SEA_FLAG_GPA_VALID,
	       "GPA_VALID flag");
/* Not upstream: the number chosen outside every value upstream has used. */
_Static_assert(KVM_CAP_ARM_INJECT_EXT_IABT == 252, "inject iabt cap number");

/* kvm_run.arm_sea: {flags, esr, gva, gpa}, at the start of the exit union */
ASSERT_SIZE(struct kvm_run, arm_sea, 32);
_Static_assert(offsetof(struct kvm_run, arm_sea) == offsetof(struct kvm_run, mmio),
	       "arm_sea is in the exit union");
ASSERT_OFFSET(struct kvm_run, arm_sea.flags, offsetof(struct kvm_run, mmio) + 0);
ASSERT_OFFSET(struct kvm_run, arm_sea.esr, offsetof(struct kvm_run, mmio) + 8);
ASSERT_OFFSET(struct kvm_run, arm_sea.gva, offsetof(struct kvm_run, mmio) + 16);
ASSERT_OFFSET(struct kvm_run, arm_sea.gpa, offsetof(struct kvm_run, mmio) + 24);
ASSERT_SIZE(struct kvm_run, arm_sea.flags, 8);
ASSERT_SIZE(struct kvm_run, arm_sea.esr, 8);
ASSERT_SIZE(struct kvm_run, arm_sea.gva, 8);
ASSERT_SIZE(struct kvm_run, arm_sea.gpa, 8);

/* kvm_vcpu_events: size 64, every pre-series field at its old offset */
_Static_assert(sizeof(struct kvm_vcpu_events) == 64, "kvm_vcpu_events size");
ASSERT_OFFSET(struct kvm_vcpu_events, exception.serror_pending, 0);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.serror_has_esr, 1);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.ext_dabt_pending, 2);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.ext_iabt_pending, 3);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.ext_abt_has_esr, 4);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.pad, 5);
ASSERT_SIZE(struct kvm_vcpu_events, exception.pad, 3);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.serror_esr, 8);
ASSERT_OFFSET(struct kvm_vcpu_events, exception.ext_abt_esr, 16);
ASSERT_SIZE(struct kvm_vcpu_events, exception.ext_abt_esr, 8);
ASSERT_OFFSET(struct kvm_vcpu_events, reserved, 24);
ASSERT_SIZE(struct kvm_vcpu_events, reserved, 40);

static int check(int fd, const char *where, int cap, const char *name, int n)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	printf("%s %d - KVM_CHECK_EXTENSION(%s) on the %s: %d\n",
	       r == 1 ? "ok" : "not ok", n, name, where, r);
	return r == 1;
}

int main(void)
{
	int kvm, vm, ok = 1;

	printf("TAP version 13\n");
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		printf("1..0 # SKIP /dev/kvm not available\n");
		return 4;
	}
	printf("1..4\n");
	ok &= check(kvm, "system", KVM_CAP_ARM_SEA_TO_USER, "KVM_CAP_ARM_SEA_TO_USER", 1);
	ok &= check(kvm, "system", KVM_CAP_ARM_INJECT_EXT_IABT, "KVM_CAP_ARM_INJECT_EXT_IABT", 2);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("not ok 3 - KVM_CREATE_VM failed\nnot ok 4 - KVM_CREATE_VM failed\n");
		return 1;
	}
	ok &= check(vm, "VM", KVM_CAP_ARM_SEA_TO_USER, "KVM_CAP_ARM_SEA_TO_USER", 3);
	ok &= check(vm, "VM", KVM_CAP_ARM_INJECT_EXT_IABT, "KVM_CAP_ARM_INJECT_EXT_IABT", 4);
	close(vm);
	close(kvm);
	return ok ? 0 : 1;
}
