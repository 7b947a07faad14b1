// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_bench - what an SEA round trip costs, against the cheapest exit, in
 * one VM with one vCPU.  Batches of N iterations of each, in turn:
 *
 *   mmio  the guest stores to an address no memslot backs: KVM_EXIT_MMIO,
 *         the VMM re-enters at once;
 *   sea   the guest loads from the page the emulator poisons:
 *         KVM_EXIT_ARM_SEA, the VMM injects the abort (KVM_SET_VCPU_EVENTS),
 *         re-enters, the guest's handler skips the load, the next one runs;
 *   exit  the same SEA, but the VMM re-enters without injecting, so the
 *         guest retries the load: the exit path alone, without the
 *         injection and the guest's handler;
 *   ioctl the same, but the VMM calls KVM_SET_VCPU_EVENTS with nothing
 *         pending before it re-enters: the exit and the ioctl that every
 *         replay needs, without the injection and the guest's handler.
 *         ioctl/mmio is the floor of sea/mmio; sea - ioctl is what the
 *         injection and the guest's exception entry and return cost;
 *   trap  no exit at all: the guest takes a synchronous exception of its
 *         own (BRK) and its handler skips it, the part of sea that is the
 *         guest's: sea - ioctl - trap is what KVM's injection costs.
 *
 * The emulator's kprobe runs on every guest abort, MMIO ones too, so it is
 * in all of them.  Prints each mode's median cost per iteration (and the
 * fastest and slowest batch), and its ratio to mmio: the median over the
 * rounds of each round's batch against that round's mmio batch, run just
 * before it, so that a host that slows down or speeds up between rounds
 * (TCG on a shared machine does) does not move it.  Iterations per batch:
 * SEA_BENCH_ITERS (default 2000); batches: SEA_BENCH_BATCHES (default 5).
 * Test program of this project (not part of the series).
 */
#include <time.h>

#include "emul.h"

#define TEST_GPA	0xc0000000UL
#define TEST_SLOT	10
#define MMIO_GPA	0xd0000000UL

enum mode { MMIO, SEA, EXIT_ONLY, EXIT_IOCTL, GUEST_TRAP, NR_MODES };
static const char *const mode_name[NR_MODES] = { "mmio", "sea", "exit", "ioctl", "trap" };

static void guest_dabt_handler(struct ex_regs *regs)
{
	GUEST_ASSERT_EQ(regs->pc, (uint64_t)sea_load);
	regs->pc += 4;
}

static void guest_brk_handler(struct ex_regs *regs)
{
	regs->pc += 4;
}

static void guest_code(uint64_t iters, uint64_t batches)
{
	uint64_t b, i;

	for (b = 0; b < batches; b++) {
		for (i = 0; i < iters; i++)
			WRITE_ONCE(*(volatile uint64_t *)MMIO_GPA, i);
		GUEST_SYNC(MMIO);
		for (i = 0; i < iters; i++)
			sea_load(TEST_GPA);
		GUEST_SYNC(SEA);
		/* one load, retried until the VMM injects after iters exits */
		sea_load(TEST_GPA);
		GUEST_SYNC(EXIT_ONLY);
		sea_load(TEST_GPA);
		GUEST_SYNC(EXIT_IOCTL);
		for (i = 0; i < iters; i++)
			asm volatile("brk #0");
		GUEST_SYNC(GUEST_TRAP);
	}
	GUEST_DONE();
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* sorts @v */
static double median(double *v, unsigned long n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

static void inject_dabt(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev = {};

	ev.exception.ext_dabt_pending = 1;
	vcpu_events_set(vcpu, &ev);
}

int main(void)
{
	unsigned long iters = env_count("SEA_BENCH_ITERS", 2000);
	unsigned long batches = env_count("SEA_BENCH_BATCHES", 5);
	unsigned long count[NR_MODES] = {}, sea_exits = 0, b[NR_MODES] = {};
	struct kvm_vcpu_events nothing = {};
	enum mode phase = MMIO;
	double *ns[NR_MODES], *rel[NR_MODES], t0, med[NR_MODES], ratio[NR_MODES], goal;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	bool done = false;
	char verdict[64] = "no goal: SEA_BENCH_GOAL unset";
	unsigned long i;
	double *inj;
	int m;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));
	TEST_REQUIRE(iters && batches);
	ksft_print_header();
	emul_load();
	ksft_set_plan(1);

	for (m = 0; m < NR_MODES; m++) {
		ns[m] = calloc(batches, sizeof(double));
		rel[m] = calloc(batches, sizeof(double));
	}

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_args_set(vcpu, 2, iters, batches);
	vm_enable_cap(vm, KVM_CAP_ARM_SEA_TO_USER, 0);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_DABT_CUR, guest_dabt_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_BRK64, guest_brk_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA, TEST_SLOT, 1, 0);
	virt_map(vm, TEST_GPA, TEST_GPA, 1);
	virt_map(vm, MMIO_GPA, MMIO_GPA, 1);
	emul_arm(TEST_GPA, false, true, 0);

	t0 = now_ns();
	while (!done) {
		vcpu_run(vcpu);
		switch (vcpu->run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (vcpu->run->mmio.phys_addr == MMIO_GPA) {
				count[MMIO]++;
				continue;
			}
			break;
		case KVM_EXIT_ARM_SEA:
			/* in exit and ioctl mode, inject after iters exits */
			if (phase != SEA && ++sea_exits < iters) {
				if (phase == EXIT_IOCTL)
					vcpu_events_set(vcpu, &nothing);
				continue;
			}
			sea_exits = 0;
			inject_dabt(vcpu);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			m = uc.args[1];
			phase = (m + 1) % NR_MODES;
			ns[m][b[m]++] = (now_ns() - t0) / iters;
			t0 = now_ns();
			break;
		case UCALL_DONE:
			done = true;
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %s", exit_reason_str(vcpu->run->exit_reason));
		}
	}
	emul_disarm();
	TEST_ASSERT_EQ(count[MMIO], iters * batches);
	TEST_ASSERT_EQ(emul_param_read("dabt_count"), 3 * iters * batches);
	kvm_vm_free(vm);

	/* each round's ratios first: sorting loses which batches ran together */
	for (m = 0; m < NR_MODES; m++)
		for (i = 0; i < batches; i++)
			rel[m][i] = ns[m][i] / ns[MMIO][i];
	/* what KVM's injection adds, per round: sea - ioctl - trap */
	inj = calloc(batches, sizeof(double));
	for (i = 0; i < batches; i++)
		inj[i] = rel[SEA][i] - rel[EXIT_IOCTL][i] - rel[GUEST_TRAP][i];
	for (m = 0; m < NR_MODES; m++) {
		med[m] = median(ns[m], batches);
		ratio[m] = median(rel[m], batches);
		ksft_print_msg("%-4s: %8.0f ns per iteration (median of %lu batches of %lu; %.0f .. %.0f)\n",
			       mode_name[m], med[m], batches, iters, ns[m][0], ns[m][batches - 1]);
	}
	ksft_print_msg("ratio to mmio, median of %lu rounds: exit %.2f, ioctl %.2f, trap %.2f; injection (sea - ioctl - trap) %.2f\n",
		       batches, ratio[EXIT_ONLY], ratio[EXIT_IOCTL], ratio[GUEST_TRAP],
		       median(inj, batches));
	goal = getenv("SEA_BENCH_GOAL") ? strtod(getenv("SEA_BENCH_GOAL"), NULL) : 0;
	if (goal > 0)
		snprintf(verdict, sizeof(verdict), "goal: <= %.2f, %s", goal,
			 ratio[SEA] <= goal ? "met" : "MISSED");
	/* rel[SEA] is sorted now: its quartiles show how much the rounds agree */
	ksft_print_msg("ratio sea/mmio %.3f (rounds' quartiles %.3f .. %.3f; %s)\n",
		       ratio[SEA], rel[SEA][batches / 4], rel[SEA][batches * 3 / 4], verdict);
	/* the figures are the product: the test passes when they were taken */
	ksft_test_result_pass("%lu x %lu iterations of mmio, sea, exit, ioctl and trap timed\n",
			      batches, iters);
	ksft_finished();
}
