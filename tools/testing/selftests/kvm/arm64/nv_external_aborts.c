// SPDX-License-Identifier: GPL-2.0-only
/*
 * nv_external_aborts - External aborts and SErrors that userspace injects
 * while a guest hypervisor's guest runs, routed by that hypervisor to vEL2.
 *
 * The guest starts at vEL2, sets HCR_EL2.TEA and HCR_EL2.AMO and enters its
 * own vEL1, which reads an address no memslot backs. Userspace answers each
 * of those MMIO exits with KVM_SET_VCPU_EVENTS instead of data: the guest
 * hypervisor must take the exception at vEL2, with the syndrome and address
 * the injection promises, and the read must not complete.
 */
#include "processor.h"
#include "test_util.h"
#include "ucall.h"

#include <asm/sysreg.h>

#define MMIO_ADDR	0x8000000ULL
/* Returned for every MMIO read: a register that holds it read completed. */
#define MMIO_DATA	0x5eab5eab5eab5eabULL
#define SERROR_ISS	(ESR_ELx_ISV | 0x1d1ed)

#define L1_HCR		(HCR_EL2_RW | HCR_EL2_E2H | HCR_EL2_TEA | HCR_EL2_AMO)

static u64 l2_stack[512] __aligned(16);

/*
 * vEL1: read the MMIO address into x5 (cleared first, so x5 holds
 * MMIO_DATA only if a read completed). Every exception the test expects
 * goes to vEL2, whose handlers return here, to the read.
 */
static noinline void l2_code(void)
{
	asm volatile("mov	x5, xzr\n"
		     "l2_mmio_insn:\n"
		     "ldr	x5, [%0]\n"
		     : : "r" (MMIO_ADDR) : "x5", "memory");

	GUEST_FAIL("vEL1's MMIO read completed");
}

extern char l2_mmio_insn;

/* vEL2: report what the exception left in ESR_EL2, FAR_EL2 and ELR_EL2. */
static void l1_report(struct ex_regs *regs, int vector)
{
	/* With HCR_EL2.E2H set, the EL1 names reach the EL2 registers. */
	u64 esr = read_sysreg(esr_el1);
	u64 far = read_sysreg(far_el1);

	__GUEST_ASSERT(regs->pc == (u64)&l2_mmio_insn,
		       "ELR_EL2 0x%lx, vEL1's read is at 0x%lx",
		       regs->pc, (u64)&l2_mmio_insn);
	__GUEST_ASSERT(regs->regs[5] != MMIO_DATA,
		       "vEL1's x5 holds the MMIO data: the read completed");

	GUEST_SYNC_ARGS(vector, esr, far, regs->pstate, 0);
}

static void l1_sync_handler(struct ex_regs *regs)
{
	l1_report(regs, VECTOR_SYNC_LOWER_64);
}

static void l1_serror_handler(struct ex_regs *regs)
{
	l1_report(regs, VECTOR_ERROR_LOWER_64);
}

/* vEL2: an SEA taken at the first instruction of its SError handler. */
static void l1_sea_at_serror_handler(struct ex_regs *regs)
{
	u64 serror_vector = read_sysreg(vbar_el1) + 0x580;

	__GUEST_ASSERT(regs->pc == serror_vector,
		       "ELR_EL2 0x%lx, vEL2's SError vector is at 0x%lx",
		       regs->pc, serror_vector);

	GUEST_SYNC_ARGS(VECTOR_SYNC_CURRENT, read_sysreg(esr_el1),
			read_sysreg(far_el1), regs->pstate, 0);
}

#define copy_el2_to_el1(reg)						\
	write_sysreg_s(read_sysreg_s(SYS_##reg##_EL1), SYS_##reg##_EL12)

static void guest_code(void)
{
	GUEST_ASSERT_EQ(get_current_el(), 2);

	/* vEL1 translates as vEL2 does, and takes anything unexpected there. */
	copy_el2_to_el1(SCTLR);
	copy_el2_to_el1(TCR);
	copy_el2_to_el1(TTBR0);
	copy_el2_to_el1(MAIR);
	copy_el2_to_el1(CPACR);
	copy_el2_to_el1(VBAR);
	write_sysreg((u64)&l2_stack[ARRAY_SIZE(l2_stack)], sp_el1);

	/* No stage 2, no TGE: external aborts and SErrors come to vEL2. */
	write_sysreg(L1_HCR, hcr_el2);
	isb();

	write_sysreg((u64)l2_code, elr_el1);
	write_sysreg(PSR_MODE_EL1h | PSR_D_BIT | PSR_I_BIT | PSR_F_BIT,
		     spsr_el1);
	isb();
	asm volatile("eret");
	__builtin_unreachable();
}

struct l2_case {
	const char *name;
	long cap;	/* what KVM must offer for the request, if anything */
	struct kvm_vcpu_events events;
	int vector;
	u64 esr;	/* ESR_EL2 the guest hypervisor must see */
	u64 far;	/* FAR_EL2, for an abort */
};

#define DABT_ESR(iss)	\
	(((u64)ESR_ELx_EC_DABT_LOW << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | (iss))
#define DABT_CUR_ESR(iss)	\
	(((u64)ESR_ELx_EC_DABT_CUR << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | (iss))
#define IABT_ESR(iss)	\
	(((u64)ESR_ELx_EC_IABT_LOW << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | (iss))
#define SERROR_ESR(iss)	\
	(((u64)ESR_ELx_EC_SERROR << ESR_ELx_EC_SHIFT) | ESR_ELx_IL | (iss))

static const struct l2_case l2_cases[] = {
	{
		/* The read's own data abort vouches for FAR. */
		.name = "SEA",
		.events.exception.ext_dabt_pending = 1,
		.vector = VECTOR_SYNC_LOWER_64,
		.esr = DABT_ESR(ESR_ELx_FSC_EXTABT),
		.far = MMIO_ADDR,
	},
	{
		/* A data address is no instruction address: FnV, FAR 0. */
		.name = "instruction abort",
		.cap = KVM_CAP_ARM_INJECT_EXT_IABT,
		.events.exception.ext_iabt_pending = 1,
		.vector = VECTOR_SYNC_LOWER_64,
		.esr = IABT_ESR(ESR_ELx_FnV | ESR_ELx_FSC_EXTABT),
		.far = 0,
	},
	{
		.name = "SEA with a supplied syndrome, FnV set",
		.cap = KVM_CAP_ARM_INJECT_EXT_IABT,
		.events.exception = {
			.ext_dabt_pending = 1,
			.ext_abt_has_esr = 1,
			.ext_abt_esr = ESR_ELx_FnV | ESR_ELx_FSC_EXTABT,
		},
		.vector = VECTOR_SYNC_LOWER_64,
		.esr = DABT_ESR(ESR_ELx_FnV | ESR_ELx_FSC_EXTABT),
		.far = 0,
	},
	{
		.name = "SEA with a supplied syndrome, on a level 1 walk",
		.cap = KVM_CAP_ARM_INJECT_EXT_IABT,
		.events.exception = {
			.ext_dabt_pending = 1,
			.ext_abt_has_esr = 1,
			.ext_abt_esr = ESR_ELx_EA | ESR_ELx_FSC_SEA_TTW(1),
		},
		.vector = VECTOR_SYNC_LOWER_64,
		.esr = DABT_ESR(ESR_ELx_EA | ESR_ELx_FSC_SEA_TTW(1)),
		.far = MMIO_ADDR,
	},
	{
		.name = "SError",
		.events.exception = {
			.serror_pending = 1,
			.serror_has_esr = 1,
			.serror_esr = SERROR_ISS,
		},
		.vector = VECTOR_ERROR_LOWER_64,
		.esr = SERROR_ESR(SERROR_ISS),
	},
};

static bool vcpu_has_ras(struct kvm_vcpu *vcpu)
{
	u64 pfr0 = vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1));

	return SYS_FIELD_GET(ID_AA64PFR0_EL1, RAS, pfr0);
}

static void run_to_mmio(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);

	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT_EQ(run->mmio.phys_addr, MMIO_ADDR);
	TEST_ASSERT(!run->mmio.is_write, "vEL1 reads, it does not write");
	TEST_ASSERT_EQ(run->mmio.len, sizeof(u64));

	/* What vEL1's x5 would hold if KVM completed the read after all. */
	memcpy(run->mmio.data, &(u64){ MMIO_DATA }, sizeof(u64));
}

static void run_to_report(struct kvm_vcpu *vcpu, const char *name,
			  struct ucall *uc)
{
	vcpu_run(vcpu);
	switch (get_ucall(vcpu, uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(*uc);
		break;
	case UCALL_SYNC:
		break;
	default:
		TEST_FAIL("%s: exit %s, ucall %lu, not vEL2's report", name,
			  exit_reason_str(vcpu->run->exit_reason), uc->cmd);
	}
}

static void test_case(struct kvm_vcpu *vcpu, const struct l2_case *c)
{
	struct kvm_vcpu_events events = c->events;
	u64 esr, far, spsr;
	struct ucall uc;

	run_to_mmio(vcpu);
	vcpu_events_set(vcpu, &events);
	run_to_report(vcpu, c->name, &uc);

	TEST_ASSERT(uc.args[1] == c->vector,
		    "%s: taken at vEL2's vector %lu, expected %d",
		    c->name, uc.args[1], c->vector);

	esr = uc.args[2];
	far = uc.args[3];
	spsr = uc.args[4];
	TEST_ASSERT(esr == c->esr, "%s: ESR_EL2 0x%lx, expected 0x%lx",
		    c->name, esr, c->esr);
	if (c->vector == VECTOR_SYNC_LOWER_64)
		TEST_ASSERT(far == c->far, "%s: FAR_EL2 0x%lx, expected 0x%lx",
			    c->name, far, c->far);
	TEST_ASSERT((spsr & PSR_MODE_MASK) == PSR_MODE_EL1h,
		    "%s: SPSR_EL2 0x%lx: taken from vEL1h", c->name, spsr);

	ksft_test_result_pass("%s: taken at vEL2\n", c->name);
}

static struct kvm_vcpu *create_vcpu(struct kvm_vm **vm)
{
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;

	*vm = vm_create(1);
	kvm_get_default_vcpu_target(*vm, &init);
	init.features[0] |= BIT(KVM_ARM_VCPU_HAS_EL2);
	vcpu = aarch64_vcpu_add(*vm, 0, &init, guest_code);
	kvm_arch_vm_finalize_vcpus(*vm);

	vm_init_descriptor_tables(*vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(*vm, VECTOR_SYNC_LOWER_64, ESR_ELx_EC_DABT_LOW,
				l1_sync_handler);
	vm_install_sync_handler(*vm, VECTOR_SYNC_LOWER_64, ESR_ELx_EC_IABT_LOW,
				l1_sync_handler);
	vm_install_exception_handler(*vm, VECTOR_ERROR_LOWER_64,
				     l1_serror_handler);
	vm_install_sync_handler(*vm, VECTOR_SYNC_CURRENT, ESR_ELx_EC_DABT_CUR,
				l1_sea_at_serror_handler);
	virt_map(*vm, MMIO_ADDR, MMIO_ADDR, 1);

	return vcpu;
}

/*
 * An SError injected at vEL1's MMIO exit takes the vCPU to vEL2 at once:
 * KVM performs that exception entry itself, and the read's data abort is
 * no longer the vCPU's last exception. An SEA injected next is taken at
 * vEL2, before the SError handler runs, and must not report the address
 * of vEL1's read.
 */
static void test_sea_after_nested_entry(void)
{
	struct kvm_vcpu_events serror = { .exception.serror_pending = 1 };
	struct kvm_vcpu_events sea = { .exception.ext_dabt_pending = 1 };
	const u64 expected = DABT_CUR_ESR(ESR_ELx_FnV | ESR_ELx_FSC_EXTABT);
	const char *name = "SEA after KVM entered vEL2";
	u64 esr, far, spsr;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vcpu = create_vcpu(&vm);
	run_to_mmio(vcpu);
	vcpu_events_set(vcpu, &serror);
	vcpu_events_set(vcpu, &sea);
	run_to_report(vcpu, name, &uc);

	esr = uc.args[2];
	far = uc.args[3];
	spsr = uc.args[4];
	TEST_ASSERT(esr == expected, "%s: ESR_EL2 0x%lx, expected 0x%lx",
		    name, esr, expected);
	TEST_ASSERT(!far, "%s: FAR_EL2 0x%lx, expected 0", name, far);
	TEST_ASSERT((spsr & PSR_MODE_MASK) == PSR_MODE_EL2h,
		    "%s: SPSR_EL2 0x%lx: taken from vEL2h", name, spsr);

	ksft_test_result_pass("%s: FnV set, FAR 0\n", name);
	kvm_vm_free(vm);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int i;

	TEST_REQUIRE(kvm_check_cap(KVM_CAP_ARM_EL2));

	vcpu = create_vcpu(&vm);

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(l2_cases) + 1);

	for (i = 0; i < ARRAY_SIZE(l2_cases); i++) {
		const struct l2_case *c = &l2_cases[i];

		if (c->cap && !kvm_has_cap(c->cap)) {
			ksft_test_result_skip("%s: KVM lacks capability %ld\n",
					      c->name, c->cap);
			continue;
		}
		if (c->events.exception.serror_has_esr && !vcpu_has_ras(vcpu)) {
			ksft_test_result_skip("%s: the VM has no FEAT_RAS\n",
					      c->name);
			continue;
		}

		test_case(vcpu, c);
	}
	kvm_vm_free(vm);

	test_sea_after_nested_entry();

	ksft_finished();
}
