// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_fuzz - random KVM_SET_VCPU_EVENTS and KVM_ENABLE_CAP(SEA_TO_USER)
 * calls checked against the contract of Documentation/virt/kvm/api.rst
 * (4.32 KVM_SET_VCPU_EVENTS, ARM64, and 7.37 KVM_CAP_ARM_SEA_TO_USER); the
 * oracle below is that text as code, one rule per line, in its order.
 *
 * For every call: the errno is the one the contract gives; a rejected call
 * changes nothing (ESR_EL1 and FAR_EL1 keep a random sentinel written just
 * before, KVM_GET_VCPU_EVENTS reads the same); an accepted abort lands in
 * ESR_EL1/FAR_EL1 with the syndrome the contract gives; an accepted SError
 * reads back as pending, with its ESR.  A vCPU with an SError pending
 * cannot lose it, so the VM is created anew after one.  Inputs are weighted
 * toward the edges (0, 1, 2, 0xff, one bit past a field).  Last, the kernel
 * must not have warned (taint W) during the run, if it had not before.
 *
 * Iterations: SEA_FUZZ_ITERS (default 10000); seed: SEA_FUZZ_SEED.  Test
 * program of this project (not part of the series); needs no emulator.
 */
#include "emul.h"

#define ISS_RULE_BITS	(ESR_ISS_FSC | ESR_ISS_WNR | ESR_ISS_CM | ESR_ISS_EA | \
			 ESR_ISS_FNV | ESR_ISS_SET)

enum verdict {
	OK,
	E_RESERVED, E_PAD, E_SERROR_NO_RAS, E_SERROR_ESR, E_BOTH,
	E_ESR_NO_ABORT, E_ESR_WITHOUT_HAS, E_AARCH32, E_ISS,
	NR_VERDICTS
};

static const char *const verdict_name[NR_VERDICTS] = {
	[OK] = "accepted",
	[E_RESERVED] = "reserved[] not 0",
	[E_PAD] = "pad[] not 0",
	[E_SERROR_NO_RAS] = "SError ESR without RAS",
	[E_SERROR_ESR] = "SError ESR beyond ISS",
	[E_BOTH] = "dabt and iabt both",
	[E_ESR_NO_ABORT] = "has_esr without an abort",
	[E_ESR_WITHOUT_HAS] = "ext_abt_esr without has_esr",
	[E_AARCH32] = "has_esr on AArch32 EL1",
	[E_ISS] = "ISS field or FSC not allowed",
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool one_in(unsigned int n)
{
	return rnd() % n == 0;
}

/* A byte flag: mostly 0 or 1, sometimes another non-zero value. */
static uint8_t flag(unsigned int one_per)
{
	static const uint8_t odd[] = { 2, 0x80, 0xff };

	if (!one_in(one_per))
		return 0;
	return one_in(4) ? odd[rnd() % 3] : 1;
}

/* An ISS for ext_abt_esr: mostly made of allowed fields, at times not. */
static uint64_t random_iss(void)
{
	static const uint8_t sea_fsc[] = { 0x10, 0x18, 0x13, 0x14, 0x17, 0x1b, 0x1f };
	uint64_t iss = one_in(5) ? rnd() & ESR_ISS_FSC : sea_fsc[rnd() % 7];

	iss |= rnd() & (ESR_ISS_WNR | ESR_ISS_CM | ESR_ISS_EA | ESR_ISS_FNV | ESR_ISS_SET);
	if (one_in(6))
		iss |= BIT_ULL(rnd() % 64);
	if (one_in(50))
		iss = rnd();
	return iss;
}

static void random_events(struct kvm_vcpu_events *ev)
{
	static const uint64_t serror_esr[] = { 0, 1, BIT_ULL(24), BIT_ULL(25), ~0ULL };

	memset(ev, 0, sizeof(*ev));
	ev->exception.serror_pending = flag(6);
	ev->exception.serror_has_esr = flag(3);
	ev->exception.ext_dabt_pending = flag(3);
	ev->exception.ext_iabt_pending = flag(3);
	ev->exception.ext_abt_has_esr = flag(2);
	if (one_in(20))
		ev->exception.pad[rnd() % 3] = 1 + rnd() % 255;
	if (one_in(20))
		ev->reserved[rnd() % 10] = one_in(2) ? 1 : rnd() | 1;
	ev->exception.serror_esr = one_in(2) ? rnd() & ESR_ISS : serror_esr[rnd() % 5];
	if (ev->exception.ext_abt_has_esr || one_in(10))
		ev->exception.ext_abt_esr = one_in(10) ? 0 : random_iss();
}

/* api.rst's rules for KVM_SET_VCPU_EVENTS on arm64, in its order. */
static enum verdict contract(const struct kvm_vcpu_events *ev, bool host_ras,
			     bool guest_ras, bool aarch32)
{
	bool iabt = ev->exception.ext_iabt_pending;
	bool dabt = ev->exception.ext_dabt_pending;
	uint64_t iss = ev->exception.ext_abt_esr, allowed;
	int i;

	for (i = 0; i < 10; i++)
		if (ev->reserved[i])
			return E_RESERVED;
	for (i = 0; i < 3; i++)
		if (ev->exception.pad[i])
			return E_PAD;
	if (ev->exception.serror_pending && ev->exception.serror_has_esr) {
		if (!host_ras)
			return E_SERROR_NO_RAS;
		if (ev->exception.serror_esr & ~ESR_ISS)
			return E_SERROR_ESR;
	}
	if (dabt && iabt)
		return E_BOTH;
	if (!ev->exception.ext_abt_has_esr)
		return iss ? E_ESR_WITHOUT_HAS : OK;
	if (!dabt && !iabt)
		return E_ESR_NO_ABORT;
	if (aarch32)
		return E_AARCH32;
	allowed = ESR_ISS_FSC | ESR_ISS_EA | ESR_ISS_FNV;
	if (dabt)
		allowed |= ESR_ISS_WNR | ESR_ISS_CM;
	if (guest_ras)
		allowed |= ESR_ISS_SET;
	if ((iss & ~allowed) || !fsc_is_sea(iss & ESR_ISS_FSC))
		return E_ISS;
	return OK;
}

struct target {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	bool aarch32;
	bool guest_ras;
};

static void guest_code(void)
{
	GUEST_DONE();
}

static void target_create(struct target *t, bool aarch32)
{
	struct kvm_vcpu_init init;

	t->aarch32 = aarch32;
	if (!aarch32) {
		t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
		t->guest_ras = vm_has_ras(t->vcpu);
		return;
	}
	t->vm = vm_create_barebones();
	vm_ioctl(t->vm, KVM_ARM_PREFERRED_TARGET, &init);
	init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
	t->vcpu = __vm_vcpu_add(t->vm, 0);
	vcpu_ioctl(t->vcpu, KVM_ARM_VCPU_INIT, &init);
	t->guest_ras = vm_has_ras(t->vcpu);
}

static uint64_t get_sysreg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;

	vcpu_get_reg(vcpu, id, &val);
	return val;
}

#define REG_ESR	KVM_ARM64_SYS_REG(SYS_ESR_EL1)
#define REG_FAR	KVM_ARM64_SYS_REG(SYS_FAR_EL1)

static unsigned long counts[2][NR_VERDICTS];
/* calls that broke the contract: KVM_SET_VCPU_EVENTS, KVM_ENABLE_CAP */
static unsigned long mismatches[2];

#define CHECK(kind, cond, fmt, ...) do {					\
	if (!(cond)) {								\
		mismatches[kind]++;						\
		ksft_print_msg("iteration %lu: " fmt "\n", it, ##__VA_ARGS__); \
		if (mismatches[0] + mismatches[1] > 20)				\
			ksft_exit_fail_msg("too many mismatches\n");		\
	}									\
} while (0)

static void fuzz_events(struct target *t, unsigned long it, bool host_ras)
{
	struct kvm_vcpu_events ev, before, after;
	uint64_t esr_sentinel = rnd() & 0xffffffffUL, far_sentinel = rnd();
	enum verdict want;
	int ret, err;

	random_events(&ev);
	want = contract(&ev, host_ras, t->guest_ras, t->aarch32);

	vcpu_set_reg(t->vcpu, REG_ESR, esr_sentinel);
	vcpu_set_reg(t->vcpu, REG_FAR, far_sentinel);
	vcpu_events_get(t->vcpu, &before);
	ret = __vcpu_ioctl(t->vcpu, KVM_SET_VCPU_EVENTS, &ev);
	err = errno;
	vcpu_events_get(t->vcpu, &after);
	counts[t->aarch32][want]++;

	if (want != OK) {
		CHECK(0, ret == -1 && err == EINVAL, "%s: ret %d errno %d, EINVAL expected",
		      verdict_name[want], ret, err);
		CHECK(0, !memcmp(&before, &after, sizeof(before)),
		      "%s: rejected, but KVM_GET_VCPU_EVENTS changed", verdict_name[want]);
		CHECK(0, get_sysreg(t->vcpu, REG_ESR) == esr_sentinel &&
		      get_sysreg(t->vcpu, REG_FAR) == far_sentinel,
		      "%s: rejected, but ESR_EL1/FAR_EL1 changed", verdict_name[want]);
		return;
	}
	CHECK(0, ret == 0, "valid input: ret %d errno %d", ret, err);
	if (ret)
		return;

	if (ev.exception.ext_dabt_pending || ev.exception.ext_iabt_pending) {
		uint64_t esr = get_sysreg(t->vcpu, REG_ESR);
		uint64_t ec = ev.exception.ext_iabt_pending ? ESR_EC_IABT : ESR_EC_DABT;

		if (t->aarch32) {
			/* DFSR is ESR_EL1, IFSR is not; DFAR/IFAR are FAR_EL1's halves */
			CHECK(0, esr != esr_sentinel || get_sysreg(t->vcpu, REG_FAR) != far_sentinel,
			      "AArch32 abort accepted but not injected");
		} else {
			/*
			 * IL follows the last trap (none yet).  KVM's own ISS
			 * has FnV set: with no abort exit before, it cannot
			 * vouch for an address.  FAR_EL1 is 0 either way: the
			 * last abort address is none, or FnV is set.
			 */
			uint64_t iss = ev.exception.ext_abt_has_esr ?
				       ev.exception.ext_abt_esr : ESR_ISS_FNV | FSC_EXTABT;

			CHECK(0, (esr & ~ESR_IL) == ((ec << ESR_EC_SHIFT) | iss),
			      "ESR_EL1 0x%lx, expected EC 0x%lx ISS 0x%lx%s", esr, ec, iss,
			      ev.exception.ext_abt_has_esr ? " (the VMM's)" : "");
			CHECK(0, get_sysreg(t->vcpu, REG_FAR) == 0, "FAR_EL1 not 0");
		}
	} else {
		CHECK(0, get_sysreg(t->vcpu, REG_ESR) == esr_sentinel,
		      "no abort requested, but ESR_EL1 changed");
	}
	if (ev.exception.serror_pending) {
		CHECK(0, after.exception.serror_pending, "SError accepted but not pending");
		if (ev.exception.serror_has_esr)
			CHECK(0, after.exception.serror_esr == ev.exception.serror_esr,
			      "SError ESR 0x%llx reads 0x%llx", ev.exception.serror_esr,
			      after.exception.serror_esr);
		/* it stays pending: start again with a vCPU without one */
		kvm_vm_free(t->vm);
		target_create(t, t->aarch32);
	}
}

static void fuzz_cap(struct kvm_vm *vm, unsigned long it, unsigned long *bad_args)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_SEA_TO_USER };
	bool valid = true;
	int i, ret, err;

	if (one_in(3)) {
		cap.flags = one_in(2) ? 1 : rnd();
		valid = false;
	}
	if (one_in(3)) {
		i = rnd() % 4;
		cap.args[i] = one_in(2) ? 1 : rnd() | 1;
		valid = false;
	}
	ret = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	err = errno;
	if (valid)
		CHECK(1, ret == 0, "ENABLE_CAP(SEA_TO_USER, 0): ret %d errno %d", ret, err);
	else
		CHECK(1, ret == -1 && err == EINVAL, "ENABLE_CAP flags 0x%x args %llx/%llx/%llx/%llx: ret %d errno %d",
		      cap.flags, cap.args[0], cap.args[1], cap.args[2], cap.args[3], ret, err);
	*bad_args += !valid;
}

static void report(bool aarch32, unsigned long calls)
{
	char line[512];
	int v, n = 0;

	for (v = 0; v < NR_VERDICTS; v++)
		if (counts[aarch32][v])
			n += snprintf(line + n, sizeof(line) - n, "%s%s %lu", n ? ", " : "",
				      verdict_name[v], counts[aarch32][v]);
	ksft_print_msg("%s vCPU, %lu calls: %s\n", aarch32 ? "AArch32" : "AArch64", calls, line);
}

int main(void)
{
	unsigned long iters = env_count("SEA_FUZZ_ITERS", 10000);
	unsigned long it, calls[2] = {}, cap_calls = 0, cap_bad = 0;
	bool host_ras, aarch32_ok, warned_before;
	struct target t[2];

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_INJECT_EXT_IABT));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));
	host_ras = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);
	aarch32_ok = kvm_has_cap(KVM_CAP_ARM_EL1_32BIT);
	rng_state = env_count("SEA_FUZZ_SEED", 0x5ea5ea5eaULL) | 1;

	ksft_print_header();
	ksft_set_plan(4);
	warned_before = kernel_taint() & TAINT_WARN;
	ksft_print_msg("%lu iterations, seed 0x%lx (SEA_FUZZ_ITERS, SEA_FUZZ_SEED), host RAS %d\n",
		       iters, rng_state, host_ras);

	target_create(&t[0], false);
	if (aarch32_ok)
		target_create(&t[1], true);

	for (it = 0; it < iters; it++) {
		bool a32 = aarch32_ok && one_in(8);

		fuzz_events(&t[a32], it, host_ras);
		calls[a32]++;
		if (one_in(10)) {
			fuzz_cap(t[0].vm, it, &cap_bad);
			cap_calls++;
		}
	}
	report(false, calls[0]);
	ksft_test_result(!mismatches[0] && counts[0][OK] && counts[0][E_ISS],
			 "KVM_SET_VCPU_EVENTS, AArch64: %lu calls as api.rst says\n", calls[0]);
	if (aarch32_ok) {
		report(true, calls[1]);
		ksft_test_result(!mismatches[0] && counts[1][E_AARCH32],
				 "KVM_SET_VCPU_EVENTS, AArch32: %lu calls as api.rst says\n", calls[1]);
	} else {
		ksft_test_result_skip("KVM_SET_VCPU_EVENTS, AArch32: no KVM_CAP_ARM_EL1_32BIT\n");
	}
	ksft_test_result(!mismatches[1] && cap_calls > cap_bad && cap_bad,
			 "KVM_ENABLE_CAP(SEA_TO_USER): %lu calls, %lu with flags/args (EINVAL)\n",
			 cap_calls, cap_bad);
	kvm_vm_free(t[0].vm);
	if (aarch32_ok)
		kvm_vm_free(t[1].vm);
	if (warned_before)
		ksft_test_result_skip("no kernel warning: the kernel had warned before the run\n");
	else
		ksft_test_result(!(kernel_taint() & TAINT_WARN),
				 "no kernel warning during the run (taint W clear)\n");
	ksft_finished();
}
