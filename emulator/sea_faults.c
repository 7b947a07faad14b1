// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_faults - the cost of a first-touch stage-2 fault, the common path
 * of kvm_handle_guest_abort() that the series must leave as fast as it
 * was.  A fresh VM per round; its guest writes once to every page of a
 * SEA_FAULTS_MB MiB memslot (default 64), each write a stage-2 fault KVM
 * resolves without exiting.  Prints the cost per fault of each round and
 * their median; scripts/compare-base.sh compares it between the base and
 * the patched kernel.  Rounds: SEA_FAULTS_ROUNDS (default 5).  Does not
 * use the emulator (its kprobe would be in the path).
 * Test program of this project (not part of the series).
 */
#include <time.h>

#include "emul.h"

#define TEST_GPA	0x100000000UL
#define TEST_SLOT	10

static void guest_code(uint64_t pages, uint64_t page_size)
{
	uint64_t i;

	for (i = 0; i < pages; i++)
		WRITE_ONCE(*(volatile uint64_t *)(TEST_GPA + i * page_size), i);
	GUEST_DONE();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(void)
{
	unsigned long mb = env_count("SEA_FAULTS_MB", 64);
	unsigned long rounds = env_count("SEA_FAULTS_ROUNDS", 5);
	struct timespec t0, t1;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	uint64_t pages;
	double *ns;
	unsigned long r;

	TEST_REQUIRE(mb && rounds);
	ksft_print_header();
	ksft_set_plan(1);
	ns = calloc(rounds, sizeof(*ns));

	for (r = 0; r < rounds; r++) {
		vm = vm_create_with_one_vcpu(&vcpu, guest_code);
		pages = (mb << 20) / vm->page_size;
		vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA, TEST_SLOT,
					    pages, 0);
		virt_map(vm, TEST_GPA, TEST_GPA, pages);
		vcpu_args_set(vcpu, 2, pages, vm->page_size);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		vcpu_run(vcpu);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (get_ucall(vcpu, &uc) == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		TEST_ASSERT(uc.cmd == UCALL_DONE, "unexpected exit %s",
			    exit_reason_str(vcpu->run->exit_reason));
		ns[r] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / pages;
		ksft_print_msg("round %lu: %lu faults, %.0f ns per fault\n", r, pages, ns[r]);
		kvm_vm_free(vm);
	}
	qsort(ns, rounds, sizeof(*ns), cmp_double);
	ksft_print_msg("faults: %.0f ns per first-touch fault (median of %lu rounds of %lu MiB; %.0f .. %.0f)\n",
		       ns[rounds / 2], rounds, mb, ns[0], ns[rounds - 1]);
	ksft_test_result_pass("%lu rounds of %lu MiB timed\n", rounds, mb);
	ksft_finished();
}
