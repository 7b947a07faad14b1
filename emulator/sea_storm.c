// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_storm - many vCPUs taking SEAs at once.  Every vCPU loads from the
 * page the emulator poisons, SEA_STORM_SEAS times (default 1000); each
 * vCPU's own thread handles its KVM_EXIT_ARM_SEA exits and injects the
 * abort, as api.rst requires.  Checks: every vCPU's exits, the aborts its
 * guest handler took and the emulator's conversions all add up; the guest
 * survives; the kernel does not warn; and once the VM is destroyed, the
 * host's memory is back where it was: unreclaimable slab within 1 MiB (a
 * leaked object per SEA would be 2.5 MiB at 40,000 SEAs), available memory
 * within 8 MiB after this process's own growth is taken out (freed pages
 * wait on per-CPU lists, which MemAvailable does not count; a leaked page
 * per SEA would be 156 MiB).  vCPUs: SEA_STORM_VCPUS (default 4).
 * Test program of this project (not part of the series).
 */
#include <pthread.h>

#include "emul.h"

#define TEST_GPA	0xc0000000UL
#define TEST_SLOT	10
#define MAX_VCPUS	64

/* aborts each vCPU's guest handler took, indexed by vCPU (TPIDR_EL1) */
static uint64_t handled[MAX_VCPUS];

static void guest_dabt_handler(struct ex_regs *regs)
{
	GUEST_ASSERT_EQ(regs->pc, (uint64_t)sea_load);
	handled[read_sysreg(tpidr_el1)]++;
	regs->pc += 4;
}

static void guest_code(uint64_t idx, uint64_t seas)
{
	uint64_t i;

	write_sysreg(idx, tpidr_el1);
	isb();
	for (i = 0; i < seas; i++)
		sea_load(TEST_GPA);
	GUEST_DONE();
}

struct worker {
	struct kvm_vcpu *vcpu;
	unsigned long exits;
};

static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;
	struct kvm_vcpu_events ev = {};
	struct ucall uc;

	ev.exception.ext_dabt_pending = 1;
	for (;;) {
		vcpu_run(w->vcpu);
		if (w->vcpu->run->exit_reason == KVM_EXIT_ARM_SEA) {
			TEST_ASSERT_EQ(w->vcpu->run->arm_sea.gpa, TEST_GPA);
			w->exits++;
			vcpu_events_set(w->vcpu, &ev);
			continue;
		}
		switch (get_ucall(w->vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected exit %s", w->vcpu->id,
				  exit_reason_str(w->vcpu->run->exit_reason));
		}
	}
}

#define SLAB_SLACK_KB	1024
#define AVAIL_SLACK_KB	8192

/* A field of /proc/meminfo or /proc/self/status, in kB */
static long kb_field(const char *file, const char *field)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen(file, "r");

	TEST_ASSERT(f, "cannot open %s", file);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) && line[strlen(field)] == ':')
			kb = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	TEST_ASSERT(kb >= 0, "no %s in %s", field, file);
	return kb;
}

static void settle(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		TEST_ASSERT(write(fd, "3", 1) == 1, "drop_caches");
		close(fd);
	}
	usleep(200 * 1000);
}

int main(void)
{
	unsigned long nr = env_count("SEA_STORM_VCPUS", 4);
	unsigned long seas = env_count("SEA_STORM_SEAS", 1000);
	long slab0, avail0, rss0, slab1, avail1, rss1, lost;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	struct worker w[MAX_VCPUS] = {};
	pthread_t threads[MAX_VCPUS];
	bool warned_before;
	struct kvm_vm *vm;
	unsigned long i;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));
	TEST_REQUIRE(nr && nr <= MAX_VCPUS && seas);
	ksft_print_header();
	emul_load();
	ksft_set_plan(3);
	warned_before = kernel_taint() & TAINT_WARN;

	settle();
	slab0 = kb_field("/proc/meminfo", "SUnreclaim");
	avail0 = kb_field("/proc/meminfo", "MemAvailable");
	rss0 = kb_field("/proc/self/status", "VmRSS");

	vm = vm_create_with_vcpus(nr, guest_code, vcpus);
	vm_enable_cap(vm, KVM_CAP_ARM_SEA_TO_USER, 0);
	vm_init_descriptor_tables(vm);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, EC_DABT_CUR, guest_dabt_handler);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, TEST_GPA, TEST_SLOT, 1, 0);
	virt_map(vm, TEST_GPA, TEST_GPA, 1);
	for (i = 0; i < nr; i++) {
		vcpu_init_descriptor_tables(vcpus[i]);
		vcpu_args_set(vcpus[i], 2, i, seas);
		w[i].vcpu = vcpus[i];
	}
	emul_arm(TEST_GPA, false, true, 0);

	for (i = 0; i < nr; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, &w[i]);
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);
	emul_disarm();

	sync_global_from_guest(vm, handled);
	for (i = 0; i < nr; i++) {
		TEST_ASSERT(w[i].exits == seas && handled[i] == seas,
			    "vCPU %lu: %lu exits, %lu aborts handled, %lu SEAs expected",
			    i, w[i].exits, handled[i], seas);
	}
	TEST_ASSERT_EQ(emul_param_read("dabt_count"), nr * seas);
	ksft_test_result_pass("%lu vCPUs x %lu SEAs: every exit handled, guest survived\n",
			      nr, seas);
	kvm_vm_free(vm);

	if (warned_before)
		ksft_test_result_skip("no kernel warning: the kernel had warned before\n");
	else
		ksft_test_result(!(kernel_taint() & TAINT_WARN), "no kernel warning\n");

	settle();
	slab1 = kb_field("/proc/meminfo", "SUnreclaim");
	avail1 = kb_field("/proc/meminfo", "MemAvailable");
	rss1 = kb_field("/proc/self/status", "VmRSS");
	/* what this process still holds (cached thread stacks, heap) is not lost */
	lost = avail0 - avail1 - (rss1 - rss0);
	ksft_print_msg("SUnreclaim %ld -> %ld kB, MemAvailable %ld -> %ld kB, own RSS %ld -> %ld kB\n",
		       slab0, slab1, avail0, avail1, rss0, rss1);
	ksft_test_result(slab1 - slab0 <= SLAB_SLACK_KB && lost <= AVAIL_SLACK_KB,
			 "host memory back after the VM: slab %+ld kB (slack %d), %ld kB not available (slack %d)\n",
			 slab1 - slab0, SLAB_SLACK_KB, lost, AVAIL_SLACK_KB);
	ksft_finished();
}
