// SPDX-License-Identifier: GPL-2.0-only
/*
 * ext_abt_inject - Tests for KVM_CAP_ARM_INJECT_EXT_IABT: external
 * instruction aborts and userspace-supplied syndromes injected with
 * KVM_SET_VCPU_EVENTS, and the rules that reject a bad request.
 */

#include <errno.h>

#include "processor.h"
#include "test_util.h"

#define ESR_ISS_FSC		GENMASK_ULL(5, 0)
#define ESR_ISS_WNR		BIT_ULL(6)
#define ESR_ISS_CM		BIT_ULL(8)
#define ESR_ISS_EA		BIT_ULL(9)
#define ESR_ISS_FNV		BIT_ULL(10)
#define ESR_ISS_SET		GENMASK_ULL(12, 11)
#define ESR_ISS			GENMASK_ULL(24, 0)

#define FSC_EXTABT		0x10
#define FSC_SECC		0x18

#define EC_SERROR		0x2f

/* /proc/sys/kernel/tainted: set by any kernel WARN */
#define TAINT_WARN		BIT(9)

enum guest_event { EV_NONE, EV_ABORT, EV_SERROR };

/* What the guest's handlers saw, read back by the host after each run. */
static struct {
	uint64_t nr_events;
	uint64_t events[2];
	uint64_t abort_esr;
	uint64_t abort_far;
	uint64_t serror_esr;
} seen;

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
	record(EV_ABORT);
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

static struct kvm_vm *test_vm_create(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_DABT,
				guest_abort_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, ESR_EC_IABT,
				guest_abort_handler);
	vm_install_exception_handler(vm, VECTOR_ERROR_CURRENT,
				     guest_serror_handler);
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

/*
 * A rejected call must fail with EINVAL and leave nothing pending: no
 * SError (which GET would report) and no abort (which the next run would
 * deliver).
 */
static void assert_rejected(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev,
			    const char *what)
{
	struct kvm_vcpu_events after;
	uint64_t nr_events = seen.nr_events;
	int ret = set_events(vcpu, ev);

	TEST_ASSERT(ret == -1 && errno == EINVAL,
		    "%s: expected EINVAL, got ret %d errno %d", what, ret, errno);
	vcpu_events_get(vcpu, &after);
	TEST_ASSERT(!after.exception.serror_pending,
		    "%s: rejected call left an SError pending", what);
	run_to_sync(vcpu);
	TEST_ASSERT(seen.nr_events == nr_events,
		    "%s: rejected call injected an exception", what);
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

	kvm_vm_free(vm);
	ksft_test_result_pass("invalid requests fail with EINVAL, inject nothing\n");
}

static bool fsc_is_sea(uint64_t fsc)
{
	return fsc == FSC_EXTABT || fsc == FSC_SECC ||
	       (fsc >= 0x13 && fsc <= 0x17) || (fsc >= 0x1b && fsc <= 0x1f);
}

/*
 * Flip every bit of a valid syndrome, one at a time: the call must succeed,
 * with the ISS reaching the guest as given and the EC still KVM's, exactly
 * when the result stays within the documented mask with an SEA FSC.
 */
static void test_esr_bits(bool iabt)
{
	uint64_t mask = ESR_ISS_FSC | ESR_ISS_EA | ESR_ISS_FNV;
	struct kvm_vcpu_events ev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);
	int accepted = 0, bit;
	uint64_t pfr0;

	vcpu_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1), &pfr0);
	if (FIELD_GET(ARM64_FEATURE_MASK(ID_AA64PFR0_EL1_RAS), pfr0))
		mask |= ESR_ISS_SET;
	if (!iabt)
		mask |= ESR_ISS_WNR | ESR_ISS_CM;

	run_to_sync(vcpu);
	for (bit = 0; bit < 64; bit++) {
		uint64_t esr = FSC_EXTABT ^ BIT_ULL(bit);
		bool valid = !(esr & ~mask) && fsc_is_sea(esr & ESR_ISS_FSC);
		uint64_t nr_events = seen.nr_events;
		char what[64];

		memset(&ev, 0, sizeof(ev));
		ev.exception.ext_dabt_pending = !iabt;
		ev.exception.ext_iabt_pending = iabt;
		ev.exception.ext_abt_has_esr = 1;
		ev.exception.ext_abt_esr = esr;

		snprintf(what, sizeof(what), "%s ext_abt_esr 0x%lx",
			 iabt ? "iabt" : "dabt", esr);
		if (!valid) {
			assert_rejected(vcpu, &ev, what);
			continue;
		}

		TEST_ASSERT(!set_events(vcpu, &ev), "%s: rejected, errno %d",
			    what, errno);
		run_to_sync(vcpu);
		TEST_ASSERT(seen.nr_events == nr_events + 1,
			    "%s: no abort in the guest", what);
		TEST_ASSERT_EQ(esr_ec(seen.abort_esr),
			       iabt ? ESR_EC_IABT : ESR_EC_DABT);
		TEST_ASSERT((seen.abort_esr & ESR_ISS) == esr,
			    "%s: guest ESR_EL1 0x%lx", what, seen.abort_esr);
		if (esr & ESR_ISS_FNV)
			TEST_ASSERT_EQ(seen.abort_far, 0);
		else
			TEST_ASSERT_EQ(addr_gva2gpa(vm, seen.abort_far),
				       vm->ucall_mmio_addr);
		accepted++;
	}

	kvm_vm_free(vm);
	ksft_test_result_pass("%s: %d of 64 single-bit syndromes accepted, as documented\n",
			      iabt ? "iabt" : "dabt", accepted);
}

/* Both requested in one call: both arrive, the abort first. */
static void test_serror_and_abort(void)
{
	bool serror_esr = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = test_vm_create(&vcpu);

	run_to_sync(vcpu);
	ev.exception.serror_pending = 1;
	if (serror_esr) {
		ev.exception.serror_has_esr = 1;
		ev.exception.serror_esr = 0x1234;
	}
	ev.exception.ext_dabt_pending = 1;
	ev.exception.ext_abt_has_esr = 1;
	ev.exception.ext_abt_esr = FSC_SECC | ESR_ISS_WNR;
	vcpu_events_set(vcpu, &ev);
	run_to_sync(vcpu);

	TEST_ASSERT_EQ(seen.nr_events, 2);
	TEST_ASSERT_EQ(seen.events[0], EV_ABORT);
	TEST_ASSERT_EQ(seen.events[1], EV_SERROR);
	TEST_ASSERT_EQ(seen.abort_esr & ESR_ISS, FSC_SECC | ESR_ISS_WNR);
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
 * On an AArch32 vCPU, an abort injected while another one is still pending
 * (no KVM_RUN in between) replaces it.  The AArch32 prefetch abort's
 * encoding in the vCPU flags shares its bit with INCREMENT_PC, which once
 * made the second injection warn: the kernel's taint shows it.
 */
static void test_aarch32_twice(void)
{
	struct kvm_vcpu_events ev = {};
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	if (!kvm_has_cap(KVM_CAP_ARM_EL1_32BIT)) {
		ksft_test_result_skip("AArch32 EL1: no KVM_CAP_ARM_EL1_32BIT\n");
		return;
	}
	if (kernel_taint() & TAINT_WARN) {
		ksft_test_result_skip("AArch32 EL1: kernel taint W already set\n");
		return;
	}

	vm = vm_create_barebones();
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	vcpu = __vm_vcpu_add(vm, 0);
	vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);

	ev.exception.ext_iabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	vcpu_events_set(vcpu, &ev);
	ev.exception.ext_iabt_pending = 0;
	ev.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
	TEST_ASSERT(!(kernel_taint() & TAINT_WARN),
		    "injecting over a pending abort made the kernel warn");

	kvm_vm_free(vm);
	ksft_test_result_pass("AArch32 EL1: aborts injected over a pending one, no warning\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_INJECT_EXT_IABT));

	ksft_print_header();
	ksft_set_plan(8);

	test_iabt_without_exit();
	test_dabt_after_exit();
	test_rejected_requests();
	test_esr_bits(false);
	test_esr_bits(true);
	test_serror_and_abort();
	test_get_reads_zero();
	test_aarch32_twice();

	ksft_finished();
}
