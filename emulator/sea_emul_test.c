// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_emul_test - drive the series' SEA path end to end with the SEA
 * emulator (sea_emul.ko, test-only): the guest touches a page the emulator
 * poisons, KVM exits with KVM_EXIT_ARM_SEA, this VMM checks the exit and
 * replays the abort, and the guest's handler checks what it sees and goes
 * on.  Every case also checks, from the emulator's counters, that the
 * emulator converted exactly the touches the guest made: a case where
 * nothing happened fails.
 *
 * On a kernel without KVM_CAP_ARM_INJECT_EXT_IABT (mainline 7.3 before the
 * mainline series) the cases that need it, an instruction abort or a
 * syndrome of the VMM's, check that the replay is refused with EINVAL and
 * say so; a gap named in SEA_EMUL_GAPS (emul.h) is checked the same way.
 */

#include "emul.h"

#define TEST_GPA	0xc0000000UL
#define TEST_GVA	0xc0000000UL
#define TEST_SLOT	10

/* What KVM_EXIT_ARM_SEA's esr may hold: EC, IL, SET, FnV, EA, CM, WnR, FSC */
#define SEA_EXIT_ESR_MASK (GENMASK_ULL(31, 25) | GENMASK_ULL(12, 8) | \
			   GENMASK_ULL(6, 0))
/* Syndrome bits a real SEA never has (ISV, SAS, SRT, AR, ISS2): KVM must drop them */
#define JUNK_ESR	(BIT_ULL(24) | GENMASK_ULL(23, 22) | GENMASK_ULL(20, 16) | \
			 BIT_ULL(14) | GENMASK_ULL(36, 32))

struct emul_case {
	const char *name;
	bool cap;		/* KVM_CAP_ARM_SEA_TO_USER enabled */
	bool iabt;		/* fetch from the page rather than load from it */
	bool store;		/* store to the page rather than load from it */
	uint8_t fsc;		/* the emulated SEA's FSC, if not 0x10 */
	uint8_t set;		/* the emulated SEA's SET */
	bool host_owned;	/* an SEA the host keeps: SError, no exit */
	bool fnv;		/* the emulated SEA has FnV set */
	bool gpa_valid;		/* the emulated SEA has a valid HPFAR */
	bool vmm_esr;		/* replay with a syndrome of the VMM's */
	uint64_t junk;		/* bits the emulator adds to the syndrome */
	int touches;
};

/* What the guest's handlers saw. */
static struct {
	uint64_t aborts;
	uint64_t serrors;
	uint64_t esr;
	uint64_t far;
} seen;

static void guest_dabt_handler(struct ex_regs *regs)
{
	GUEST_ASSERT(regs->pc == (uint64_t)sea_load || regs->pc == (uint64_t)sea_store);
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.aborts++;
	regs->pc += 4;
}

/* The fetch came from a call into the page: return to the caller. */
static void guest_iabt_handler(struct ex_regs *regs)
{
	GUEST_ASSERT_EQ(regs->pc, TEST_GVA);
	seen.esr = read_sysreg(esr_el1);
	seen.far = read_sysreg(far_el1);
	seen.aborts++;
	regs->pc = regs->regs[30];
}

/* Cap off: KVM makes an SError pending, taken before the load runs again. */
static void guest_serror_handler(struct ex_regs *regs)
{
	GUEST_ASSERT(regs->pc == (uint64_t)sea_load || regs->pc == (uint64_t)sea_store);
	seen.esr = read_sysreg(esr_el1);
	seen.serrors++;
	regs->pc += 4;
}

enum access { LOAD, FETCH, STORE };

static void guest_code(uint64_t access, uint64_t touches)
{
	uint64_t i;

	asm volatile("msr daifclr, #4" ::: "memory");
	isb();

	for (i = 0; i < touches; i++) {
		if (access == FETCH)
			((void (*)(void))TEST_GVA)();
		else if (access == STORE)
			sea_store(TEST_GVA);
		else
			sea_load(TEST_GVA);
	}
	GUEST_DONE();
}

/*
 * The exit's esr is the SEA's ESR_EL2 with exactly EC, IL, FnV, EA, CM, WnR
 * and FSC kept, and SET on a VM with FEAT_RAS (DESIGN.md section 3): every
 * bit the emulated SEA has in these fields must be there, every other bit
 * must be gone.
 */
static void check_exit(const struct emul_case *c, struct kvm_run *run, bool ras)
{
	uint64_t esr = run->arm_sea.esr, want;

	want = (uint64_t)(c->iabt ? EC_IABT_LOW : EC_DABT_LOW) << 26 | ESR_IL |
	       (c->fsc ?: FSC_EXTABT) | (c->junk & (ESR_ISS_EA | ESR_ISS_CM));
	if (c->fnv)
		want |= ESR_ISS_FNV;
	if (c->store)
		want |= ESR_ISS_WNR;
	if (ras)
		want |= (uint64_t)c->set << 11;
	TEST_ASSERT(!(esr & ~SEA_EXIT_ESR_MASK), "%s: exit esr 0x%lx leaks syndrome bits",
		    c->name, esr);
	TEST_ASSERT(esr == want, "%s: exit esr 0x%lx, expected 0x%lx", c->name, esr, want);
	TEST_ASSERT_EQ(run->arm_sea.gva, c->fnv ? 0 : TEST_GVA);
	TEST_ASSERT_EQ(run->arm_sea.flags,
		       c->gpa_valid ? KVM_EXIT_ARM_SEA_FLAG_GPA_VALID : 0);
	TEST_ASSERT_EQ(run->arm_sea.gpa, c->gpa_valid ? TEST_GPA : 0);
}

/*
 * The syndrome the VMM supplies when it replays with one of its own: one
 * that differs from KVM's (FSC 0x10, no EA) and that the contract accepts.
 * On a RAS VM: FSC 0x10 with SET = 0b11 (Restartable state, UEO; 0b10 is
 * Uncontainable, refused under FEAT_RASv2); the parity/ECC code 0x18 exists
 * only without FEAT_RAS.  FnV as the exit had it: FnV clear is accepted
 * only because the exit was an abort of the same class with FnV clear
 * (KVM vouches for its FAR), and FnV goes with FSC 0x10 only.
 */
static uint64_t vmm_iss(const struct emul_case *c, bool ras)
{
	uint64_t iss = ESR_ISS_EA;

	if (ras)
		iss |= FSC_EXTABT | ESR_ISS_SET_UEO;
	else
		iss |= c->fnv ? FSC_EXTABT : FSC_SECC;
	if (c->fnv)
		iss |= ESR_ISS_FNV;
	if (!c->iabt)
		iss |= ESR_ISS_WNR;
	return iss;
}

/* Does this kernel inject instruction aborts and VMM syndromes? */
static bool inject_abi;

/*
 * Replay the abort the exit reported.  What the kernel cannot do, it must
 * refuse: false when it did (EINVAL, checked), and the case ends there.
 */
static bool replay(const struct emul_case *c, struct kvm_vcpu *vcpu, bool ras)
{
	struct kvm_vcpu_events ev = {};
	int ret;

	EV_IABT(ev) = c->iabt;
	ev.exception.ext_dabt_pending = !c->iabt;
	if (c->vmm_esr) {
		EV_HAS_ESR(ev) = 1;
		EV_ESR(ev) = vmm_iss(c, ras);
	}
	if (inject_abi || (!c->iabt && !c->vmm_esr)) {
		vcpu_events_set(vcpu, &ev);
		return true;
	}
	ret = __vcpu_ioctl(vcpu, KVM_SET_VCPU_EVENTS, &ev);
	TEST_ASSERT(ret == -1 && errno == EINVAL,
		    "%s: a kernel without KVM_CAP_ARM_INJECT_EXT_IABT took the replay: ret %d errno %d",
		    c->name, ret, errno);
	return false;
}

static void run_case(const struct emul_case *c)
{
	const char *count = c->iabt ? "iabt_count" : "dabt_count";
	const char *other = c->iabt ? "dabt_count" : "iabt_count";
	uint64_t iss, exits = 0, exit_gva = 0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	bool ras, done = false;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_args_set(vcpu, 2, c->iabt ? FETCH : c->store ? STORE : LOAD, c->touches);
	if (c->cap)
		vm_enable_cap(vm, KVM_CAP_ARM_SEA_TO_USER, 0);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_DABT_CUR,
				guest_dabt_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_IABT_CUR,
				guest_iabt_handler);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT,
				     guest_serror_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA,
				    TEST_SLOT, 1, 0);
	virt_map(vm, TEST_GVA, TEST_GPA, 1);
	ras = vm_has_ras(vcpu);
	emul_arm(TEST_GPA, c->fnv, c->gpa_valid, c->junk);
	if (c->fsc)
		emul_param_write("fsc", c->fsc);
	emul_param_write("set", c->set);

	while (!done) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_ARM_SEA) {
			TEST_ASSERT(c->cap, "%s: SEA exit without the cap", c->name);
			TEST_ASSERT(!c->host_owned, "%s: an SEA the host owns exited to userspace (esr 0x%llx)",
				    c->name, vcpu->run->arm_sea.esr);
			check_exit(c, vcpu->run, ras);
			exit_gva = vcpu->run->arm_sea.gva;
			/* a replay that injected nothing brings the access back */
			exits++;
			TEST_ASSERT(exits <= c->touches,
				    "%s: %lu exits for %d touch(es): was a replay dropped?",
				    c->name, exits, c->touches);
			if (replay(c, vcpu, ras))
				continue;
			emul_disarm();
			kvm_vm_free(vm);
			ksft_test_result_pass("%s: refused with EINVAL, as it must be without KVM_CAP_ARM_INJECT_EXT_IABT (%s)\n",
					      c->name, c->iabt ? "no instruction-abort injection" :
					      "no VMM syndrome");
			return;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			done = true;
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("%s: unexpected exit %s", c->name,
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
	emul_disarm();

	TEST_ASSERT(emul_param_read(count) == c->touches && emul_param_read(other) == 0,
		    "%s: emulator converted %lu/%lu aborts, expected %d",
		    c->name, emul_param_read(count), emul_param_read(other), c->touches);
	sync_global_from_guest(vm, seen);

	if (!c->cap || c->host_owned) {
		/* Exactly what the base kernel does: an SError, ISS = IDS */
		TEST_ASSERT_EQ(exits, 0);
		TEST_ASSERT_EQ(seen.aborts, 0);
		TEST_ASSERT_EQ(seen.serrors, c->touches);
		TEST_ASSERT_EQ(ESR_EC_OF(seen.esr), EC_SERROR);
		TEST_ASSERT_EQ(seen.esr & ESR_ISS, BIT_ULL(24));
		goto out;
	}

	TEST_ASSERT_EQ(exits, c->touches);
	TEST_ASSERT_EQ(seen.aborts, c->touches);
	TEST_ASSERT_EQ(seen.serrors, 0);
	TEST_ASSERT_EQ(ESR_EC_OF(seen.esr),
		       c->iabt ? EC_IABT_CUR : EC_DABT_CUR);
	if (c->fnv && kernel_gap("fnv")) {
		/* the known gap: FnV clear, and whatever FAR_EL2 held */
		TEST_ASSERT((seen.esr & ESR_ISS) == FSC_EXTABT &&
			    seen.far == emul_param_read("junk_addr"),
			    "%s: guest ESR_EL1 0x%lx FAR_EL1 0x%lx: not the known gap 'fnv' of SEA_EMUL_GAPS (FnV clear, FAR_EL2's junk); if the kernel sets FnV now, drop it from KERNEL_GAPS",
			    c->name, seen.esr, seen.far);
		kvm_vm_free(vm);
		ksft_test_result_pass("%s: known gap 'fnv' of this kernel: FnV clear, guest FAR_EL1 0x%lx is FAR_EL2's junk\n",
				      c->name, seen.far);
		return;
	}
	if (c->vmm_esr) {
		iss = vmm_iss(c, ras);
	} else {
		iss = FSC_EXTABT;
		/*
		 * After an abort with S1PTW set, KVM's own syndrome is an SEA
		 * on no walk, and FAR is the address whose walk failed, not
		 * where the error is: no address (on a kernel with FnV)
		 */
		if (c->fnv || ((c->junk & ESR_ISS_S1PTW) && !kernel_gap("fnv")))
			iss |= ESR_ISS_FNV;
	}
	TEST_ASSERT((seen.esr & ESR_ISS) == iss, "%s: guest ESR_EL1 0x%lx, ISS 0x%lx expected",
		    c->name, seen.esr, iss);
	/* IL is 1 for every injected abort, never copied from the trap */
	TEST_ASSERT(seen.esr & ESR_IL, "%s: guest ESR_EL1 0x%lx, IL clear", c->name, seen.esr);
	/*
	 * FnV clear: the FAR KVM vouches for is the one of the exit (of the
	 * same class: a replayed instruction abort gets the fetch's address).
	 */
	TEST_ASSERT(seen.far == ((iss & ESR_ISS_FNV) ? 0 : exit_gva),
		    "%s: guest FAR_EL1 0x%lx, expected %s 0x%lx", c->name, seen.far,
		    (iss & ESR_ISS_FNV) ? "(FnV set)" : "the exit's gva", exit_gva);
	TEST_ASSERT_EQ(seen.far, (iss & ESR_ISS_FNV) ? 0 : TEST_GVA);
out:
	kvm_vm_free(vm);
	ksft_test_result_pass("%s: %d touch(es), %lu exit(s), emulator fired %lu time(s)\n",
			      c->name, c->touches, exits, emul_param_read(count));
}

static const struct emul_case cases[] = {
	{ .name = "data SEA: exit, replay, guest recovers", .cap = true,
	  .gpa_valid = true, .junk = JUNK_ESR, .touches = 1 },
	{ .name = "instruction SEA: exit, replay as iabt", .cap = true,
	  .iabt = true, .gpa_valid = true, .touches = 1 },
	{ .name = "FnV set, GPA invalid: no gva, no gpa", .cap = true,
	  .fnv = true, .touches = 1 },
	{ .name = "data SEA replayed with the VMM's ISS", .cap = true,
	  .gpa_valid = true, .vmm_esr = true, .touches = 1 },
	{ .name = "instruction SEA replayed with the VMM's ISS", .cap = true,
	  .iabt = true, .vmm_esr = true, .touches = 1 },
	{ .name = "S1PTW, GPA invalid: replayed as an SEA on no walk, FnV", .cap = true,
	  .junk = ESR_ISS_S1PTW, .touches = 1 },
	{ .name = "cap off: SError as before, no exit", .gpa_valid = true,
	  .touches = 1 },
	{ .name = "store, SET 0b11, EA and CM: the exit keeps each, drops the rest",
	  .cap = true, .store = true, .set = 3, .gpa_valid = true,
	  .junk = JUNK_ESR | ESR_ISS_EA | ESR_ISS_CM, .touches = 1 },
	{ .name = "SEA on a stage-1 walk (FSC 0x15, S1PTW clear): exit with its FSC",
	  .cap = true, .fsc = 0x15, .touches = 1 },
	{ .name = "SEA on a stage-2 walk (FSC 0x15, S1PTW set): the host's, SError, no exit",
	  .cap = true, .fsc = 0x15, .junk = ESR_ISS_S1PTW, .host_owned = true,
	  .touches = 1 },
	{ .name = "poisoned page touched 1000 times", .cap = true,
	  .gpa_valid = true, .touches = 1000 },
};

int main(void)
{
	int i;

	inject_abi = emul_series_abi();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));

	ksft_print_header();
	emul_load();
	ksft_set_plan(ARRAY_SIZE(cases));

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);

	ksft_finished();
}
