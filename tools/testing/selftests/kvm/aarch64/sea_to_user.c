// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_to_user - Tests for KVM_CAP_ARM_SEA_TO_USER and KVM_EXIT_ARM_SEA.
 *
 * The capability's rules need no hardware.  The exit needs a real
 * synchronous external abort: the test poisons a page of guest memory with
 * ACPI error injection (EINJ, through debugfs, without triggering it), has
 * the guest load from it or branch into it, checks the exit and replays the
 * abort into the guest, with KVM's syndrome or with the exit's own, and the
 * guest's handler records what it sees.  The poisoned page is then retired.
 * Without FEAT_RAS or EINJ, or when the host's APEI code claims the error
 * itself, that part is skipped.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
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

#define ESR_IL			BIT_ULL(25)
#define ESR_ISS_FSC		GENMASK_ULL(5, 0)
#define ESR_ISS_WNR		BIT_ULL(6)
#define ESR_ISS_CM		BIT_ULL(8)
#define ESR_ISS_EA		BIT_ULL(9)
#define ESR_ISS_FNV		BIT_ULL(10)
#define ESR_ISS_SET		GENMASK_ULL(12, 11)
#define ESR_ISS			GENMASK_ULL(24, 0)
#define ESR_EC			GENMASK_ULL(31, 26)

#define EC_IABT_LOW		0x20
#define EC_DABT_LOW		0x24

#define FSC_EXTABT		0x10

/* The AArch64 RET instruction */
#define INSN_RET		0xd65f03c0

/*
 * All the exit's esr may hold, as the architecture defines them for an
 * external abort: no S1PTW, no ISV or instruction syndrome, no ISS2.
 */
#define SEA_EXIT_ESR_BITS	(ESR_EC | ESR_IL | ESR_ISS_FNV | ESR_ISS_EA | \
				 ESR_ISS_CM | ESR_ISS_WNR | ESR_ISS_FSC)

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

	ret = enable_cap(vm, -1, 0);
	TEST_ASSERT(!ret, "enable: errno %d", errno);
	ret = enable_cap(vm, -1, 0);
	TEST_ASSERT(!ret, "enable again: errno %d", errno);

	kvm_vm_free(vm);
	ksft_test_result_pass("SEA_TO_USER: advertised, args/flags checked, idempotent\n");
}

/* Consume the poison with a load (data abort) or a fetch (instruction abort) */
static bool guest_iabt;

/* What the guest's abort handler saw. */
static struct {
	uint64_t count;
	uint64_t esr;
	uint64_t far;
	uint64_t elr;
} seen;

static void guest_abort_handler(struct ex_regs *regs)
{
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.elr = regs->pc;
	seen.count++;

	if (guest_iabt)
		/* Return to the caller of the poisoned page. */
		regs->pc = regs->regs[30];
	else
		/* Skip the load that consumed the poison. */
		regs->pc += 4;
}

static void guest_code(void)
{
	uint64_t val;

	if (guest_iabt)
		((void (*)(void))TEST_GVA)();
	else
		asm volatile("ldr %0, [%1]" : "=r"(val) : "r"(TEST_GVA) : "memory");

	GUEST_ASSERT_EQ(seen.count, 1);
	GUEST_DONE();
}

/* Whether the VM has FEAT_RAS, as its vCPUs read ID_AA64PFR0_EL1 */
static bool vm_ras;

/* Set when the host's APEI code claimed an SEA: it will claim them all. */
static bool apei_claims;

/* EINJ's notrigger as it was before the test, held to put it back */
static char notrigger_saved[32];
static bool notrigger_held;

/* The host mapping of the page the test poisoned, until it is retired */
static void *poisoned_hva;
static bool retiring;

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig, siginfo_t *si, void *ctx)
{
	/* The poisoned page is being retired: the kernel tells its users. */
	if (retiring)
		return;
	if (si->si_code == BUS_MCEERR_AR)
		siglongjmp(sigbus_jmp, 1);
	signal(SIGBUS, SIG_DFL);
}

static void catch_sigbus(void)
{
	struct sigaction sa = {
		.sa_sigaction = sigbus_handler,
		.sa_flags = SA_SIGINFO,
	};

	sigaction(SIGBUS, &sa, NULL);
}

static bool einj_write_str(const char *file, const char *buf)
{
	char path[128];
	int fd, len = strlen(buf);
	bool ok;

	snprintf(path, sizeof(path), EINJ_DIR "%s", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok;
}

static bool einj_write(const char *file, uint64_t val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%lx", val);
	return einj_write_str(file, buf);
}

static bool einj_usable(void)
{
	static const char * const files[] = {
		"error_type", "flags", "param1", "param2", "notrigger", "error_inject",
	};
	char types[256] = "", path[128];
	FILE *f = fopen(EINJ_DIR "available_error_type", "r");
	size_t n = 0;
	int i;

	if (!f)
		return false;
	n = fread(types, 1, sizeof(types) - 1, f);
	fclose(f);
	types[n] = '\0';
	if (!strstr(types, "0x00000010"))
		return false;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), EINJ_DIR "%s", files[i]);
		if (access(path, W_OK))
			return false;
	}
	return true;
}

/* Retire the poisoned page, so that the host never hands it out again. */
static void retire_poisoned_page(void)
{
	int ret, err;

	if (!poisoned_hva)
		return;

	catch_sigbus();
	retiring = true;
	ret = madvise(poisoned_hva, getpagesize(), MADV_HWPOISON);
	err = errno;
	retiring = false;
	if (ret)
		ksft_print_msg("cannot retire the poisoned page at %p: %s\n",
			       poisoned_hva, strerror(err));
	poisoned_hva = NULL;
}

static void notrigger_restore(void)
{
	if (!notrigger_held)
		return;
	if (!einj_write_str("notrigger", notrigger_saved))
		ksft_print_msg("cannot restore " EINJ_DIR "notrigger to %s\n",
			       notrigger_saved);
	notrigger_held = false;
}

/* Also run on exit, a failed assertion included. */
static void cleanup(void)
{
	retire_poisoned_page();
	notrigger_restore();
}

static bool notrigger_save(void)
{
	FILE *f;
	size_t n;

	if (notrigger_held)
		return true;

	f = fopen(EINJ_DIR "notrigger", "r");
	if (!f)
		return false;
	n = fread(notrigger_saved, 1, sizeof(notrigger_saved) - 1, f);
	fclose(f);
	notrigger_saved[n] = '\0';
	notrigger_saved[strcspn(notrigger_saved, "\n")] = '\0';
	if (!n)
		return false;
	notrigger_held = true;
	return true;
}

/* The host physical address behind a virtual address of this process, or 0 */
static uint64_t host_pa(void *hva)
{
	uint64_t entry = 0, page = getpagesize();
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = pread(fd, &entry, sizeof(entry), (uint64_t)hva / page * sizeof(entry));
	close(fd);
	if (n != sizeof(entry) || !(entry & BIT_ULL(63)))
		return 0;
	return (entry & GENMASK_ULL(54, 0)) * page;
}

/* Why the SEA part cannot run here, or NULL */
static const char *sea_skip_reason(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	uint64_t pfr0;

	vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1), &pfr0);
	vm_ras = FIELD_GET(ID_AA64PFR0_EL1_RAS_MASK, pfr0) != 0;
	kvm_vm_free(vm);

	/* Without FEAT_RAS, an external abort of the guest never reaches KVM. */
	if (!vm_ras)
		return "no FEAT_RAS (the vCPU's ID_AA64PFR0_EL1.RAS is 0)";
	if (!einj_usable())
		return "no EINJ memory error injection with notrigger in " EINJ_DIR;
	return NULL;
}

static bool fsc_is_sea(uint64_t fsc)
{
	/* SEA, not on a walk or on a walk at level -1 to 3 */
	if (fsc == 0x10 || (fsc >= 0x13 && fsc <= 0x17))
		return true;
	/* Parity/ECC codes exist only without FEAT_RAS */
	return !vm_ras && (fsc == 0x18 || (fsc >= 0x1b && fsc <= 0x1f));
}

/* The exit tells exactly what the architecture lets it tell, no more. */
static void check_exit(struct kvm_vcpu *vcpu, bool iabt)
{
	struct kvm_run *run = vcpu->run;
	uint64_t esr = run->arm_sea.esr, allowed = SEA_EXIT_ESR_BITS;

	if (vm_ras)
		allowed |= ESR_ISS_SET;
	/* RES0 in an instruction abort */
	if (iabt)
		allowed &= ~(ESR_ISS_WNR | ESR_ISS_CM);

	TEST_ASSERT(!(esr & ~allowed), "esr 0x%lx: bits 0x%lx must not be reported",
		    esr, esr & ~allowed);
	TEST_ASSERT_EQ(FIELD_GET(ESR_EC, esr), iabt ? EC_IABT_LOW : EC_DABT_LOW);
	TEST_ASSERT(fsc_is_sea(esr & ESR_ISS_FSC), "esr 0x%lx: not an SEA FSC", esr);

	TEST_ASSERT_EQ(run->arm_sea.gva, (esr & ESR_ISS_FNV) ? 0 : TEST_GVA);
	TEST_ASSERT(!(run->arm_sea.flags & ~KVM_EXIT_ARM_SEA_FLAG_GPA_VALID),
		    "unknown flags 0x%llx", run->arm_sea.flags);
	if (run->arm_sea.flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID)
		TEST_ASSERT_EQ(run->arm_sea.gpa, TEST_GPA);
	else
		TEST_ASSERT_EQ(run->arm_sea.gpa, 0);
}

/* Replay the abort; the guest's handler returns past it and the guest ends. */
static void replay(struct kvm_vcpu *vcpu, bool iabt, bool has_esr, uint64_t iss)
{
	struct kvm_vcpu_events ev = {};
	struct ucall uc;
	int ret;

	ev.exception.ext_dabt_pending = !iabt;
	ev.exception.ext_iabt_pending = iabt;
	if (has_esr) {
		ev.exception.ext_abt_has_esr = 1;
		ev.exception.ext_abt_esr = iss;
	}
	ret = __vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, &ev);
	TEST_ASSERT(!ret, "injecting the abort %s ISS 0x%lx: errno %d",
		    has_esr ? "with" : "without", iss, errno);

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("guest did not finish: exit %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
}

struct sea_variant {
	const char *name;
	bool iabt;
	bool has_esr;
};

static void test_sea(const struct sea_variant *v, const char *skip)
{
	uint64_t esr, exit_pc, expect_iss, pa;
	uint32_t guest_pages, npages;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	void *hva;

	if (!skip && apei_claims)
		skip = "the host's APEI code claims the errors";
	if (skip) {
		ksft_test_result_skip("SEA exit, %s: %s\n", v->name, skip);
		return;
	}

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	TEST_ASSERT(!enable_cap(vm, -1, 0), "enable: errno %d", errno);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT,
				v->iabt ? ESR_EC_IABT : ESR_EC_DABT, guest_abort_handler);

	/* One host page, whatever the guest's page size */
	guest_pages = getpagesize() / vm->page_size;
	npages = guest_pages ? guest_pages : 1;
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA,
				    TEST_SLOT, npages, 0);
	virt_map(vm, TEST_GVA, TEST_GPA, 1);
	guest_iabt = v->iabt;
	sync_global_to_guest(vm, guest_iabt);

	/* Fill the page, so that it exists: the host never reads it again. */
	hva = addr_gpa2hva(vm, TEST_GPA);
	if (v->iabt)
		*(uint32_t *)hva = INSN_RET;
	else
		*(uint64_t *)hva = 0;

	pa = host_pa(hva);
	if (!pa) {
		kvm_vm_free(vm);
		ksft_test_result_skip("SEA exit, %s: no PFN in pagemap (CAP_SYS_ADMIN)\n",
				      v->name);
		return;
	}

	if (!notrigger_save()) {
		kvm_vm_free(vm);
		ksft_test_result_skip("SEA exit, %s: cannot read " EINJ_DIR "notrigger\n",
				      v->name);
		return;
	}
	if (!einj_write("error_type", EINJ_MEM_UNCORRECTABLE) ||
	    !einj_write("flags", EINJ_FLAG_ADDR_VALID) ||
	    !einj_write("param1", pa) ||
	    !einj_write("param2", ~0ULL) ||
	    !einj_write("notrigger", 1) ||
	    !einj_write("error_inject", 1)) {
		ksft_print_msg("EINJ: %s\n", strerror(errno));
		notrigger_restore();
		kvm_vm_free(vm);
		ksft_test_result_skip("SEA exit, %s: EINJ refused the injection\n", v->name);
		return;
	}
	poisoned_hva = hva;

	catch_sigbus();
	if (sigsetjmp(sigbus_jmp, 1)) {
		/* The kernel handled the error, and retired the page itself. */
		apei_claims = true;
		poisoned_hva = NULL;
		kvm_vm_free(vm);
		ksft_test_result_skip("SEA exit, %s: host APEI claimed the error (BUS_MCEERR_AR)\n",
				      v->name);
		return;
	}

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_ARM_SEA, "exit %s, not ARM_SEA",
		    exit_reason_str(vcpu->run->exit_reason));
	check_exit(vcpu, v->iabt);

	esr = vcpu->run->arm_sea.esr;
	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &exit_pc);
	if (v->iabt)
		TEST_ASSERT_EQ(exit_pc, TEST_GVA);

	replay(vcpu, v->iabt, v->has_esr, esr & ESR_ISS);
	sync_global_from_guest(vm, seen);

	/*
	 * KVM's own syndrome is FSC 0x10, with FnV unless it can vouch for
	 * FAR: it can, after an abort of the same class with FnV clear.
	 */
	expect_iss = v->has_esr ? esr & ESR_ISS : FSC_EXTABT | (esr & ESR_ISS_FNV);
	TEST_ASSERT_EQ(FIELD_GET(ESR_EC, seen.esr),
		       v->iabt ? ESR_EC_IABT : ESR_EC_DABT);
	TEST_ASSERT(seen.esr & ESR_IL, "guest ESR_EL1 0x%lx: IL clear", seen.esr);
	TEST_ASSERT((seen.esr & ESR_ISS) == expect_iss,
		    "guest ESR_EL1 0x%lx, expected ISS 0x%lx", seen.esr, expect_iss);
	TEST_ASSERT_EQ(seen.far, (esr & ESR_ISS_FNV) ? 0 : TEST_GVA);
	TEST_ASSERT_EQ(seen.elr, exit_pc);

	retire_poisoned_page();
	signal(SIGBUS, SIG_DFL);
	kvm_vm_free(vm);
	ksft_test_result_pass("SEA exit, %s: esr 0x%lx, replayed, guest recovered\n",
			      v->name, esr);
}

static const struct sea_variant variants[] = {
	{ "data abort, KVM's syndrome", false, false },
	{ "data abort, the exit's syndrome", false, true },
	{ "instruction abort, KVM's syndrome", true, false },
	{ "instruction abort, the exit's syndrome", true, true },
};

int main(void)
{
	const char *skip;
	int i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));

	ksft_print_header();
	ksft_set_plan(1 + ARRAY_SIZE(variants));

	test_cap_enable();

	skip = sea_skip_reason();
	atexit(cleanup);
	for (i = 0; i < ARRAY_SIZE(variants); i++)
		test_sea(&variants[i], skip);
	cleanup();

	ksft_finished();
}
