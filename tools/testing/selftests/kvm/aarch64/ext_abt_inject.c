// SPDX-License-Identifier: GPL-2.0-only
/*
 * ext_abt_inject - Tests for KVM_CAP_ARM_INJECT_EXT_IABT: external
 * instruction aborts and userspace-supplied syndromes injected with
 * KVM_SET_VCPU_EVENTS, and the rules that reject a bad request.
 *
 * An accepted abort is taken by the vCPU in the ioctl itself: most checks
 * read the vCPU's registers right after it, without running the guest.
 */

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>

#include "processor.h"
#include "test_util.h"

#define ESR_IL			BIT_ULL(25)
#define ESR_ISS_FSC		GENMASK_ULL(5, 0)
#define ESR_ISS_WNR		BIT_ULL(6)
#define ESR_ISS_CM		BIT_ULL(8)
#define ESR_ISS_EA		BIT_ULL(9)
#define ESR_ISS_FNV		BIT_ULL(10)
#define ESR_ISS_SET		GENMASK_ULL(12, 11)
#define ESR_ISS_WU		GENMASK_ULL(17, 16)
#define ESR_ISS			GENMASK_ULL(24, 0)

/* SET encodings */
#define SET_RESERVED		1
#define SET_UC			2
#define WU_RESERVED		1

#define FSC_EXTABT		0x10
#define FSC_SEA_TTW0		0x14

#define EC_IABT_LOW		0x20
#define EC_DABT_LOW		0x24
#define EC_SERROR		0x2f

/* ID_AA64PFR0_EL1.RAS value of FEAT_RASv2 */
#define ID_RAS_V2		3

/* Offsets of the synchronous exception vectors from VBAR_EL1 */
#define VEC_CURRENT_SP0		0x000
#define VEC_CURRENT_SPX		0x200
#define VEC_LOWER_AARCH64	0x400
#define VEC_LOWER_AARCH32	0x600

#define PSTATE_DAIF		(PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)
#define PSTATE_MODE		(PSR_MODE32_BIT | PSR_MODE_MASK)
/* AArch32 User mode, at EL0 */
#define PSTATE_AA32_USR		(PSR_MODE32_BIT | 0x0)

/* AArch32 DFSR and IFSR */
#define AA32_FSR_FNV		BIT(16)
#define AA32_FSR_LPAE		BIT(9)
#define AA32_FSR_LPAE_STATUS	GENMASK(5, 0)
#define AA32_FSR_SHORT_FS	(BIT(10) | GENMASK(3, 0))
#define AA32_FSR_SHORT_EXTABT	0x8
#define AA32_MODE_MASK		GENMASK(4, 0)
#define AA32_MODE_ABT		0x17
#define AA32_VEC_PABT		0x0c
#define AA32_VEC_DABT		0x10
#define AA32_TEST_VBAR		0x4000
#define TTBCR_EAE		BIT(31)

#define ONE_REG_PC		ARM64_CORE_REG(regs.pc)
#define ONE_REG_PSTATE		ARM64_CORE_REG(regs.pstate)
#define ONE_REG_ELR_EL1		ARM64_CORE_REG(elr_el1)
#define ONE_REG_SPSR_EL1	ARM64_CORE_REG(spsr[KVM_SPSR_EL1])
#define ONE_REG_ESR_EL1		KVM_ARM64_SYS_REG(SYS_ESR_EL1)
#define ONE_REG_FAR_EL1		KVM_ARM64_SYS_REG(SYS_FAR_EL1)
#define ONE_REG_VBAR_EL1	KVM_ARM64_SYS_REG(SYS_VBAR_EL1)
#define ONE_REG_IFSR32_EL2	KVM_ARM64_SYS_REG(SYS_IFSR32_EL2)

/* Never the value of a register or of a load by chance */
#define MMIO_DATA_MARKER	0x5eed5eed5eed5eedULL
#define DEST_UNTOUCHED		0x0ddba11c0ffee000ULL

/* /proc/sys/kernel/tainted: set by any kernel WARN */
#define TAINT_WARN		BIT(9)

enum guest_event { EV_NONE, EV_ABORT, EV_SERROR };

/* What the guest's handlers saw, read back by the host after each run. */
static struct {
	uint64_t nr_events;
	uint64_t events[2];
	uint64_t abort_esr;
	uint64_t abort_far;
	uint64_t abort_elr;
	uint64_t serror_esr;
} seen;

/* The guest address of a page that has no memslot behind it. */
static uint64_t mmio_gva;

/*
 * The abort the vCPU of mmio_vm_create() or iabt_vm_create() last took to
 * EL2, whose FAR KVM vouches for: its class and address.
 */
static bool vouched_iabt;
static uint64_t vouched_far;

static void record(enum guest_event ev)
{
	if (seen.nr_events < ARRAY_SIZE(seen.events))
		seen.events[seen.nr_events] = ev;
	seen.nr_events++;
}

/*
 * The injected abort is taken on the instruction the vCPU was about to run,
 * which did not execute: returning to it simply runs it.
 */
static void guest_abort_handler(struct ex_regs *regs)
{
	seen.abort_esr = read_sysreg(esr_el1);
	seen.abort_far = read_sysreg(far_el1);
	seen.abort_elr = regs->pc;
	record(EV_ABORT);
}

/* The abort replaces the load that exited to userspace: skip that load. */
static void guest_abort_skip_handler(struct ex_regs *regs)
{
	guest_abort_handler(regs);
	regs->pc += 4;
}

static void guest_serror_handler(struct ex_regs *regs)
{
	seen.serror_esr = read_sysreg(esr_el1);
	record(EV_SERROR);
}

static void guest_code(void)
{
	/* Take a pending SError as soon as nothing else masks it. */
	asm volatile("msr daifclr, #4" ::: "memory");
	isb();

	for (;;)
		GUEST_SYNC(0);
}

/*
 * Load from a page without a memslot, which exits with KVM_EXIT_MMIO.  The
 * host answers with an abort instead of the data: the handler must see the
 * load itself in ELR_EL1, and the load's destination must keep its value.
 */
static void guest_mmio_code(void)
{
	uint64_t val = DEST_UNTOUCHED, load_pc;

	asm volatile("adr	%[pc], 1f\n"
		     "1:	ldr	%[val], [%[addr]]\n"
		     : [pc] "=&r" (load_pc), [val] "+r" (val)
		     : [addr] "r" (mmio_gva)
		     : "memory");

	GUEST_ASSERT_EQ(seen.nr_events, 1);
	GUEST_ASSERT_EQ(seen.abort_elr, load_pc);
	GUEST_ASSERT_EQ(val, DEST_UNTOUCHED);
	GUEST_DONE();
}

static void install_handlers(struct kvm_vm *vm, struct kvm_vcpu *vcpu, handler_fn abort)
{
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_DABT, abort);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_IABT, abort);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT,
				     guest_serror_handler);
}

static struct kvm_vm *test_vm_create(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	install_handlers(vm, *vcpu, guest_abort_handler);
	return vm;
}

static uint64_t get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;

	vcpu_get_reg(vcpu, id, &val);
	return val;
}

/* Map mmio_gva to the page after the ucall page, which has no memslot. */
static uint64_t mmio_page_map(struct kvm_vm *vm)
{
	uint64_t mmio_gpa = vm->ucall_mmio_addr + vm->page_size;

	mmio_gva = vm_vaddr_unused_gap(vm, vm->page_size, KVM_UTIL_MIN_VADDR);
	virt_map(vm, mmio_gva, mmio_gpa, 1);
	sync_global_to_guest(vm, mmio_gva);
	return mmio_gpa;
}

/* mmio_vm_create() takes FEAT_LPA2 away from the VM */
static bool mmio_drop_lpa2;

/* 4K and 16K granules without 52-bit addresses, before the first run */
static void vm_drop_lpa2(struct kvm_vcpu *vcpu)
{
	uint64_t id = KVM_ARM64_SYS_REG(SYS_ID_AA64MMFR0_EL1);
	uint64_t val = get_reg(vcpu, id);

	if (FIELD_GET(ID_AA64MMFR0_EL1_TGRAN4_MASK, val) == ID_AA64MMFR0_EL1_TGRAN4_52_BIT) {
		val &= ~ID_AA64MMFR0_EL1_TGRAN4_MASK;
		val |= FIELD_PREP(ID_AA64MMFR0_EL1_TGRAN4_MASK, ID_AA64MMFR0_EL1_TGRAN4_IMP);
	}
	if (FIELD_GET(ID_AA64MMFR0_EL1_TGRAN16_MASK, val) == ID_AA64MMFR0_EL1_TGRAN16_52_BIT) {
		val &= ~ID_AA64MMFR0_EL1_TGRAN16_MASK;
		val |= FIELD_PREP(ID_AA64MMFR0_EL1_TGRAN16_MASK, ID_AA64MMFR0_EL1_TGRAN16_IMP);
	}
	vcpu_set_reg(vcpu, id, val);
}

/*
 * A VM whose vCPU has just exited with KVM_EXIT_MMIO on guest_mmio_code's
 * load, a data abort with FnV clear: KVM can vouch for FAR (mmio_gva) of a
 * data abort injected now, not for that of an instruction abort.
 */
static struct kvm_vm *mmio_vm_create(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_mmio_code);
	struct kvm_run *run = (*vcpu)->run;
	uint64_t mmio_gpa;

	if (mmio_drop_lpa2)
		vm_drop_lpa2(*vcpu);
	install_handlers(vm, *vcpu, guest_abort_skip_handler);
	mmio_gpa = mmio_page_map(vm);
	vouched_iabt = false;
	vouched_far = mmio_gva;

	vcpu_run(*vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(*vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == mmio_gpa && !run->mmio.is_write &&
		    run->mmio.len == sizeof(uint64_t),
		    "MMIO exit: addr 0x%llx write %d len %u, expected a load from 0x%lx",
		    run->mmio.phys_addr, run->mmio.is_write, run->mmio.len, mmio_gpa);
	return vm;
}

/* A page whose memslot the host maps PROT_NONE: KVM cannot fault it in. */
#define NOACCESS_GPA		0xc0000000UL
#define NOACCESS_SLOT		10

static uint64_t noaccess_gva;

static void guest_fetch_code(void)
{
	((void (*)(void))noaccess_gva)();
	GUEST_FAIL("the fetch from the PROT_NONE page returned");
}

/*
 * A VM whose vCPU has just taken an instruction abort to EL2 with FnV
 * clear, without hardware: it branches to a page whose memslot's host
 * mapping is PROT_NONE, and KVM_RUN fails with EFAULT, the abort's
 * syndrome and FAR (the fetch's address) recorded.
 */
static struct kvm_vm *iabt_vm_create(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_fetch_code);
	int ret;

	install_handlers(vm, *vcpu, guest_abort_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, NOACCESS_GPA,
				    NOACCESS_SLOT, 1, 0);
	noaccess_gva = vm_vaddr_unused_gap(vm, vm->page_size, KVM_UTIL_MIN_VADDR);
	virt_map(vm, noaccess_gva, NOACCESS_GPA, 1);
	sync_global_to_guest(vm, noaccess_gva);
	TEST_ASSERT(!mprotect(addr_gpa2hva(vm, NOACCESS_GPA), vm->page_size, PROT_NONE),
		    "mprotect(PROT_NONE): errno %d", errno);
	vouched_iabt = true;
	vouched_far = noaccess_gva;

	ret = __vcpu_run(*vcpu);
	TEST_ASSERT(ret == -1 && errno == EFAULT,
		    "fetch from a PROT_NONE memslot: KVM_RUN ret %d errno %d, expected EFAULT",
		    ret, errno);
	TEST_ASSERT(get_reg(*vcpu, ONE_REG_PC) == noaccess_gva,
		    "fetch from a PROT_NONE memslot: PC 0x%lx, expected 0x%lx",
		    get_reg(*vcpu, ONE_REG_PC), noaccess_gva);
	return vm;
}

/* Run until the guest's next GUEST_SYNC, then fetch what it saw. */
static void run_to_sync(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("Unexpected exit: %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
	sync_global_from_guest(vcpu->vm, seen);
}

static int set_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	return __vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, ev);
}

static uint64_t esr_ec(uint64_t esr)
{
	return (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
}

static void abort_request(struct kvm_vcpu_events *ev, bool iabt, bool has_esr, uint64_t iss)
{
	memset(ev, 0, sizeof(*ev));
	ev->exception.ext_dabt_pending = !iabt;
	ev->exception.ext_iabt_pending = iabt;
	ev->exception.ext_abt_has_esr = has_esr;
	ev->exception.ext_abt_esr = iss;
}

/* The vCPU state that taking an exception changes. */
enum { ST_PC, ST_PSTATE, ST_ELR, ST_SPSR, ST_ESR, ST_FAR, ST_IFSR, NR_STATE_REGS };

static const struct {
	const char *name;
	uint64_t id;
} state_regs[NR_STATE_REGS] = {
	[ST_PC] = { "PC", ONE_REG_PC },
	[ST_PSTATE] = { "PSTATE", ONE_REG_PSTATE },
	[ST_ELR] = { "ELR_EL1", ONE_REG_ELR_EL1 },
	[ST_SPSR] = { "SPSR_EL1", ONE_REG_SPSR_EL1 },
	[ST_ESR] = { "ESR_EL1", ONE_REG_ESR_EL1 },
	[ST_FAR] = { "FAR_EL1", ONE_REG_FAR_EL1 },
	[ST_IFSR] = { "IFSR32_EL2", ONE_REG_IFSR32_EL2 },
};

struct vcpu_state {
	uint64_t reg[NR_STATE_REGS];
	bool serror_pending;
};

static void state_read(struct kvm_vcpu *vcpu, struct vcpu_state *s)
{
	struct kvm_vcpu_events ev;
	int i;

	for (i = 0; i < NR_STATE_REGS; i++)
		s->reg[i] = get_reg(vcpu, state_regs[i].id);
	vcpu_events_get(vcpu, &ev);
	s->serror_pending = ev.exception.serror_pending;
}

/*
 * A rejected call must fail with EINVAL and change nothing: no exception
 * taken (PC, PSTATE, the EL1 exception registers) and no SError pending.
 */
static void assert_rejected(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev,
			    const char *what)
{
	struct vcpu_state before, after;
	int ret, i;

	state_read(vcpu, &before);
	ret = set_events(vcpu, ev);
	TEST_ASSERT(ret == -1 && errno == EINVAL,
		    "%s: expected EINVAL, got ret %d errno %d", what, ret, errno);
	state_read(vcpu, &after);
	for (i = 0; i < NR_STATE_REGS; i++)
		TEST_ASSERT(before.reg[i] == after.reg[i],
			    "%s: rejected call changed %s from 0x%lx to 0x%lx",
			    what, state_regs[i].name, before.reg[i], after.reg[i]);
	TEST_ASSERT(before.serror_pending == after.serror_pending,
		    "%s: rejected call left an SError pending", what);
}

static uint64_t vector_offset(uint64_t pstate)
{
	switch (pstate & PSTATE_MODE) {
	case PSR_MODE_EL1h:
		return VEC_CURRENT_SPX;
	case PSR_MODE_EL1t:
		return VEC_CURRENT_SP0;
	case PSR_MODE_EL0t:
		return VEC_LOWER_AARCH64;
	case PSTATE_AA32_USR:
		return VEC_LOWER_AARCH32;
	}
	TEST_FAIL("Unexpected PSTATE 0x%lx", pstate);
	return 0;
}

/*
 * An accepted call has made the vCPU, which was in @before, take the abort:
 * an AArch64 EL1 enters it at once, from the mode it was in, with EC and IL
 * KVM's, and @iss and @far as given; nothing is left pending.
 */
static void assert_taken(struct kvm_vcpu *vcpu, const struct vcpu_state *before,
			 bool iabt, uint64_t iss, uint64_t far, const char *what)
{
	uint64_t offset = vector_offset(before->reg[ST_PSTATE]);
	uint64_t ec = iabt ? EC_IABT_LOW : EC_DABT_LOW;
	uint64_t vbar = get_reg(vcpu, ONE_REG_VBAR_EL1);
	struct kvm_vcpu_events ev;
	struct vcpu_state after;

	/* Taken from the current EL: the EC one above the lower EL's */
	if (offset < VEC_LOWER_AARCH64)
		ec++;

	state_read(vcpu, &after);
	TEST_ASSERT(after.reg[ST_PC] == vbar + offset,
		    "%s: PC 0x%lx, expected VBAR_EL1 0x%lx + 0x%lx",
		    what, after.reg[ST_PC], vbar, offset);
	TEST_ASSERT((after.reg[ST_PSTATE] & (PSTATE_MODE | PSTATE_DAIF)) ==
		    (PSR_MODE_EL1h | PSTATE_DAIF),
		    "%s: PSTATE 0x%lx is not EL1h with DAIF masked", what, after.reg[ST_PSTATE]);
	TEST_ASSERT(after.reg[ST_ELR] == before->reg[ST_PC],
		    "%s: ELR_EL1 0x%lx, expected the old PC 0x%lx",
		    what, after.reg[ST_ELR], before->reg[ST_PC]);
	TEST_ASSERT(after.reg[ST_SPSR] == before->reg[ST_PSTATE],
		    "%s: SPSR_EL1 0x%lx, expected the old PSTATE 0x%lx",
		    what, after.reg[ST_SPSR], before->reg[ST_PSTATE]);
	TEST_ASSERT(after.reg[ST_ESR] == ((ec << ESR_EC_SHIFT) | ESR_IL | iss),
		    "%s: ESR_EL1 0x%lx, expected EC 0x%lx, IL, ISS 0x%lx",
		    what, after.reg[ST_ESR], ec, iss);
	TEST_ASSERT(after.reg[ST_FAR] == far, "%s: FAR_EL1 0x%lx, expected 0x%lx",
		    what, after.reg[ST_FAR], far);

	memset(&ev, 0xff, sizeof(ev));
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT(!ev.exception.ext_dabt_pending && !ev.exception.ext_iabt_pending &&
		    !ev.exception.ext_abt_has_esr && !ev.exception.ext_abt_esr,
		    "%s: KVM_GET_VCPU_EVENTS still reports an abort", what);
}

/* Make the request, expect success, and check the abort was taken at once. */
static void assert_accepted(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev, bool iabt,
			    uint64_t expect_iss, uint64_t expect_far, const char *what)
{
	struct vcpu_state before;
	int ret;

	state_read(vcpu, &before);
	ret = set_events(vcpu, ev);
	TEST_ASSERT(!ret, "%s: rejected, errno %d", what, errno);
	assert_taken(vcpu, &before, iabt, expect_iss, expect_far, what);
}

static void inject_taken(struct kvm_vcpu *vcpu, bool iabt, bool has_esr, uint64_t iss,
			 uint64_t expect_iss, uint64_t expect_far, const char *what)
{
	struct kvm_vcpu_events ev;

	abort_request(&ev, iabt, has_esr, iss);
	assert_accepted(vcpu, &ev, iabt, expect_iss, expect_far, what);
}

/* No abort exit before the injection: KVM cannot vouch for any address. */
static void test_iabt_without_exit(void)
{
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	ev.exception.ext_iabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	run_to_sync(vcpu);

	TEST_ASSERT_EQ(seen.nr_events, 1);
	TEST_ASSERT_EQ(seen.events[0], EV_ABORT);
	TEST_ASSERT_EQ(esr_ec(seen.abort_esr), ESR_EC_IABT);
	TEST_ASSERT_EQ(seen.abort_esr & ESR_ISS_FSC, FSC_EXTABT);
	TEST_ASSERT(seen.abort_esr & ESR_ISS_FNV, "FnV clear: ESR_EL1 0x%lx",
		    seen.abort_esr);
	TEST_ASSERT_EQ(seen.abort_far, 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("iabt without a prior abort exit has FnV set\n");
}

/*
 * After an abort exit, FAR is that exit's.  A ucall is an MMIO exit: the
 * guest's FAR must be the ucall page's address.
 */
static void test_dabt_after_exit(void)
{
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	run_to_sync(vcpu);
	ev.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	run_to_sync(vcpu);

	TEST_ASSERT_EQ(seen.nr_events, 1);
	TEST_ASSERT_EQ(esr_ec(seen.abort_esr), ESR_EC_DABT);
	TEST_ASSERT_EQ(seen.abort_esr & ESR_ISS_FSC, FSC_EXTABT);
	TEST_ASSERT(!(seen.abort_esr & ESR_ISS_FNV), "FnV set: ESR_EL1 0x%lx",
		    seen.abort_esr);
	TEST_ASSERT_EQ(addr_gva2gpa(vm, seen.abort_far), vm->ucall_mmio_addr);

	kvm_vm_free(vm);
	ksft_test_result_pass("dabt after an abort exit reports its FAR\n");
}

/*
 * IL is 1 in every injected abort, whatever the vCPU last trapped on: here
 * nothing, as the vCPU never ran.
 */
static void test_il(void)
{
	static const struct {
		const char *name;
		bool iabt, has_esr;
	} cases[] = {
		{ "dabt, KVM's syndrome", false, false },
		{ "dabt, supplied syndrome", false, true },
		{ "iabt, KVM's syndrome", true, false },
		{ "iabt, supplied syndrome", true, true },
	};
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t esr, iss;
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		vm = test_vm_create(&vcpu);
		iss = 0;
		if (cases[i].has_esr)
			iss = FSC_EXTABT | ESR_ISS_FNV;
		abort_request(&ev, cases[i].iabt, cases[i].has_esr, iss);
		ret = set_events(vcpu, &ev);
		TEST_ASSERT(!ret, "%s: rejected, errno %d", cases[i].name, errno);
		esr = get_reg(vcpu, ONE_REG_ESR_EL1);
		TEST_ASSERT(esr & ESR_IL, "%s: IL clear, ESR_EL1 0x%lx", cases[i].name, esr);
		kvm_vm_free(vm);
	}

	ksft_test_result_pass("IL set in aborts injected into a vCPU that never ran\n");
}

/* A vCPU whose EL1 is AArch32, never run; NULL if KVM cannot make one. */
static struct kvm_vcpu *aarch32_vcpu_create(struct kvm_vm **vm)
{
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;

	if (!kvm_has_cap(KVM_CAP_ARM_EL1_32BIT))
		return NULL;

	*vm = vm_create_barebones();
	vm_ioctl(*vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu = __vm_vcpu_add(*vm, 0);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
	return vcpu;
}

/*
 * AArch32 EL1: with no address to vouch for, DFSR/IFSR carry FnV (bit 16)
 * and DFAR/IFAR are 0, in both the short-descriptor and the LPAE format.
 * The vCPU never ran, and the abort is taken in the call all the same: PC
 * at the data or prefetch abort vector, in Abort mode.
 */
static void test_aarch32_fnv(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t fsr, far, addr, pc, mode;
	bool iabt, lpae;
	int i, ret;

	for (i = 0; i < 4; i++) {
		iabt = i & 1;
		lpae = i & 2;

		vcpu = aarch32_vcpu_create(&vm);
		if (!vcpu) {
			ksft_test_result_skip("AArch32 EL1 FnV: no KVM_CAP_ARM_EL1_32BIT\n");
			return;
		}
		vcpu_set_reg(vcpu, KVM_ARM64_SYS_REG(SYS_TCR_EL1), lpae ? TTBCR_EAE : 0);
		vcpu_set_reg(vcpu, ONE_REG_VBAR_EL1, AA32_TEST_VBAR);

		abort_request(&ev, iabt, false, 0);
		ret = set_events(vcpu, &ev);
		TEST_ASSERT(!ret, "AArch32 %s: rejected, errno %d",
			    iabt ? "prefetch abort" : "data abort", errno);

		pc = get_reg(vcpu, ONE_REG_PC);
		mode = get_reg(vcpu, ONE_REG_PSTATE) & AA32_MODE_MASK;
		TEST_ASSERT(pc == AA32_TEST_VBAR + (iabt ? AA32_VEC_PABT : AA32_VEC_DABT) &&
			    mode == AA32_MODE_ABT,
			    "AArch32 %s not taken at SET: PC 0x%lx, mode 0x%lx",
			    iabt ? "prefetch abort" : "data abort", pc, mode);

		/* DFSR is ESR_EL1[31:0], IFSR is IFSR32_EL2 */
		fsr = get_reg(vcpu, iabt ? ONE_REG_IFSR32_EL2 : ONE_REG_ESR_EL1);
		fsr &= GENMASK_ULL(31, 0);
		far = get_reg(vcpu, ONE_REG_FAR_EL1);
		addr = iabt ? far >> 32 : far & GENMASK_ULL(31, 0);

		TEST_ASSERT(fsr & AA32_FSR_FNV, "AArch32 %s, %s format: FnV clear in %s 0x%lx",
			    iabt ? "prefetch abort" : "data abort",
			    lpae ? "LPAE" : "short", iabt ? "IFSR" : "DFSR", fsr);
		if (lpae)
			TEST_ASSERT((fsr & (AA32_FSR_LPAE | AA32_FSR_LPAE_STATUS)) ==
				    (AA32_FSR_LPAE | FSC_EXTABT),
				    "AArch32 LPAE FSR 0x%lx: not an external abort", fsr);
		else
			TEST_ASSERT((fsr & AA32_FSR_SHORT_FS) == AA32_FSR_SHORT_EXTABT,
				    "AArch32 short FSR 0x%lx: not an external abort", fsr);
		TEST_ASSERT(!addr, "AArch32 %s: %s 0x%lx, expected 0",
			    iabt ? "prefetch abort" : "data abort",
			    iabt ? "IFAR" : "DFAR", addr);

		kvm_vm_free(vm);
	}

	ksft_test_result_pass("AArch32 EL1: FnV set and DFAR/IFAR 0 without a vouched FAR\n");
}

/*
 * The abort is taken in KVM_SET_VCPU_EVENTS itself, from whichever mode the
 * vCPU is in, and each call takes one: a second call takes the abort again,
 * from the vector the first one entered.
 */
static void test_taken_at_set(void)
{
	static const struct {
		const char *name;
		uint64_t pstate;
	} modes[] = {
		{ "EL1h", PSR_MODE_EL1h },
		{ "EL1t", PSR_MODE_EL1t },
		{ "AArch64 EL0", PSR_MODE_EL0t },
		{ "AArch32 EL0", PSTATE_AA32_USR },
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);
	uint64_t pc = get_reg(vcpu, ONE_REG_PC), pfr0;
	int nr_modes = 0, i, iabt;
	bool aa32_el0;
	char what[64];

	pfr0 = get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1));
	aa32_el0 = FIELD_GET(ID_AA64PFR0_EL1_EL0_MASK, pfr0) == ID_AA64PFR0_EL1_EL0_AARCH32;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (modes[i].pstate == PSTATE_AA32_USR && !aa32_el0) {
			ksft_print_msg("AArch32 EL0 not implemented: not tested\n");
			continue;
		}
		for (iabt = 0; iabt < 2; iabt++) {
			snprintf(what, sizeof(what), "%s from %s",
				 iabt ? "iabt" : "dabt", modes[i].name);
			/* DAIF clear, so that the new PSTATE differs from the old one */
			vcpu_set_reg(vcpu, ONE_REG_PSTATE, modes[i].pstate);
			vcpu_set_reg(vcpu, ONE_REG_PC, pc);
			/* Never run: no FAR vouched */
			inject_taken(vcpu, iabt, false, 0, FSC_EXTABT | ESR_ISS_FNV, 0, what);
		}
		nr_modes++;
	}

	/*
	 * The vCPU is now in EL1h, at the vector the last call entered: one
	 * more call takes the abort again, with ELR_EL1 that vector.
	 */
	inject_taken(vcpu, false, false, 0, FSC_EXTABT | ESR_ISS_FNV, 0,
		     "dabt injected twice");

	kvm_vm_free(vm);
	ksft_test_result_pass("abort taken in KVM_SET_VCPU_EVENTS, from %d modes\n",
			      nr_modes);
}

/*
 * An abort injected after a KVM_EXIT_MMIO load replaces that load: the MMIO
 * data userspace left in kvm_run is not written to the load's destination,
 * and the guest's handler sees the load's own address in ELR_EL1.
 */
static void test_mmio_dropped(void)
{
	uint64_t marker = MMIO_DATA_MARKER, load_pc;
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = mmio_vm_create(&vcpu);
	struct ucall uc;

	load_pc = get_reg(vcpu, ONE_REG_PC);
	memcpy(vcpu->run->mmio.data, &marker, sizeof(marker));
	abort_request(&ev, false, false, 0);
	vcpu_events_set(vcpu, &ev);

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("Unexpected exit: %s",
			  exit_reason_str(vcpu->run->exit_reason));
	}
	sync_global_from_guest(vm, seen);
	TEST_ASSERT_EQ(seen.nr_events, 1);
	TEST_ASSERT_EQ(seen.abort_elr, load_pc);

	kvm_vm_free(vm);
	ksft_test_result_pass("abort after an MMIO exit: load not completed, ELR at the load\n");
}

/*
 * A supplied syndrome with FnV clear says FAR is valid: on a vCPU that never
 * ran, KVM has no address to put there, so it must refuse.  A walk FSC has
 * FnV RES0, so it is refused too.  With FnV set, FAR is 0 and all is fine.
 */
static void test_far_rule_fresh(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	abort_request(&ev, false, true, FSC_EXTABT);
	assert_rejected(vcpu, &ev, "dabt, FnV clear, vCPU never ran");
	abort_request(&ev, true, true, FSC_EXTABT);
	assert_rejected(vcpu, &ev, "iabt, FnV clear, vCPU never ran");
	abort_request(&ev, false, true, FSC_SEA_TTW0);
	assert_rejected(vcpu, &ev, "dabt, walk FSC, vCPU never ran");

	inject_taken(vcpu, false, true, FSC_EXTABT | ESR_ISS_FNV,
		     FSC_EXTABT | ESR_ISS_FNV, 0, "dabt, FnV set, vCPU never ran");
	inject_taken(vcpu, true, true, FSC_EXTABT | ESR_ISS_FNV,
		     FSC_EXTABT | ESR_ISS_FNV, 0, "iabt, FnV set, vCPU never ran");

	kvm_vm_free(vm);
	ksft_test_result_pass("supplied FnV clear refused without a vouched FAR\n");
}

/*
 * After a data abort exit (MMIO), KVM vouches for the FAR of a data abort,
 * but not of an instruction abort: a data address is no instruction address.
 */
static void test_far_rule_after_mmio(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = mmio_vm_create(&vcpu);

	abort_request(&ev, true, true, FSC_EXTABT);
	assert_rejected(vcpu, &ev, "iabt, FnV clear, after a data abort exit");

	inject_taken(vcpu, false, true, FSC_EXTABT, FSC_EXTABT, mmio_gva,
		     "dabt, FnV clear, after a data abort exit");

	kvm_vm_free(vm);
	ksft_test_result_pass("FnV clear after an MMIO exit: dabt gets its FAR, iabt refused\n");
}

/* A loop that counts in x0 and touches no memory: it takes no abort. */
static void guest_count(void)
{
	asm volatile("1:	add	x0, x0, #1\n"
		     "	b	1b\n" : : : "x0");
}

static void sigalrm_ignore(int sig)
{
}

/*
 * Run guest_count until a signal interrupts KVM_RUN: the vCPU entered the
 * guest (x0 counted) and left it on an interrupt, which records no abort.
 */
static void run_until_signal(struct kvm_vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = sigalrm_ignore };
	struct itimerval it = { .it_value.tv_usec = 200000 };
	int ret;

	vcpu_set_reg(vcpu, ONE_REG_PC, (uint64_t)guest_count);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), 0);
	TEST_ASSERT(!sigaction(SIGALRM, &sa, NULL), "sigaction: errno %d", errno);
	TEST_ASSERT(!setitimer(ITIMER_REAL, &it, NULL), "setitimer: errno %d", errno);
	ret = __vcpu_run(vcpu);
	TEST_ASSERT(ret == -1 && errno == EINTR,
		    "KVM_RUN interrupted by a signal: ret %d errno %d, expected EINTR", ret, errno);
	TEST_ASSERT(get_reg(vcpu, ARM64_CORE_REG(regs.regs[0])),
		    "the guest did not run before the signal");
}

/*
 * KVM vouches for no data abort's address @when: a supplied syndrome with
 * FnV clear is refused, and its own has FnV set and FAR 0.
 */
static void assert_not_vouched(struct kvm_vcpu *vcpu, const char *when)
{
	struct kvm_vcpu_events ev;
	char what[80];

	snprintf(what, sizeof(what), "dabt, FnV clear, %s", when);
	abort_request(&ev, false, true, FSC_EXTABT);
	assert_rejected(vcpu, &ev, what);
	snprintf(what, sizeof(what), "dabt, KVM's syndrome, %s", when);
	inject_taken(vcpu, false, false, 0, FSC_EXTABT | ESR_ISS_FNV, 0, what);
}

/*
 * A vCPU reset forgets the last abort: after KVM_ARM_VCPU_INIT, the MMIO
 * abort the vCPU took before is no address KVM may vouch for.  A run that
 * only an interrupt ends comes in between, as a reset vCPU would run
 * before its VMM injects: in protected mode each run copies the
 * hypervisor's view of the vCPU back to the host, which must not bring
 * the old abort back.  guest_count runs once before the MMIO exit, so
 * that its page is mapped and the run after the reset takes no abort.
 */
static void test_reset_forgets(void)
{
	uint64_t sp;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_mmio_code);

	install_handlers(vm, vcpu, guest_abort_skip_handler);
	mmio_page_map(vm);
	run_until_signal(vcpu);
	vcpu_set_reg(vcpu, ONE_REG_PC, (uint64_t)guest_mmio_code);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_MMIO);
	/* Complete the load without entering the guest */
	vcpu_run_complete_io(vcpu);

	sp = get_reg(vcpu, ARM64_CORE_REG(sp_el1));
	aarch64_vcpu_setup(vcpu, NULL);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(sp_el1), sp);
	run_until_signal(vcpu);

	assert_not_vouched(vcpu, "after a reset");
	kvm_vm_free(vm);
	ksft_test_result_pass("a vCPU reset forgets the last abort: FnV set, FnV clear refused\n");
}

/* PSCI_VERSION, which the SMCCC filter hands to userspace */
#define FWD_FUNC		0x84000000UL

/* An MMIO load, then a hypercall: its exit is the last exception to EL2. */
static void guest_mmio_hvc_code(void)
{
	uint64_t val;

	asm volatile("ldr	%[val], [%[addr]]\n"
		     : [val] "=r" (val) : [addr] "r" (mmio_gva) : "memory");
	asm volatile("mov	x0, %[func]\n"
		     "hvc	#0\n"
		     : : [func] "r" (FWD_FUNC)
		     : "x0", "x1", "x2", "x3", "memory");
	GUEST_DONE();
}

/*
 * After an exception that is not an abort (a hypercall the SMCCC filter
 * forwards to userspace), KVM vouches for no FAR, not even for the one of
 * the data abort before it: FnV set, a supplied FnV clear refused.
 */
static void test_not_an_abort_last(void)
{
	struct kvm_smccc_filter filter = {
		.base = FWD_FUNC, .nr_functions = 1,
		.action = KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_mmio_hvc_code);

	install_handlers(vm, vcpu, guest_abort_handler);
	mmio_page_map(vm);
	kvm_device_attr_set(vm->fd, KVM_ARM_VM_SMCCC_CTRL, KVM_ARM_VM_SMCCC_FILTER, &filter);

	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_MMIO);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_HYPERCALL);
	TEST_ASSERT_EQ(vcpu->run->hypercall.nr, FWD_FUNC);

	assert_not_vouched(vcpu, "after a hypercall exit");
	kvm_vm_free(vm);
	ksft_test_result_pass("after a hypercall exit: FnV set, FnV clear refused\n");
}

/* The features of the VM that the architecture's rules depend on. */
struct vm_features {
	bool ras;	/* FEAT_RAS */
	bool rasv2;	/* FEAT_RASv2 */
	bool lpa2;	/* FEAT_LPA2 */
};

static void vm_features_read(struct kvm_vcpu *vcpu, struct vm_features *f)
{
	uint64_t pfr0 = get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1));
	uint64_t mmfr0 = get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64MMFR0_EL1));
	uint64_t ras = FIELD_GET(ID_AA64PFR0_EL1_RAS_MASK, pfr0);

	f->ras = ras >= ID_AA64PFR0_EL1_RAS_IMP;
	f->rasv2 = ras >= ID_RAS_V2;
	f->lpa2 = FIELD_GET(ID_AA64MMFR0_EL1_TGRAN4_MASK, mmfr0) ==
		  ID_AA64MMFR0_EL1_TGRAN4_52_BIT ||
		  FIELD_GET(ID_AA64MMFR0_EL1_TGRAN16_MASK, mmfr0) ==
		  ID_AA64MMFR0_EL1_TGRAN16_52_BIT;
}

enum fsc_kind {
	FSC_OTHER,	/* not an external abort: translation, permission, ... */
	FSC_SEA,	/* synchronous external abort */
	FSC_ECC,	/* synchronous parity or ECC error: only without FEAT_RAS */
	FSC_NEVER,	/* a code KVM cannot inject */
};

/*
 * The Arm ARM's DFSC/IFSC codes of the external abort family (ESR_ELx), and
 * which ISS fields the architecture defines with each.  Every other code is
 * something else (translation fault, permission fault, alignment, ...).
 */
static const struct {
	const char *name;
	enum fsc_kind kind;
	bool lpa2;	/* a level -1 walk: only with FEAT_LPA2 */
	bool fnv;	/* FnV is defined (RES0 otherwise) */
	bool set;	/* SET is defined, with FEAT_RAS */
} arch_fsc[64] = {
	[0x10] = { "SEA not on walk", FSC_SEA, .fnv = true, .set = true },
	[0x11] = { "tag check fault (data) / reserved (instruction)", FSC_NEVER },
	[0x12] = { "SEA on walk level -2 (FEAT_D128)", FSC_NEVER },
	[0x13] = { "SEA on walk level -1", FSC_SEA, .lpa2 = true, .set = true },
	[0x14] = { "SEA on walk level 0", FSC_SEA, .set = true },
	[0x15] = { "SEA on walk level 1", FSC_SEA, .set = true },
	[0x16] = { "SEA on walk level 2", FSC_SEA, .set = true },
	[0x17] = { "SEA on walk level 3", FSC_SEA, .set = true },
	[0x18] = { "parity/ECC not on walk", FSC_ECC },
	[0x1b] = { "parity/ECC on walk level -1", FSC_ECC, .lpa2 = true },
	[0x1c] = { "parity/ECC on walk level 0", FSC_ECC },
	[0x1d] = { "parity/ECC on walk level 1", FSC_ECC },
	[0x1e] = { "parity/ECC on walk level 2", FSC_ECC },
	[0x1f] = { "parity/ECC on walk level 3", FSC_ECC },
};

/* The ISS fields a VMM may supply at all */
#define ISS_SUPPLIABLE	(ESR_ISS_FSC | ESR_ISS_WNR | ESR_ISS_CM | ESR_ISS_EA | \
			 ESR_ISS_FNV | ESR_ISS_SET | ESR_ISS_WU)

/*
 * Why the architecture (and, last, the FAR rule) forbids injecting @iss, or
 * NULL when it is allowed.
 */
static const char *refusal(const struct vm_features *f, bool iabt, bool far_vouched,
			   uint64_t iss)
{
	uint64_t fsc = iss & ESR_ISS_FSC, set = FIELD_GET(ESR_ISS_SET, iss);
	uint64_t wu = FIELD_GET(ESR_ISS_WU, iss);

	if (iss & ~ISS_SUPPLIABLE)
		return "S1PTW, ISS[23:13] but WU, ISV or a bit above the ISS";
	if (iabt && (iss & (ESR_ISS_WNR | ESR_ISS_CM | ESR_ISS_WU)))
		return "WnR, CM or WU in an instruction abort";
	/* D24.2.45: cache maintenance and AT report WnR = 1, always */
	if ((iss & ESR_ISS_CM) && !(iss & ESR_ISS_WNR))
		return "CM without WnR";
	/* Write Update: FEAT_RASv2, an external abort not on a walk */
	if (wu) {
		if (!f->rasv2)
			return "WU without FEAT_RASv2";
		if (fsc != FSC_EXTABT)
			return "WU with an FSC other than 0x10";
		if (wu == WU_RESERVED)
			return "WU reserved (0b01)";
	}

	switch (arch_fsc[fsc].kind) {
	case FSC_OTHER:
		return "not an external abort";
	case FSC_NEVER:
		return "not injectable";
	case FSC_ECC:
		if (f->ras)
			return "parity/ECC code on a VM with FEAT_RAS";
		break;
	case FSC_SEA:
		break;
	}
	if (arch_fsc[fsc].lpa2 && !f->lpa2)
		return "level -1 without FEAT_LPA2";
	if ((iss & ESR_ISS_FNV) && !arch_fsc[fsc].fnv)
		return "FnV with an FSC other than 0x10";

	if (set) {
		if (!f->ras)
			return "SET without FEAT_RAS";
		if (!arch_fsc[fsc].set)
			return "SET with an FSC that has none";
		if (set == SET_RESERVED)
			return "SET reserved (0b01)";
		if (set == SET_UC && f->rasv2)
			return "SET uncontainable with FEAT_RASv2";
	}

	/* Not the architecture: KVM cannot report an address it does not know */
	if (!(iss & ESR_ISS_FNV) && !far_vouched)
		return "FnV clear, FAR not vouched for";

	return NULL;
}

/*
 * The branches of the architecture's table that depend on the VM: each must
 * be hit in a run whose VMs can reach it (test_branches()).
 */
enum branch {
	WU_TAKEN,		/* WU on a FEAT_RASv2 VM */
	ECC_TAKEN,		/* a parity/ECC code on a VM without FEAT_RAS */
	LEVEL_M1_TAKEN,		/* a level -1 walk on a FEAT_LPA2 VM */
	LEVEL_M1_REFUSED,	/* a level -1 walk on a VM without FEAT_LPA2 */
	NR_BRANCHES,
};

static int branch_hits[NR_BRANCHES];
/* Which VMs test_syndromes() ran: RASv2, without RAS, LPA2, without LPA2 */
static bool branch_vm[NR_BRANCHES];

static void branch_count(const struct vm_features *f, bool taken, uint64_t iss)
{
	uint64_t fsc = iss & ESR_ISS_FSC;

	if (taken && (iss & ESR_ISS_WU))
		branch_hits[WU_TAKEN]++;
	if (taken && arch_fsc[fsc].kind == FSC_ECC)
		branch_hits[ECC_TAKEN]++;
	if (taken && arch_fsc[fsc].lpa2)
		branch_hits[LEVEL_M1_TAKEN]++;
	if (!taken && arch_fsc[fsc].lpa2 && !f->lpa2)
		branch_hits[LEVEL_M1_REFUSED]++;
}

/* The ISS fields combined in test_syndromes(), with every FSC */
static const uint64_t combined_fields[] = {
	ESR_ISS_WNR, ESR_ISS_CM, ESR_ISS_EA, ESR_ISS_FNV,
	BIT_ULL(11), BIT_ULL(12),	/* SET */
	BIT_ULL(16), BIT_ULL(17),	/* WU */
};

/*
 * Check one syndrome against the expectation: a refused one changes
 * nothing, an accepted one is taken with that syndrome.
 */
static bool check_syndrome(struct kvm_vcpu *vcpu, const struct vm_features *f,
			   bool iabt, uint64_t iss)
{
	/* The vCPU's last exception to EL2 was an abort, FnV clear */
	const char *why = refusal(f, iabt, iabt == vouched_iabt, iss);
	uint64_t fsc = iss & ESR_ISS_FSC;
	const char *fsc_name = arch_fsc[fsc].name;
	struct kvm_vcpu_events ev;
	char what[160];

	snprintf(what, sizeof(what), "%s after an %s exit, ISS 0x%lx (FSC 0x%02lx, %s): %s",
		 iabt ? "iabt" : "dabt", vouched_iabt ? "iabt" : "dabt", iss, fsc,
		 fsc_name ? fsc_name : "not an external abort",
		 why ? why : "allowed");

	abort_request(&ev, iabt, true, iss);
	branch_count(f, !why, iss);
	if (why) {
		assert_rejected(vcpu, &ev, what);
		return false;
	}

	/*
	 * The architecture allows FnV with FSC 0x10 only, and the FAR rule
	 * needs FnV for an abort of the other class than the exit's: no other
	 * syndrome of that class can be accepted here.
	 */
	TEST_ASSERT(iabt == vouched_iabt ||
		    (iss & (ESR_ISS_FSC | ESR_ISS_FNV)) == (FSC_EXTABT | ESR_ISS_FNV),
		    "%s: the test's table is wrong", what);

	assert_accepted(vcpu, &ev, iabt, iss, (iss & ESR_ISS_FNV) ? 0 : vouched_far, what);
	return true;
}

/*
 * Every FSC with every combination of FnV, SET, WU, WnR, CM and EA, then
 * every other ISS bit and every bit above the ISS on its own, against the
 * architecture's table, on a vCPU that has just taken an abort to EL2 with
 * FnV clear: a data abort (an MMIO exit) or an instruction abort (a fetch
 * KVM cannot fault in).  Each accepted one is taken: PC moves on, but the
 * vCPU's last exception to EL2 is still that abort, whose FAR KVM vouches
 * for an abort of its class.
 */
static void test_syndromes(bool iabt, bool after_iabt, bool no_lpa2)
{
	static const uint64_t bases[] = { FSC_EXTABT, FSC_EXTABT | ESR_ISS_FNV };
	int accepted = 0, refused = 0, fsc, comb, field, bit, b;
	struct vm_features f;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t iss;

	mmio_drop_lpa2 = no_lpa2;
	vm = after_iabt ? iabt_vm_create(&vcpu) : mmio_vm_create(&vcpu);
	mmio_drop_lpa2 = false;
	vm_features_read(vcpu, &f);
	TEST_ASSERT(!no_lpa2 || !f.lpa2, "FEAT_LPA2 could not be taken from the VM");
	branch_vm[WU_TAKEN] |= f.rasv2;
	branch_vm[ECC_TAKEN] |= !f.ras;
	branch_vm[LEVEL_M1_TAKEN] |= f.lpa2;
	branch_vm[LEVEL_M1_REFUSED] |= !f.lpa2;

	for (fsc = 0; fsc < 64; fsc++) {
		for (comb = 0; comb < BIT(ARRAY_SIZE(combined_fields)); comb++) {
			iss = fsc;
			for (field = 0; field < ARRAY_SIZE(combined_fields); field++)
				if (comb & BIT(field))
					iss |= combined_fields[field];
			if (check_syndrome(vcpu, &f, iabt, iss))
				accepted++;
			else
				refused++;
		}
	}

	for (b = 0; b < ARRAY_SIZE(bases); b++) {
		for (bit = 0; bit < 64; bit++) {
			if (BIT_ULL(bit) & ISS_SUPPLIABLE)
				continue;
			if (check_syndrome(vcpu, &f, iabt, bases[b] | BIT_ULL(bit)))
				accepted++;
			else
				refused++;
		}
	}

	/*
	 * Counted apart from the table, the aborts of the other class than
	 * the exit's: FSC 0x10 with FnV, EA or not, and each SET value the VM
	 * may report (none, 0b10 but under FEAT_RASv2, 0b11); for a data
	 * abort also WnR and CM (neither, WnR, both) and the WU values
	 * (0b00, and 0b10 and 0b11 under FEAT_RASv2).
	 */
	if (iabt != after_iabt)
		TEST_ASSERT_EQ(accepted, 2 * (f.ras ? (f.rasv2 ? 2 : 3) : 1) *
					 (iabt ? 1 : 3 * (f.rasv2 ? 3 : 1)));

	kvm_vm_free(vm);
	ksft_test_result_pass("%s ISS, %s exit: RAS %d RASv2 %d LPA2 %d, %d taken, %d refused\n",
			      iabt ? "iabt" : "dabt", after_iabt ? "iabt" : "dabt",
			      f.ras, f.rasv2, f.lpa2, accepted, refused);
}

/*
 * Each VM-dependent branch of the table was hit, or no VM of this run could
 * reach it: then it is a SKIP that names it.  (A VM without FEAT_RAS cannot
 * be made on a host that has it: ID_AA64PFR0_EL1.RAS is not writable.)
 */
static void test_branches(void)
{
	static const char *const what[NR_BRANCHES] = {
		[WU_TAKEN] = "WU taken on a FEAT_RASv2 VM",
		[ECC_TAKEN] = "parity/ECC FSCs taken on a VM without FEAT_RAS",
		[LEVEL_M1_TAKEN] = "level -1 FSCs taken on a FEAT_LPA2 VM",
		[LEVEL_M1_REFUSED] = "level -1 FSCs refused on a VM without FEAT_LPA2",
	};
	static const char *const why[NR_BRANCHES] = {
		[WU_TAKEN] = "no VM with FEAT_RASv2: the host lacks it",
		[ECC_TAKEN] = "no VM without FEAT_RAS: the host has it, KVM keeps it",
		[LEVEL_M1_TAKEN] = "no VM with FEAT_LPA2: the host lacks it",
		[LEVEL_M1_REFUSED] = "no VM without FEAT_LPA2",
	};
	int b;

	for (b = 0; b < NR_BRANCHES; b++) {
		if (!branch_vm[b])
			ksft_test_result_skip("%s: %s\n", what[b], why[b]);
		else
			ksft_test_result(branch_hits[b] > 0, "%s: %d cases\n", what[b],
					 branch_hits[b]);
	}
}

static void test_rejected_requests(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	run_to_sync(vcpu);

	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.ext_dabt_pending = 1;
	ev.exception.ext_iabt_pending = 1;
	assert_rejected(vcpu, &ev, "dabt and iabt both pending");

	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.ext_abt_has_esr = 1;
	ev.exception.ext_abt_esr = FSC_EXTABT;
	assert_rejected(vcpu, &ev, "ext_abt_has_esr without a pending abort");

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	ev.exception.ext_abt_esr = FSC_EXTABT;
	assert_rejected(vcpu, &ev, "ext_abt_esr without ext_abt_has_esr");

	/* The SError half is checked before the abort is injected */
	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = 1;
	ev.exception.serror_esr = BIT_ULL(25);
	ev.exception.ext_dabt_pending = 1;
	assert_rejected(vcpu, &ev, "an SError ESR with a bit above the ISS, and a dabt");

	kvm_vm_free(vm);
	ksft_test_result_pass("invalid requests fail with EINVAL, inject nothing\n");
}

/*
 * The new fields take 0 or 1 only, to keep their other values for later;
 * ext_dabt_pending keeps its old meaning, any non-zero value.
 */
static void test_zero_or_one(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	abort_request(&ev, true, false, 0);
	ev.exception.ext_iabt_pending = 2;
	assert_rejected(vcpu, &ev, "ext_iabt_pending = 2");

	abort_request(&ev, false, true, FSC_EXTABT | ESR_ISS_FNV);
	ev.exception.ext_abt_has_esr = 2;
	assert_rejected(vcpu, &ev, "ext_abt_has_esr = 2");

	abort_request(&ev, false, false, 0);
	ev.exception.ext_dabt_pending = 2;
	assert_accepted(vcpu, &ev, false, FSC_EXTABT | ESR_ISS_FNV, 0, "ext_dabt_pending = 2");

	kvm_vm_free(vm);
	ksft_test_result_pass("ext_iabt_pending and ext_abt_has_esr take 0 or 1 only\n");
}

/* Both requested in one call: both arrive, the abort first. */
static void test_serror_and_abort(void)
{
	bool serror_esr = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	/* A ucall is a data abort exit: FnV clear is allowed after it. */
	run_to_sync(vcpu);
	ev.exception.serror_pending = 1;
	if (serror_esr) {
		ev.exception.serror_has_esr = 1;
		ev.exception.serror_esr = 0x1234;
	}
	ev.exception.ext_dabt_pending = 1;
	ev.exception.ext_abt_has_esr = 1;
	ev.exception.ext_abt_esr = FSC_EXTABT | ESR_ISS_WNR;
	vcpu_events_set(vcpu, &ev);
	run_to_sync(vcpu);

	TEST_ASSERT_EQ(seen.nr_events, 2);
	TEST_ASSERT_EQ(seen.events[0], EV_ABORT);
	TEST_ASSERT_EQ(seen.events[1], EV_SERROR);
	TEST_ASSERT_EQ(seen.abort_esr & ESR_ISS, FSC_EXTABT | ESR_ISS_WNR);
	TEST_ASSERT_EQ(esr_ec(seen.serror_esr), EC_SERROR);
	if (serror_esr)
		TEST_ASSERT_EQ(seen.serror_esr & ESR_ISS, 0x1234);

	kvm_vm_free(vm);
	ksft_test_result_pass("SError and abort in one call: abort, then SError\n");
}

static void test_get_reads_zero(void)
{
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	ev.exception.ext_iabt_pending = 1;
	ev.exception.ext_abt_has_esr = 1;
	ev.exception.ext_abt_esr = FSC_EXTABT | ESR_ISS_FNV;
	vcpu_events_set(vcpu, &ev);

	memset(&ev, 0xff, sizeof(ev));
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT_EQ(ev.exception.ext_dabt_pending, 0);
	TEST_ASSERT_EQ(ev.exception.ext_iabt_pending, 0);
	TEST_ASSERT_EQ(ev.exception.ext_abt_has_esr, 0);
	TEST_ASSERT_EQ(ev.exception.ext_abt_esr, 0);

	kvm_vm_free(vm);
	ksft_test_result_pass("KVM_GET_VCPU_EVENTS reads the new fields as 0\n");
}

/* An AArch64 ISS means nothing to an AArch32 EL1: refused. */
static void test_aarch32_has_esr(void)
{
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vcpu = aarch32_vcpu_create(&vm);
	if (!vcpu) {
		ksft_test_result_skip("AArch32 EL1 syndrome: no KVM_CAP_ARM_EL1_32BIT\n");
		return;
	}

	abort_request(&ev, false, true, FSC_EXTABT | ESR_ISS_FNV);
	assert_rejected(vcpu, &ev, "AArch32 EL1, dabt with a syndrome");
	abort_request(&ev, true, true, FSC_EXTABT | ESR_ISS_FNV);
	assert_rejected(vcpu, &ev, "AArch32 EL1, iabt with a syndrome");

	kvm_vm_free(vm);
	ksft_test_result_pass("AArch32 EL1: ext_abt_has_esr refused\n");
}

static unsigned long kernel_taint(void)
{
	unsigned long taint = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	TEST_ASSERT(f && fscanf(f, "%lu", &taint) == 1,
		    "cannot read /proc/sys/kernel/tainted");
	fclose(f);
	return taint;
}

/*
 * On an AArch32 vCPU, aborts injected back to back (no KVM_RUN in between)
 * are each taken.  The AArch32 prefetch abort's encoding in the vCPU flags
 * shares its bit with INCREMENT_PC, which once made the second injection
 * warn: the kernel's taint shows it.
 */
static void test_aarch32_twice(void)
{
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	if (kernel_taint() & TAINT_WARN) {
		ksft_test_result_skip("AArch32 EL1: kernel taint W already set\n");
		return;
	}
	vcpu = aarch32_vcpu_create(&vm);
	if (!vcpu) {
		ksft_test_result_skip("AArch32 EL1: no KVM_CAP_ARM_EL1_32BIT\n");
		return;
	}

	ev.exception.ext_iabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	vcpu_events_set(vcpu, &ev);
	ev.exception.ext_iabt_pending = 0;
	ev.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	TEST_ASSERT(!(kernel_taint() & TAINT_WARN),
		    "injecting aborts back to back made the kernel warn");

	kvm_vm_free(vm);
	ksft_test_result_pass("AArch32 EL1: aborts injected back to back, no warning\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_INJECT_EXT_IABT));

	ksft_print_header();
	ksft_set_plan(25);

	test_iabt_without_exit();
	test_dabt_after_exit();
	test_il();
	test_aarch32_fnv();
	test_taken_at_set();
	test_mmio_dropped();
	test_far_rule_fresh();
	test_far_rule_after_mmio();
	test_not_an_abort_last();
	test_reset_forgets();
	test_syndromes(false, false, false);
	test_syndromes(true, false, false);
	test_syndromes(true, true, false);
	test_syndromes(false, true, false);
	test_syndromes(false, false, true);
	test_branches();
	test_rejected_requests();
	test_zero_or_one();
	test_serror_and_abort();
	test_get_reads_zero();
	test_aarch32_has_esr();
	test_aarch32_twice();

	ksft_finished();
}
