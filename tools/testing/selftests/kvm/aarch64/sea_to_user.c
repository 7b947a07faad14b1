// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_to_user - Tests for KVM_CAP_ARM_SEA_TO_USER and KVM_EXIT_ARM_SEA.
 *
 * The capability's rules need no hardware.  The exit needs a real
 * synchronous external abort: the test poisons a page of guest memory with
 * ACPI error injection (EINJ, through debugfs, without triggering it), has
 * the guest read it, checks the exit and replays the abort into the guest,
 * whose handler checks what it sees.  Without EINJ, or when the host's APEI
 * code claims the error itself, that part is skipped.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include "processor.h"
#include "test_util.h"

#define EINJ_DIR		"/sys/kernel/debug/apei/einj/"
/* ACPI 6.5 table 18.30: memory uncorrectable, non-fatal */
#define EINJ_MEM_UNCORRECTABLE	0x10
/* param1 and param2 hold a physical address and its mask */
#define EINJ_FLAG_ADDR_VALID	0x2

#define TEST_GPA		0xc0000000UL
#define TEST_GVA		0xc0000000UL
#define TEST_SLOT		10

#define ESR_ISS_FSC		GENMASK_ULL(5, 0)
#define ESR_ISS_FNV		BIT_ULL(10)
#define EC_DABT_LOW		0x24
/* EC, IL, SET, FnV, EA, CM, S1PTW (never set for the exit), WnR, FSC */
#define SEA_EXIT_ESR_MASK	(GENMASK_ULL(31, 26) | BIT_ULL(25) |	\
				 GENMASK_ULL(12, 8) | GENMASK_ULL(6, 0))

static bool fsc_is_sea(uint64_t fsc)
{
	return fsc == 0x10 || fsc == 0x18 ||
	       (fsc >= 0x13 && fsc <= 0x17) || (fsc >= 0x1b && fsc <= 0x1f);
}

static int enable_cap(struct kvm_vm *vm, int arg, uint32_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_ARM_SEA_TO_USER,
		.flags = flags,
	};

	if (arg >= 0)
		cap.args[arg] = 1;
	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static void test_cap_enable(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	int i, ret;

	TEST_ASSERT_EQ(vm_check_cap(vm, KVM_CAP_ARM_SEA_TO_USER), 1);

	for (i = 0; i < 4; i++) {
		ret = enable_cap(vm, i, 0);
		TEST_ASSERT(ret == -1 && errno == EINVAL,
			    "args[%d] != 0: ret %d errno %d", i, ret, errno);
	}
	ret = enable_cap(vm, -1, 1);
	TEST_ASSERT(ret == -1 && errno == EINVAL,
		    "flags != 0: ret %d errno %d", ret, errno);

	TEST_ASSERT(!enable_cap(vm, -1, 0), "enable: errno %d", errno);
	TEST_ASSERT(!enable_cap(vm, -1, 0), "enable again: errno %d", errno);

	kvm_vm_free(vm);
	ksft_test_result_pass("SEA_TO_USER: advertised, args/flags checked, idempotent\n");
}

/* What the guest's data abort handler saw. */
static struct {
	uint64_t count;
	uint64_t esr;
	uint64_t far;
} seen;

static void guest_dabt_handler(struct ex_regs *regs)
{
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.count++;
	/* Skip the load that consumed the poison. */
	regs->pc += 4;
}

static void guest_code(void)
{
	uint64_t val;

	asm volatile("ldr %0, [%1]" : "=r"(val) : "r"(TEST_GVA) : "memory");
	GUEST_ASSERT_EQ(seen.count, 1);
	GUEST_DONE();
}

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	if (si->si_code == BUS_MCEERR_AR)
		siglongjmp(sigbus_jmp, 1);
	signal(SIGBUS, SIG_DFL);
}

static bool einj_write(const char *file, uint64_t val)
{
	char path[128], buf[32];
	int fd, len;
	bool ok;

	snprintf(path, sizeof(path), EINJ_DIR "%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	len = snprintf(buf, sizeof(buf), "0x%lx", val);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok;
}

static bool einj_usable(void)
{
	char types[256] = "";
	FILE *f = fopen(EINJ_DIR "available_error_type", "r");
	size_t n = 0;

	if (f) {
		n = fread(types, 1, sizeof(types) - 1, f);
		fclose(f);
	}
	types[n] = '\0';
	return strstr(types, "0x00000010") &&
	       access(EINJ_DIR "notrigger", W_OK) == 0;
}

/* The host physical address behind a virtual address of this process. */
static uint64_t host_pa(void *hva)
{
	uint64_t entry = 0, page = getpagesize();
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open pagemap: errno %d", errno);
	TEST_ASSERT(pread(fd, &entry, sizeof(entry),
			  (uint64_t)hva / page * sizeof(entry)) == sizeof(entry),
		    "read pagemap: errno %d", errno);
	close(fd);
	TEST_ASSERT((entry & BIT_ULL(63)) && (entry & GENMASK_ULL(54, 0)),
		    "no PFN for %p (needs CAP_SYS_ADMIN)", hva);
	return (entry & GENMASK_ULL(54, 0)) * page;
}

static void test_einj_sea(void)
{
	struct sigaction sa = { .sa_sigaction = sigbus_handler,
				.sa_flags = SA_SIGINFO };
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct kvm_run *run;
	struct ucall uc;
	uint64_t *hva, esr;

	if (!einj_usable()) {
		ksft_test_result_skip("SEA exit: %s lacks notrigger or memory errors\n",
				      EINJ_DIR);
		return;
	}

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	TEST_ASSERT(!enable_cap(vm, -1, 0), "enable: errno %d", errno);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_DABT,
				guest_dabt_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA,
				    TEST_SLOT, 1, 0);
	virt_map(vm, TEST_GVA, TEST_GPA, 1);
	hva = addr_gpa2hva(vm, TEST_GPA);
	*hva = 0;

	TEST_ASSERT(einj_write("error_type", EINJ_MEM_UNCORRECTABLE) &&
		    einj_write("flags", EINJ_FLAG_ADDR_VALID) &&
		    einj_write("param1", host_pa(hva)) &&
		    einj_write("param2", ~(uint64_t)(getpagesize() - 1)) &&
		    einj_write("notrigger", 1) &&
		    einj_write("error_inject", 1),
		    "EINJ refused the injection: errno %d", errno);

	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(sigbus_jmp, 1)) {
		kvm_vm_free(vm);
		ksft_test_result_skip("SEA exit: host APEI claimed the error (BUS_MCEERR_AR)\n");
		return;
	}

	vcpu_run(vcpu);
	run = vcpu->run;
	TEST_ASSERT(run->exit_reason == KVM_EXIT_ARM_SEA, "exit %s, not ARM_SEA",
		    exit_reason_str(run->exit_reason));

	esr = run->arm_sea.esr;
	TEST_ASSERT(!(esr & ~SEA_EXIT_ESR_MASK), "esr 0x%lx leaks syndrome bits", esr);
	TEST_ASSERT_EQ((esr >> ESR_EC_SHIFT) & ESR_EC_MASK, EC_DABT_LOW);
	TEST_ASSERT(fsc_is_sea(esr & ESR_ISS_FSC), "esr 0x%lx: not an SEA FSC", esr);
	TEST_ASSERT_EQ(run->arm_sea.gva, (esr & ESR_ISS_FNV) ? 0 : TEST_GVA);
	if (run->arm_sea.flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID)
		TEST_ASSERT_EQ(run->arm_sea.gpa, TEST_GPA);
	else
		TEST_ASSERT_EQ(run->arm_sea.gpa, 0);
	TEST_ASSERT(!(run->arm_sea.flags & ~KVM_EXIT_ARM_SEA_FLAG_GPA_VALID),
		    "unknown flags 0x%llx", run->arm_sea.flags);

	ev.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("guest did not finish: exit %s",
			  exit_reason_str(run->exit_reason));
	}
	sync_global_from_guest(vm, seen);
	TEST_ASSERT_EQ((seen.esr >> ESR_EC_SHIFT) & ESR_EC_MASK, ESR_EC_DABT);
	TEST_ASSERT_EQ(seen.esr & ESR_ISS_FSC, 0x10);
	TEST_ASSERT_EQ(seen.esr & ESR_ISS_FNV, esr & ESR_ISS_FNV);
	if (!(esr & ESR_ISS_FNV))
		TEST_ASSERT_EQ(seen.far, TEST_GVA);

	signal(SIGBUS, SIG_DFL);
	kvm_vm_free(vm);
	ksft_test_result_pass("SEA exit on poisoned memory, replayed as a data abort\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));

	ksft_print_header();
	ksft_set_plan(2);

	test_cap_enable();
	test_einj_sea();

	ksft_finished();
}
