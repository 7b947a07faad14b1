// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_optout - what the guest of a VMM that did not opt in sees when it
 * consumes poison: emulated SEAs (data and instruction, FnV clear and set,
 * GPA valid or not, junk syndrome bits) on a VM without
 * KVM_CAP_ARM_SEA_TO_USER.  Needs neither the series nor its headers'
 * new numbers at run time, so the same binary runs on the base kernel and
 * on the patched one.  Each case prints one "seen:" line: what the guest
 * took (kind, count, ESR_EL1, FAR_EL1, where) and what the VMM got (exits);
 * scripts/compare-base.sh compares those lines across the two kernels.
 * It also fails by itself if a case exits to the VMM or the guest takes
 * anything but one SError per touch.
 * Test program of this project (not part of the series).
 */
#include "emul.h"

#define TEST_GPA	0xc0000000UL
#define TEST_SLOT	10
#define TOUCHES		3

struct optout_case {
	const char *name;
	bool iabt, fnv, gpa_valid;
	uint64_t junk;
};

static struct {
	uint64_t serrors, sync, esr, far, elr;
} seen;

static void guest_serror_handler(struct ex_regs *regs)
{
	seen.serrors++;
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.elr = regs->pc;
	/* taken before the access runs again: skip it (or return from the fetch) */
	if (regs->pc == TEST_GPA)
		regs->pc = regs->regs[30];
	else
		regs->pc += 4;
}

static void guest_sync_handler(struct ex_regs *regs)
{
	seen.sync++;
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.elr = regs->pc;
	regs->pc = regs->pc == TEST_GPA ? regs->regs[30] : regs->pc + 4;
}

static void guest_code(uint64_t iabt)
{
	int i;

	asm volatile("msr daifclr, #4" ::: "memory");
	isb();
	for (i = 0; i < TOUCHES; i++) {
		if (iabt)
			((void (*)(void))TEST_GPA)();
		else
			sea_load(TEST_GPA);
	}
	GUEST_DONE();
}

static void run_case(const struct optout_case *c)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned long exits = 0;
	const char *where;

	memset(&seen, 0, sizeof(seen));
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_args_set(vcpu, 1, c->iabt);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_DABT_CUR, guest_sync_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_IABT_CUR, guest_sync_handler);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT, guest_serror_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA, TEST_SLOT, 1, 0);
	virt_map(vm, TEST_GPA, TEST_GPA, 1);
	sync_global_to_guest(vm, seen);
	emul_arm(TEST_GPA, c->fnv, c->gpa_valid, c->junk);

	for (;;) {
		vcpu_run(vcpu);
		if (get_ucall(vcpu, &uc) == UCALL_DONE)
			break;
		if (uc.cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		exits++;
		TEST_ASSERT(exits < 100, "%s: exit %s to the VMM", c->name,
			    exit_reason_str(vcpu->run->exit_reason));
	}
	emul_disarm();
	sync_global_from_guest(vm, seen);
	where = seen.elr == (uint64_t)sea_load ? "the load" :
		seen.elr == TEST_GPA ? "the fetch" : "elsewhere";
	ksft_print_msg("seen: %s: %lu SError(s), %lu sync abort(s), ESR_EL1 0x%lx, FAR_EL1 0x%lx, at %s, %lu exit(s), %lu conversion(s)\n",
		       c->name, seen.serrors, seen.sync, seen.esr, seen.far, where, exits,
		       emul_param_read(c->iabt ? "iabt_count" : "dabt_count"));
	ksft_test_result(!exits && seen.serrors == TOUCHES && !seen.sync,
			 "%s: one SError per touch, no exit\n", c->name);
	kvm_vm_free(vm);
}

static const struct optout_case cases[] = {
	{ "data, GPA valid", .gpa_valid = true },
	{ "data, FnV, GPA invalid", .fnv = true },
	{ "data, junk syndrome bits", .gpa_valid = true,
	  .junk = BIT_ULL(24) | GENMASK_ULL(20, 16) },
	{ "instruction, GPA valid", .iabt = true, .gpa_valid = true },
	{ "instruction, FnV", .iabt = true, .fnv = true },
};

int main(void)
{
	int i;

	ksft_print_header();
	emul_load();
	ksft_set_plan(ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
	ksft_finished();
}
