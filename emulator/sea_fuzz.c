// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_fuzz - random KVM_SET_VCPU_EVENTS and KVM_ENABLE_CAP(SEA_TO_USER)
 * calls checked against the contract of series v4 (out/contract-v4.md, as
 * api.rst words it: 4.32 KVM_SET_VCPU_EVENTS, ARM64, and 7.37
 * KVM_CAP_ARM_SEA_TO_USER); the oracle, contract(), is that text as code,
 * one rule per line, in its order, and the supplied syndrome is judged
 * against the Arm ARM's DFSC/IFSC table (fsc_table[]), not against a copy
 * of the kernel's predicate.  On a kernel without the series' injection
 * fields (mainline 7.3, no KVM_CAP_ARM_INJECT_EXT_IABT) the oracle is
 * mainline's own contract, rules 1 and 2, with the kernel's known gaps
 * (SEA_EMUL_GAPS, below) expected and required to show.
 *
 * The FAR rule makes the answer depend on what the vCPU last did, so each
 * vCPU is fuzzed in one of three states, changed at random and counted:
 *   fresh      never run: KVM can vouch for no address;
 *   MMIO exit  the guest's load from an address no memslot backs just
 *              exited with KVM_EXIT_MMIO: the last exception to EL2 was a
 *              data abort with FnV clear, so a data abort's FAR is vouched
 *              (the load's address), an instruction abort's is not;
 *   hypercall  the guest's HVC, forwarded by the SMCCC filter, just exited
 *              (KVM_EXIT_HYPERCALL), at times right after an MMIO exit:
 *              the last exception is no abort, nothing is vouched.
 * KVM's record of the last exception stays until the vCPU runs again, so
 * every call made in a state sees the same record.
 *
 * For every call: the errno is the one the contract gives.  A rejected call
 * changes nothing: ESR_EL1 and FAR_EL1 (and IFSR on an AArch32 EL1) keep a
 * random sentinel written just before, PC, PSTATE, ELR_EL1, SPSR_EL1 (LR
 * and SPSR of Abort mode on AArch32) keep their values, KVM_GET_VCPU_EVENTS
 * reads the same.  An accepted abort is committed by the call itself: the
 * vCPU is at VBAR_EL1 + the vector offset of its mode, in EL1h with DAIF
 * masked, ELR_EL1 the old PC, SPSR_EL1 the old PSTATE, ESR_EL1 with IL set,
 * the contract's EC and ISS, FAR_EL1 the vouched address or 0; on an
 * AArch32 EL1, Abort mode at the data/prefetch abort vector, DFSR/IFSR in
 * the format TTBCR.EAE selects with FnV (bit 16) set unless vouched,
 * DFAR/IFAR 0 unless vouched.  Then KVM_GET_VCPU_EVENTS reports no abort
 * pending.  After an MMIO exit, an abort must also drop the MMIO
 * completion: the next KVM_RUN writes no data to the load's register and
 * does not skip an instruction (and, without an abort, completes it as
 * ever).  An accepted SError reads back as pending, with its ESR; a vCPU
 * with an SError pending cannot lose it, so the VM is created anew after
 * one (and put back in the state it was in).  VBAR_EL1, PC and PSTATE (EL1h,
 * EL1t, EL0t, AArch32 EL0 on an AArch64 EL1; USR, SVC, ABT, UND, SYS on an
 * AArch32 EL1) and TTBCR.EAE are varied so that every vector and both
 * DFSR formats are checked.  Inputs are weighted toward the edges (0, 1, 2,
 * 0xff, one bit past a field) and toward FSCs 0x10-0x1f and the FnV and SET
 * combinations.  Last, the kernel must not have warned (taint W) during the
 * run, if it had not before.
 *
 * Prints, per vCPU kind, how many calls each rule rejected, the calls made
 * in each state, the aborts committed and the supplied FSCs accepted.
 *
 * Iterations: SEA_FUZZ_ITERS (default 10000); seed: SEA_FUZZ_SEED.  Test
 * program of this project (not part of the series); needs no emulator.
 */
#include <linux/psci.h>
#include <sys/utsname.h>

#include "emul.h"

#define ESR_ISS_S1PTW	BIT_ULL(7)
#define ESR_ISS_ISV	BIT_ULL(24)	/* of an SError: IMPLEMENTATION DEFINED syndrome */
#define ESR_ISS_SET_SHIFT 11
#define ESR_ISS_WU_SHIFT 16
#define ESR_ISS_WU	(3ULL << ESR_ISS_WU_SHIFT)
#define ESR_ISS_WU_RESERVED (1ULL << ESR_ISS_WU_SHIFT)
#define SET_UER		0	/* Recoverable state */
#define SET_RESERVED	1
#define SET_UC		2	/* Uncontainable */
#define SET_UEO		3	/* Restartable state */


/* PSTATE: AArch64 modes, AArch32 modes (M[4] set), masks */
#define PS_EL0t		0x0
#define PS_EL1t		0x4
#define PS_EL1h		0x5
#define PS_MODE		0x1f		/* M[4:0], M[4] = AArch32 */
#define PS_DAIF		0x3c0
#define PS_NZCV		GENMASK_ULL(31, 28)
#define AA32_USR	0x10
#define AA32_SVC	0x13
#define AA32_ABT	0x17
#define AA32_UND	0x1b
#define AA32_SYS	0x1f
#define AA32_AIF	0x1c0
#define AA32_AI		0x180

/* AArch32 fault status registers */
#define FSR_FNV		BIT(16)
#define FSR_LPAE	BIT(9)
#define FSR_EXTABT_LPAE	0x10
#define FSR_EXTABT_SD	0x8
#define TTBCR_EAE	BIT_ULL(31)

/*
 * The guests.  AArch64 (the selftest library's VM, MMU on, its code mapped
 * as in the ELF): a load from MMIO_GVA, which no memslot backs, or an HVC
 * the SMCCC filter forwards, "HVC #0" or "HVC #0x80": the immediate is the
 * ISS of the exit's ESR_EL2, whose bit 7 is S1PTW in an abort's.  AArch32 EL1 (MMU off): the same two, written
 * as A32 words into a one-page memslot.  Each starts with a "mov x2, #1"
 * that tells whether KVM_RUN skipped the first instruction (an MMIO
 * completion moves PC on by 4).
 */
#define MMIO_GVA	0xd0000000UL
#define MMIO_GPA	0xd0000000UL
#define A32_CODE_GPA	0x10000000UL
#define A32_CODE_SLOT	1
#define A32_MMIO_GPA	0x20000000UL
#define A32_MMIO_ENTRY	0x00
#define A32_HVC_ENTRY	0x0c
#define A32_HVC80_ENTRY	0x18
#define HVC_FUNC	PSCI_0_2_FN_PSCI_VERSION
#define MMIO_DATA	0x0123456789abcdefULL
#define X1_SENTINEL	0xfeedfacecafef00dULL

asm(".pushsection .text, \"ax\"\n"
    ".balign 64\n"	/* one page: only a VM's first run faults on it */
    ".global fuzz_mmio\n"
    "fuzz_mmio:\n"
    "	mov	x2, #1\n"
    "1:	ldr	x1, [x0]\n"
    "	b	1b\n"
    ".global fuzz_hvc\n"
    "fuzz_hvc:\n"
    "	mov	x2, #1\n"
    "2:	hvc	#0\n"
    "	b	2b\n"
    ".global fuzz_hvc80\n"
    "fuzz_hvc80:\n"
    "	mov	x2, #1\n"
    "3:	hvc	#0x80\n"
    "	b	3b\n"
    ".popsection\n");
void fuzz_mmio(void);
void fuzz_hvc(void);
void fuzz_hvc80(void);

static const uint32_t a32_code[] = {
	0xe3a02001,	/* 0x00: mov r2, #1 */
	0xe5901000,	/* 0x04: ldr r1, [r0] */
	0xeafffffd,	/* 0x08: b 0x04 */
	0xe3a02001,	/* 0x0c: mov r2, #1 */
	0xe1400070,	/* 0x10: hvc #0 */
	0xeafffffd,	/* 0x14: b 0x10 */
	0xe3a02001,	/* 0x18: mov r2, #1 */
	0xe1400870,	/* 0x1c: hvc #0x80 */
	0xeafffffd,	/* 0x20: b 0x1c */
};

enum verdict {
	OK,
	E_RESERVED, E_PAD,			/* rule 1 */
	E_SERROR_NO_RAS, E_SERROR_ESR,		/* rule 2 */
	E_BYTE,					/* rule 3 */
	E_BOTH,					/* rule 4 */
	E_ESR_NO_ABORT,				/* rule 5 */
	E_ESR_WITHOUT_HAS,			/* rule 6 */
	E_AARCH32,				/* rule 7 */
	E_ISS_BITS, E_FSC, E_FNV_FSC, E_SET,	/* rule 8 */
	E_CM,					/* rule 8 */
	E_FAR,					/* rule 9 */
	E_NO_FIELD,		/* mainline: the series' fields are padding */
	NR_VERDICTS
};

static const char *const verdict_name[NR_VERDICTS] = {
	[OK] = "accepted",
	[E_RESERVED] = "reserved[] not 0",
	[E_PAD] = "pad[] not 0",
	[E_SERROR_NO_RAS] = "SError ESR without RAS",
	[E_SERROR_ESR] = "SError ESR beyond ISS",
	[E_BYTE] = "iabt/has_esr byte not 0 or 1",
	[E_BOTH] = "dabt and iabt both",
	[E_ESR_NO_ABORT] = "has_esr without an abort",
	[E_ESR_WITHOUT_HAS] = "ext_abt_esr without has_esr",
	[E_AARCH32] = "has_esr on AArch32 EL1",
	[E_ISS_BITS] = "ISS bit not allowed",
	[E_FSC] = "FSC not allowed for the VM",
	[E_FNV_FSC] = "FnV with FSC not 0x10",
	[E_SET] = "SET not allowed",
	[E_CM] = "CM without WnR",
	[E_FAR] = "FnV clear, FAR not vouched",
	[E_NO_FIELD] = "iabt/has_esr/ext_abt_esr on a kernel without them",
};

/*
 * The Arm ARM's fault status codes (ESR_ELx.ISS DFSC/IFSC of a Data or
 * Instruction Abort), each with when KVM_SET_VCPU_EVENTS takes it as the
 * FSC of a supplied external abort syndrome (the contract, rule 8): the
 * synchronous external aborts, on the access or on a walk, always (level
 * -1 only with FEAT_LPA2, level -2 never: KVM offers no FEAT_D128); the
 * synchronous parity/ECC errors, which exist only without FEAT_RAS, only on
 * a VM without FEAT_RAS; nothing else.  Codes without a name are reserved.
 */
enum fsc_when { NEVER, ALWAYS, IF_LPA2, IF_NO_RAS, IF_NO_RAS_LPA2 };

static const struct {
	const char *name;
	enum fsc_when when;
} fsc_table[64] = {
	[0x00] = { "Address size fault, level 0 of translation or translation table base register" },
	[0x01] = { "Address size fault, level 1" },
	[0x02] = { "Address size fault, level 2" },
	[0x03] = { "Address size fault, level 3" },
	[0x04] = { "Translation fault, level 0" },
	[0x05] = { "Translation fault, level 1" },
	[0x06] = { "Translation fault, level 2" },
	[0x07] = { "Translation fault, level 3" },
	[0x08] = { "Access flag fault, level 0 (FEAT_LPA2)" },
	[0x09] = { "Access flag fault, level 1" },
	[0x0a] = { "Access flag fault, level 2" },
	[0x0b] = { "Access flag fault, level 3" },
	[0x0c] = { "Permission fault, level 0 (FEAT_LPA2)" },
	[0x0d] = { "Permission fault, level 1" },
	[0x0e] = { "Permission fault, level 2" },
	[0x0f] = { "Permission fault, level 3" },
	[0x10] = { "Synchronous External abort, not on translation table walk or hardware update of translation table", ALWAYS },
	[0x11] = { "Synchronous Tag Check Fault (DFSC, FEAT_MTE2; reserved as an IFSC)" },
	[0x12] = { "Synchronous External abort on translation table walk or hardware update of translation table, level -2 (FEAT_D128)" },
	[0x13] = { "Synchronous External abort on translation table walk or hardware update of translation table, level -1 (FEAT_LPA2)", IF_LPA2 },
	[0x14] = { "Synchronous External abort on translation table walk or hardware update of translation table, level 0", ALWAYS },
	[0x15] = { "Synchronous External abort on translation table walk or hardware update of translation table, level 1", ALWAYS },
	[0x16] = { "Synchronous External abort on translation table walk or hardware update of translation table, level 2", ALWAYS },
	[0x17] = { "Synchronous External abort on translation table walk or hardware update of translation table, level 3", ALWAYS },
	[0x18] = { "Synchronous parity or ECC error on memory access, not on translation table walk (no FEAT_RAS)", IF_NO_RAS },
	[0x1b] = { "Synchronous parity or ECC error on memory access on translation table walk or hardware update of translation table, level -1 (FEAT_LPA2, no FEAT_RAS)", IF_NO_RAS_LPA2 },
	[0x1c] = { "Synchronous parity or ECC error on memory access on translation table walk or hardware update of translation table, level 0 (no FEAT_RAS)", IF_NO_RAS },
	[0x1d] = { "Synchronous parity or ECC error on memory access on translation table walk or hardware update of translation table, level 1 (no FEAT_RAS)", IF_NO_RAS },
	[0x1e] = { "Synchronous parity or ECC error on memory access on translation table walk or hardware update of translation table, level 2 (no FEAT_RAS)", IF_NO_RAS },
	[0x1f] = { "Synchronous parity or ECC error on memory access on translation table walk or hardware update of translation table, level 3 (no FEAT_RAS)", IF_NO_RAS },
	[0x21] = { "Alignment fault (DFSC)" },
	[0x22] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level -2 (FEAT_RME, FEAT_D128)" },
	[0x23] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level -1 (FEAT_RME, FEAT_LPA2)" },
	[0x24] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level 0 (FEAT_RME)" },
	[0x25] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level 1 (FEAT_RME)" },
	[0x26] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level 2 (FEAT_RME)" },
	[0x27] = { "Granule Protection Fault on translation table walk or hardware update of translation table, level 3 (FEAT_RME)" },
	[0x28] = { "Granule Protection Fault, not on translation table walk or hardware update of translation table (FEAT_RME)" },
	[0x29] = { "Address size fault, level -1 (FEAT_LPA2)" },
	[0x2a] = { "Translation fault, level -2 (FEAT_D128)" },
	[0x2b] = { "Translation fault, level -1 (FEAT_LPA2)" },
	[0x2c] = { "Address size fault, level -2 (FEAT_D128)" },
	[0x30] = { "TLB conflict abort" },
	[0x31] = { "Unsupported atomic hardware update fault" },
	[0x34] = { "IMPLEMENTATION DEFINED fault (Lockdown) (DFSC)" },
	[0x35] = { "IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access) (DFSC)" },
};

static const char *fsc_name(uint64_t fsc)
{
	return fsc_table[fsc & ESR_ISS_FSC].name ?: "reserved";
}

/* What the oracle needs to know beyond the call itself. */
struct ctx {
	bool host_ras;		/* KVM_CAP_ARM_INJECT_SERROR_ESR */
	bool aarch32;		/* the vCPU's EL1 is AArch32 */
	bool ras, rasv2, lpa2;	/* the VM's FEAT_RAS, FEAT_RASv2, FEAT_LPA2 */
	/* the last exception to EL2 was a lower-EL abort of that class, FnV clear */
	bool vouch_dabt, vouch_iabt;
};

static bool fsc_allowed(uint64_t fsc, const struct ctx *c)
{
	switch (fsc_table[fsc & ESR_ISS_FSC].when) {
	case ALWAYS:
		return true;
	case IF_LPA2:
		return c->lpa2;
	case IF_NO_RAS:
		return !c->ras;
	case IF_NO_RAS_LPA2:
		return !c->ras && c->lpa2;
	default:
		return false;
	}
}

/*
 * The codes for which ESR_ELx defines SET and WU: DFSC 0b010000, 0b01001x
 * and 0b0101xx, a synchronous external abort not on a walk or on one at
 * level -2 to 3.
 */
static bool fsc_is_sea(uint64_t fsc)
{
	return fsc == FSC_EXTABT || (fsc >= 0x12 && fsc <= 0x17);
}

/* Rule 8: the supplied ISS, field by field. */
static enum verdict iss_verdict(uint64_t iss, bool iabt, const struct ctx *c)
{
	uint64_t fsc = iss & ESR_ISS_FSC, set = (iss & ESR_ISS_SET) >> ESR_ISS_SET_SHIFT;
	uint64_t allowed = ESR_ISS_FSC | ESR_ISS_EA | ESR_ISS_FNV;

	if (!iabt)
		allowed |= ESR_ISS_WNR | ESR_ISS_CM;
	if (c->ras)
		allowed |= ESR_ISS_SET;
	/* Write Update: FEAT_RASv2, a data abort's */
	if (!iabt && c->rasv2 && fsc_is_sea(fsc))
		allowed |= ESR_ISS_WU;
	/* S1PTW, ISS[23:13] but WU, ISV and bits 63:25 are never allowed */
	if (iss & ~allowed)
		return E_ISS_BITS;
	if ((iss & ESR_ISS_WU) == ESR_ISS_WU_RESERVED)
		return E_ISS_BITS;
	if (!fsc_allowed(fsc, c))
		return E_FSC;
	if ((iss & ESR_ISS_FNV) && fsc != FSC_EXTABT)
		return E_FNV_FSC;
	/* set != 0 only on a RAS VM: SET is no allowed bit without */
	if (set && !fsc_is_sea(fsc))
		return E_SET;
	if (set == SET_RESERVED || (set == SET_UC && c->rasv2))
		return E_SET;
	/* D24.2.45: cache maintenance and AT report WnR = 1, always */
	if ((iss & ESR_ISS_CM) && !(iss & ESR_ISS_WNR))
		return E_CM;
	return OK;
}

/*
 * The kernel has the series' injection fields (KVM_CAP_ARM_INJECT_EXT_IABT);
 * without them (mainline 7.3) its contract is rules 1 and 2 alone, and the
 * fields lie in what it calls padding and reserved words (emul.h).
 */
static bool series_abi;

/* The contract's checks of KVM_SET_VCPU_EVENTS on arm64, in its order. */
static enum verdict contract(const struct kvm_vcpu_events *ev, const struct ctx *c)
{
	uint8_t iabt_byte = EV_IABT(*ev);
	uint8_t has_esr_byte = EV_HAS_ESR(*ev);
	bool dabt = ev->exception.ext_dabt_pending;	/* any non-zero is true */
	bool iabt = iabt_byte, has_esr = has_esr_byte;
	uint64_t iss = EV_ESR(*ev);
	enum verdict v;
	int i;

	/* 1 */
	for (i = 0; i < 10; i++)
		if (EV_RESERVED(*ev, i))
			return E_RESERVED;
	for (i = 0; i < 3; i++)
		if (EV_PAD(*ev, i))
			return E_PAD;
	if (!series_abi && (iabt_byte || has_esr_byte || iss))
		return E_NO_FIELD;
	/* 2 */
	if (ev->exception.serror_pending && ev->exception.serror_has_esr) {
		if (!c->host_ras)
			return E_SERROR_NO_RAS;
		if (ev->exception.serror_esr & ~ESR_ISS)
			return E_SERROR_ESR;
	}
	if (!series_abi)
		return OK;
	/* 3 */
	if (iabt_byte > 1 || has_esr_byte > 1)
		return E_BYTE;
	/* 4 */
	if (dabt && iabt)
		return E_BOTH;
	/* 5 */
	if (has_esr && !dabt && !iabt)
		return E_ESR_NO_ABORT;
	/* 6 */
	if (!has_esr)
		return iss ? E_ESR_WITHOUT_HAS : OK;
	/* 7 */
	if (c->aarch32)
		return E_AARCH32;
	/* 8 */
	v = iss_verdict(iss, iabt, c);
	if (v != OK)
		return v;
	/* 9 */
	if (!(iss & ESR_ISS_FNV) && !(iabt ? c->vouch_iabt : c->vouch_dabt))
		return E_FAR;
	return OK;
}

enum state { ST_FRESH, ST_MMIO, ST_HVC, NR_STATES };
static const char *const state_name[NR_STATES] = {
	[ST_FRESH] = "fresh", [ST_MMIO] = "after MMIO exit", [ST_HVC] = "after hypercall exit",
};

struct target {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	bool aarch32;
	bool ras, rasv2, lpa2;
	bool hvc_ok;		/* the SMCCC filter forwards HVC_FUNC to us */
	enum state state;
	bool hvc80;		/* the hypercall exit was HVC #0x80 */
	bool ran;		/* the VM has run: its code page is mapped */
	bool state_broken;	/* a known gap left the vCPU in a state it cannot be in */
	uint64_t far_el2;	/* FAR of the last abort KVM took from the vCPU */
	bool dabt_vouched;	/* the last exit was the MMIO load: FAR vouched */
	uint64_t vouched_far;	/* its address */
	bool mmio_pending;	/* that exit's MMIO completion is still due */
	bool aborted;		/* an abort was committed since: it must be dropped */
};

/* vCPU kinds whose guest can run (an AArch32 one may prove unable to) */
static bool can_run[2] = { true, true };
/* the host takes AArch32 EL0 as a PSTATE of an AArch64 EL1 vCPU */
static bool aa32_el0_ok = true;

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

/* A byte flag: 0, else 1, or one time in odd_per another non-zero value. */
static uint8_t flag(unsigned int one_per, unsigned int odd_per)
{
	static const uint8_t odd[] = { 2, 3, 0x80, 0xff };

	if (!one_in(one_per))
		return 0;
	return one_in(odd_per) ? odd[rnd() % ARRAY_SIZE(odd)] : 1;
}

/*
 * An ISS for ext_abt_esr: mostly made of the fields the class allows, its
 * FSC mostly in 0x10-0x1f, FnV mostly with 0x10, SET of every value; at
 * times a bit past the fields, or anything.
 */
static uint64_t random_iss(bool iabt)
{
	static const uint8_t other_fsc[] = { 0x00, 0x04, 0x07, 0x08, 0x0f, 0x20, 0x21,
					     0x22, 0x2b, 0x30, 0x3f };
	static const uint8_t edge_bit[] = { 7, 13, 14, 23, 24, 25, 31, 32, 63 };
	static const uint8_t set_value[] = { SET_UER, SET_UER, SET_UER, SET_UER, SET_UEO,
					     SET_UEO, SET_UC, SET_RESERVED };
	unsigned int r = rnd() % 20;
	uint64_t fsc, iss;

	if (r < 6)
		fsc = one_in(3) ? FSC_EXTABT : 0x14 + rnd() % 4;
	else if (r < 16)
		fsc = 0x10 + rnd() % 16;
	else if (r < 18)
		fsc = other_fsc[rnd() % ARRAY_SIZE(other_fsc)];
	else
		fsc = rnd() & ESR_ISS_FSC;
	iss = fsc;
	if (one_in(2))
		iss |= ESR_ISS_EA;
	if (one_in(iabt ? 10 : 2))
		iss |= ESR_ISS_WNR;
	if (one_in(iabt ? 10 : 4))
		iss |= ESR_ISS_CM;
	if (one_in(fsc == FSC_EXTABT ? 2 : 6))
		iss |= ESR_ISS_FNV;
	iss |= (uint64_t)set_value[rnd() % ARRAY_SIZE(set_value)] << ESR_ISS_SET_SHIFT;
	if (one_in(10))
		iss |= (rnd() % 4) << ESR_ISS_WU_SHIFT;
	if (one_in(8))
		iss |= BIT_ULL(edge_bit[rnd() % ARRAY_SIZE(edge_bit)]);
	if (one_in(8))
		iss |= BIT_ULL(rnd() % 64);
	if (one_in(50))
		iss = rnd();
	return iss;
}

static void random_events(struct kvm_vcpu_events *ev, const struct target *t)
{
	static const uint64_t serror_esr[] = { 0, 1, BIT_ULL(24), BIT_ULL(25), ~0ULL };
	bool iabt;

	memset(ev, 0, sizeof(*ev));
	if (one_in(3)) {
		/* one abort, mostly with an ISS, nothing else wrong: rules 7-9 */
		iabt = t->state == ST_MMIO ? one_in(4) : one_in(2);
		if (iabt)
			EV_IABT(*ev) = 1;
		else
			ev->exception.ext_dabt_pending = one_in(8) ? 0x80 : 1;
		EV_HAS_ESR(*ev) = !one_in(4);
		if (EV_HAS_ESR(*ev))
			EV_ESR(*ev) = random_iss(iabt);
		ev->exception.serror_pending = one_in(10);
		return;
	}
	ev->exception.serror_pending = flag(6, 4);
	ev->exception.serror_has_esr = flag(3, 4);
	ev->exception.ext_dabt_pending = flag(3, 4);
	EV_IABT(*ev) = flag(3, 8);
	EV_HAS_ESR(*ev) = flag(2, 8);
	if (one_in(20))
		EV_PAD(*ev, rnd() % 3) = 1 + rnd() % 255;
	if (one_in(20))
		EV_RESERVED(*ev, rnd() % 10) = one_in(2) ? 1 : rnd() | 1;
	ev->exception.serror_esr = one_in(2) ? rnd() & ESR_ISS : serror_esr[rnd() % 5];
	if (EV_HAS_ESR(*ev) || one_in(10))
		EV_ESR(*ev) = one_in(10) ? 0 :
			random_iss(EV_IABT(*ev) && !ev->exception.ext_dabt_pending);
	/* a kernel without the fields refuses them: leave them out half the time */
	if (!series_abi && one_in(2))
		EV_IABT(*ev) = EV_HAS_ESR(*ev) = EV_ESR(*ev) = 0;
}

/* The registers a call may change (or must not), read with KVM_GET_ONE_REG. */
enum { R_PC, R_PSTATE, R_ELR, R_SPSR, R_ESR, R_FAR, R_VBAR, R_IFSR, R_LR_ABT,
       R_SPSR_ABT, R_TTBCR, NR_REGS, NR_REGS_A64 = R_IFSR };

static const struct {
	const char *name;
	uint64_t id;
} reg[NR_REGS] = {
	[R_PC] = { "PC", ARM64_CORE_REG(regs.pc) },
	[R_PSTATE] = { "PSTATE", ARM64_CORE_REG(regs.pstate) },
	[R_ELR] = { "ELR_EL1", ARM64_CORE_REG(elr_el1) },
	[R_SPSR] = { "SPSR_EL1", ARM64_CORE_REG(spsr[KVM_SPSR_EL1]) },
	[R_ESR] = { "ESR_EL1", KVM_ARM64_SYS_REG(SYS_ESR_EL1) },
	[R_FAR] = { "FAR_EL1", KVM_ARM64_SYS_REG(SYS_FAR_EL1) },
	[R_VBAR] = { "VBAR_EL1", KVM_ARM64_SYS_REG(SYS_VBAR_EL1) },
	/* AArch32 EL1 only */
	[R_IFSR] = { "IFSR32_EL2", KVM_ARM64_SYS_REG(SYS_IFSR32_EL2) },
	[R_LR_ABT] = { "LR_abt", ARM64_CORE_REG(regs.regs[20]) },
	[R_SPSR_ABT] = { "SPSR_abt", ARM64_CORE_REG(spsr[KVM_SPSR_ABT]) },
	[R_TTBCR] = { "TTBCR", KVM_ARM64_SYS_REG(SYS_TCR_EL1) },
};


static void regs_read(const struct target *t, uint64_t *r)
{
	int i, n = t->aarch32 ? NR_REGS : NR_REGS_A64;

	memset(r, 0, NR_REGS * sizeof(*r));
	for (i = 0; i < n; i++)
		r[i] = emul_get_reg(t->vcpu, reg[i].id);
}

/* Registers that differ, as "NAME old->new ...", or "" */
static const char *regs_diff(const uint64_t *a, const uint64_t *b)
{
	static char buf[1024];
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NR_REGS; i++)
		if (a[i] != b[i] && n < (int)sizeof(buf) - 64)
			n += snprintf(buf + n, sizeof(buf) - n, " %s 0x%lx->0x%lx",
				      reg[i].name, a[i], b[i]);
	return buf;
}

static unsigned long counts[2][NR_VERDICTS];
static unsigned long state_calls[2][NR_STATES], state_aborts[2][NR_STATES];
static unsigned long serrors_taken[2];	/* accepted SErrors taken in the call */
static unsigned long vouched_iss[2];	/* accepted supplied ISS with FnV clear */
static unsigned long fsc_accepted[2][64];	/* accepted supplied ISS per FSC */
/* calls that broke the contract: SET_VCPU_EVENTS on AArch64/AArch32, ENABLE_CAP */
static unsigned long mismatches[3];

#define CHECK(kind, cond, fmt, ...) do {					\
	if (!(cond)) {								\
		mismatches[kind]++;						\
		ksft_print_msg("iteration %lu: " fmt "\n", it, ##__VA_ARGS__); \
		if (mismatches[0] + mismatches[1] + mismatches[2] > 20)		\
			ksft_exit_fail_msg("too many mismatches\n");		\
	}									\
} while (0)

static void target_create(struct target *t, bool aarch32)
{
	struct kvm_smccc_filter filter = {
		.base = HVC_FUNC, .nr_functions = 1,
		.action = KVM_SMCCC_FILTER_FWD_TO_USER,
	};
	struct kvm_vcpu_init init;
	uint64_t pfr0, mmfr0, ras;

	memset(t, 0, sizeof(*t));
	t->aarch32 = aarch32;
	if (!aarch32) {
		t->vm = vm_create_with_one_vcpu(&t->vcpu, fuzz_mmio);
		virt_map(t->vm, MMIO_GVA, MMIO_GPA, 1);
	} else {
		t->vm = vm_create_barebones();
		vm_ioctl(t->vm, KVM_ARM_PREFERRED_TARGET, &init);
		init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT;
		t->vcpu = __vm_vcpu_add(t->vm, 0);
		vcpu_ioctl(t->vcpu, KVM_ARM_VCPU_INIT, &init);
		vm_userspace_mem_region_add(t->vm, VM_MEM_SRC_ANONYMOUS, A32_CODE_GPA,
					    A32_CODE_SLOT, 1, 0);
		memcpy(addr_gpa2hva(t->vm, A32_CODE_GPA), a32_code, sizeof(a32_code));
	}
	t->hvc_ok = !__kvm_device_attr_set(t->vm->fd, KVM_ARM_VM_SMCCC_CTRL,
					   KVM_ARM_VM_SMCCC_FILTER, &filter);

	/* the VM's features, as its vCPU reads them */
	pfr0 = emul_get_reg(t->vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1));
	mmfr0 = emul_get_reg(t->vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64MMFR0_EL1));
	ras = FIELD_GET(ID_AA64PFR0_EL1_RAS_MASK, pfr0);
	t->ras = ras >= 1;
	t->rasv2 = ras >= 3;
	t->lpa2 = FIELD_GET(ID_AA64MMFR0_EL1_TGRAN4_MASK, mmfr0) == 1 ||
		  FIELD_GET(ID_AA64MMFR0_EL1_TGRAN16_MASK, mmfr0) == 2;
	t->state = ST_FRESH;
}

/*
 * Run the guest from one of its entries until it exits at the load (MMIO)
 * or the HVC.  Checks on the way what KVM_RUN did with the completion of
 * the previous MMIO exit, if one is due: completed (x1 = the data, the
 * first instruction skipped) if no abort was committed since, dropped
 * (x1 untouched, nothing skipped) if one was.  False if an AArch32 guest
 * cannot run this way: that kind then stays fresh.
 */
static bool target_run(struct target *t, unsigned long it, bool hvc)
{
	uint64_t entry, addr = 0, x0, x1, x2, pc, mask = t->aarch32 ? 0xffffffffULL : ~0ULL;
	bool complete = t->mmio_pending && !t->aborted;
	bool drop = t->mmio_pending && t->aborted;
	struct kvm_run *run = t->vcpu->run;
	int kind = t->aarch32, ret;

	if (hvc) {
		t->hvc80 = one_in(2);
		if (t->aarch32)
			entry = A32_CODE_GPA + (t->hvc80 ? A32_HVC80_ENTRY : A32_HVC_ENTRY);
		else
			entry = (uint64_t)(t->hvc80 ? fuzz_hvc80 : fuzz_hvc);
		x0 = HVC_FUNC;
	} else {
		entry = t->aarch32 ? A32_CODE_GPA + A32_MMIO_ENTRY : (uint64_t)fuzz_mmio;
		addr = (t->aarch32 ? A32_MMIO_GPA : MMIO_GVA) + (rnd() & 0xff8);
		x0 = addr;
	}
	/* PSTATE first: setting an AArch32 one narrows PC and the registers */
	vcpu_set_reg(t->vcpu, reg[R_PSTATE].id,
		     t->aarch32 ? AA32_SVC | AA32_AIF : PS_EL1h | PS_DAIF);
	vcpu_set_reg(t->vcpu, reg[R_PC].id, entry);
	vcpu_set_reg(t->vcpu, ARM64_CORE_REG(regs.regs[0]), x0);
	vcpu_set_reg(t->vcpu, ARM64_CORE_REG(regs.regs[1]), X1_SENTINEL & mask);
	vcpu_set_reg(t->vcpu, ARM64_CORE_REG(regs.regs[2]), 0);
	do {
		ret = __vcpu_run(t->vcpu);
	} while (ret == -1 && errno == EINTR);
	t->mmio_pending = t->aborted = false;
	t->dabt_vouched = false;
	/* a VM's first run faults on its code page, which KVM maps itself */
	if (!t->ran)
		t->far_el2 = entry;
	t->ran = true;

	pc = emul_get_reg(t->vcpu, reg[R_PC].id);
	if (ret || run->exit_reason != (hvc ? KVM_EXIT_HYPERCALL : KVM_EXIT_MMIO) ||
	    pc != entry + (hvc ? 8 : 4) ||
	    (!hvc && (run->mmio.phys_addr != addr - (t->aarch32 ? 0 : MMIO_GVA - MMIO_GPA) ||
		      run->mmio.is_write || run->mmio.len != (t->aarch32 ? 4 : 8)))) {
		TEST_ASSERT(t->aarch32, "guest %s: KVM_RUN %d errno %d, exit %s, PC 0x%lx, expected 0x%lx",
			    hvc ? "HVC" : "MMIO load", ret, errno,
			    exit_reason_str(run->exit_reason), pc, entry + (hvc ? 8 : 4));
		ksft_print_msg("AArch32 EL1 guest cannot run here (KVM_RUN %d, exit %s, PC 0x%lx): its vCPUs stay fresh\n",
			       ret, exit_reason_str(run->exit_reason), pc);
		can_run[1] = false;
		kvm_vm_free(t->vm);
		target_create(t, true);
		return false;
	}

	x1 = emul_get_reg(t->vcpu, ARM64_CORE_REG(regs.regs[1])) & mask;
	x2 = emul_get_reg(t->vcpu, ARM64_CORE_REG(regs.regs[2])) & mask;
	if (complete)
		CHECK(kind, x1 == (MMIO_DATA & mask) && x2 == 0,
		      "MMIO completion lost: no abort since the MMIO exit, but KVM_RUN left x1 0x%lx (data 0x%llx), x2 %lu (0: instruction skipped)",
		      x1, MMIO_DATA & mask, x2);
	else
		CHECK(kind, x1 == (X1_SENTINEL & mask) && x2 == 1,
		      "%s: KVM_RUN wrote x1 0x%lx (sentinel 0x%llx) or skipped an instruction (x2 %lu)",
		      drop ? "abort injected after the MMIO exit, MMIO completion not dropped" :
			     "no MMIO exit pending", x1, X1_SENTINEL & mask, x2);

	if (hvc) {
		t->state = ST_HVC;
	} else {
		memcpy(run->mmio.data, &(uint64_t){ MMIO_DATA }, sizeof(uint64_t));
		t->state = ST_MMIO;
		t->mmio_pending = true;
		t->dabt_vouched = true;
		t->vouched_far = t->far_el2 = addr;
	}
	return true;
}

static void enter_state(struct target *t, unsigned long it, enum state st)
{
	if (!can_run[t->aarch32])
		st = ST_FRESH;
	if (st == ST_HVC && !t->hvc_ok)
		st = ST_MMIO;
	switch (st) {
	case ST_FRESH:
		if (t->state != ST_FRESH) {
			kvm_vm_free(t->vm);
			target_create(t, t->aarch32);
		}
		break;
	case ST_MMIO:
		target_run(t, it, false);
		break;
	case ST_HVC:
		/* at times right after an MMIO exit: its FAR is no longer vouched */
		if (!one_in(2) || target_run(t, it, false))
			target_run(t, it, true);
		break;
	default:
		break;
	}
}

/* Vary what the contract's effects depend on: PSTATE, PC, VBAR, TTBCR.EAE. */
static void vary_vcpu(struct target *t)
{
	static const uint8_t a32_mode[] = { AA32_USR, AA32_SVC, AA32_ABT, AA32_UND, AA32_SYS };
	static const uint8_t a64_mode[] = { PS_EL1h, PS_EL1t, PS_EL0t, AA32_USR };
	uint64_t pstate, mode;

	if (one_in(3)) {
		if (t->aarch32) {
			pstate = a32_mode[rnd() % ARRAY_SIZE(a32_mode)] | (rnd() & AA32_AIF);
			vcpu_set_reg(t->vcpu, reg[R_PSTATE].id, pstate | (rnd() & PS_NZCV));
		} else {
			mode = a64_mode[rnd() % (aa32_el0_ok ? 4 : 3)];
			pstate = mode | (rnd() & (mode == AA32_USR ? AA32_AIF : PS_DAIF));
			pstate |= rnd() & PS_NZCV;
			if (__vcpu_set_reg(t->vcpu, reg[R_PSTATE].id, pstate)) {
				TEST_ASSERT(mode == AA32_USR, "KVM_SET_ONE_REG(PSTATE 0x%lx): errno %d",
					    pstate, errno);
				aa32_el0_ok = false;	/* no AArch32 EL0 on this host */
			}
		}
	}
	pstate = emul_get_reg(t->vcpu, reg[R_PSTATE].id);
	if (one_in(4))
		vcpu_set_reg(t->vcpu, reg[R_PC].id,
			     rnd() & ((pstate & PSR_MODE32_BIT) ? 0xfffffffcULL : 0xfffffffffffcULL));
	if (one_in(4))
		vcpu_set_reg(t->vcpu, reg[R_VBAR].id,
			     rnd() & (t->aarch32 ? 0xffffffe0ULL : 0xfffffffff800ULL));
	/* TTBCR.EAE picks the DFSR/IFSR format; the AArch32 guest runs with its MMU off */
	if (t->aarch32 && one_in(2))
		vcpu_set_reg(t->vcpu, reg[R_TTBCR].id, one_in(2) ? TTBCR_EAE : 0);
}

/*
 * Known gaps of a kernel without the series (SEA_EMUL_GAPS, emul.h), each
 * counted when seen:
 *   fnv     KVM's own syndrome never has FnV; FAR is what FAR_EL2 holds,
 *           the address of the last abort KVM took from the vCPU, whatever
 *           exception came since;
 *   iss1tw  KVM asks the last exception's ESR_EL2 for S1PTW without
 *           checking it was an abort: after "HVC #0x80" it re-walks stage 1
 *           for a level and either reports a walk FSC or, when the re-walk
 *           fails, injects nothing and returns 0;
 *   order   the SError half of a call is checked after the abort is
 *           entered: EINVAL, but the abort is committed;
 *   a32serr an SError that an AArch32 EL1 does not mask is lost: KVM
 *           pends an AArch64 SError exception, which an AArch32 EL1 never
 *           takes, and writes its syndrome over DFSR;
 *   a32fresh on an AArch32 EL1 vCPU that has never run, the exception an
 *           injection pends is entered as the hypervisor code reads
 *           HCR_EL2.RW, which only the first run sets for AArch32: a data
 *           abort is not entered at all (DFSR and DFAR written, PC and CPSR
 *           unchanged), an SError is entered as an AArch64 one (EL1h, the
 *           vector for a lower EL in AArch32).
 */
enum gap { G_FNV, G_ISS1TW_WALK, G_ISS1TW_NOTHING, G_ORDER, G_A32SERR, G_A32FRESH, NR_GAPS };
static const char *const gap_name[NR_GAPS] = {
	[G_FNV] = "fnv", [G_ISS1TW_WALK] = "iss1tw (walk FSC)",
	[G_ISS1TW_NOTHING] = "iss1tw (nothing injected, 0 returned)", [G_ORDER] = "order",
	[G_A32SERR] = "a32serr", [G_A32FRESH] = "a32fresh",
};
static unsigned long gap_seen[2][NR_GAPS];

static bool fsc_is_walk(uint64_t fsc)
{
	return fsc >= 0x13 && fsc <= 0x17;
}

/*
 * The offset from VBAR_EL1 of the group of vectors an exception taken to
 * EL1h uses, by the mode it is taken from: current EL with SP_EL0, with
 * SP_ELx, lower EL in AArch64, lower EL in AArch32.
 */
static uint64_t vector_group(uint64_t mode)
{
	return (mode & PSR_MODE32_BIT) ? 0x600 : mode == PS_EL0t ? 0x400 :
	       mode == PS_EL1t ? 0x000 : 0x200;
}

/* An accepted abort, committed by the call: the state the contract gives. */
static void check_abort(struct target *t, unsigned long it, const struct kvm_vcpu_events *ev,
			const struct ctx *c, const uint64_t *r0, const uint64_t *r1)
{
	bool iabt = EV_IABT(*ev);
	bool vouched = iabt ? c->vouch_iabt : c->vouch_dabt;
	bool gap_fnv = !EV_HAS_ESR(*ev) && kernel_gap("fnv");
	uint64_t far = vouched ? t->vouched_far : 0;
	int kind = t->aarch32;

	if (gap_fnv) {
		far = t->far_el2;
		gap_seen[kind][G_FNV] += !vouched;
	}

	if (!t->aarch32) {
		uint64_t mode = r0[R_PSTATE] & PS_MODE, iss, ec, vec = vector_group(mode);
		bool lower = mode == PS_EL0t || (mode & PSR_MODE32_BIT);

		ec = iabt ? (lower ? EC_IABT_LOW : EC_IABT_CUR) : (lower ? EC_DABT_LOW : EC_DABT_CUR);
		iss = EV_HAS_ESR(*ev) ? EV_ESR(*ev) :
		      FSC_EXTABT | (vouched || gap_fnv ? 0 : ESR_ISS_FNV);
		if (t->hvc80 && t->state == ST_HVC && !EV_HAS_ESR(*ev) && kernel_gap("iss1tw") &&
		    fsc_is_walk(r1[R_ESR] & ESR_ISS_FSC)) {
			iss = (iss & ~ESR_ISS_FSC) | (r1[R_ESR] & ESR_ISS_FSC);
			gap_seen[kind][G_ISS1TW_WALK]++;
		}
		if (iss & ESR_ISS_FNV)
			far = 0;
		CHECK(kind, r1[R_ESR] == ((ec << ESR_EC_POS) | ESR_IL | iss),
		      "%s abort from PSTATE 0x%lx (%s): ESR_EL1 0x%lx, expected EC 0x%lx, IL, ISS 0x%lx%s, FSC: %s",
		      iabt ? "instruction" : "data", r0[R_PSTATE], state_name[t->state], r1[R_ESR],
		      ec, iss, EV_HAS_ESR(*ev) ? " (the VMM's)" : " (KVM's)",
		      fsc_name(iss));
		CHECK(kind, r1[R_FAR] == far, "%s abort (%s), ISS 0x%lx: FAR_EL1 0x%lx, expected 0x%lx",
		      iabt ? "instruction" : "data", state_name[t->state], iss, r1[R_FAR], far);
		CHECK(kind, r1[R_PC] == r0[R_VBAR] + vec && r1[R_ELR] == r0[R_PC] &&
		      r1[R_SPSR] == r0[R_PSTATE] && (r1[R_PSTATE] & (PS_DAIF | PS_MODE)) == (PS_DAIF | PS_EL1h),
		      "abort from PSTATE 0x%lx, PC 0x%lx, VBAR 0x%lx: PC 0x%lx (expected 0x%lx), ELR 0x%lx, SPSR 0x%lx, PSTATE 0x%lx (EL1h, DAIF masked expected)",
		      r0[R_PSTATE], r0[R_PC], r0[R_VBAR], r1[R_PC], r0[R_VBAR] + vec, r1[R_ELR],
		      r1[R_SPSR], r1[R_PSTATE]);
	} else {
		/* DFSR = ESR_EL1[31:0], IFSR = IFSR32_EL2; DFAR = FAR_EL1[31:0], IFAR = FAR_EL1[63:32] */
		uint32_t fsr = (r0[R_TTBCR] & TTBCR_EAE) ? FSR_LPAE | FSR_EXTABT_LPAE : FSR_EXTABT_SD;
		uint64_t want_far;
		uint32_t lr = r0[R_PC] + (iabt ? 4 : 8);

		if (!vouched && !gap_fnv)
			fsr |= FSR_FNV;
		if (iabt) {
			CHECK(kind, (uint32_t)r1[R_IFSR] == fsr && r1[R_ESR] == r0[R_ESR],
			      "prefetch abort (%s, TTBCR 0x%lx): IFSR 0x%lx, expected 0x%x; DFSR 0x%lx->0x%lx",
			      state_name[t->state], r0[R_TTBCR], r1[R_IFSR], fsr, r0[R_ESR], r1[R_ESR]);
			want_far = (r0[R_FAR] & 0xffffffffULL) | (far << 32);
		} else {
			CHECK(kind, (uint32_t)r1[R_ESR] == fsr && r1[R_IFSR] == r0[R_IFSR],
			      "data abort (%s, TTBCR 0x%lx): DFSR 0x%lx, expected 0x%x; IFSR 0x%lx->0x%lx",
			      state_name[t->state], r0[R_TTBCR], r1[R_ESR], fsr, r0[R_IFSR], r1[R_IFSR]);
			want_far = (r0[R_FAR] & ~0xffffffffULL) | (far & 0xffffffffULL);
		}
		CHECK(kind, r1[R_FAR] == want_far,
		      "%s abort (%s): FAR_EL1 0x%lx, expected 0x%lx (%s 0x%lx, the other half unchanged)",
		      iabt ? "prefetch" : "data", state_name[t->state], r1[R_FAR], want_far,
		      iabt ? "IFAR" : "DFAR", far);
		if (!t->ran && kernel_gap("a32fresh")) {
			CHECK(kind, r1[R_PC] == r0[R_PC] && r1[R_PSTATE] == r0[R_PSTATE] &&
			      r1[R_LR_ABT] == r0[R_LR_ABT] && r1[R_SPSR_ABT] == r0[R_SPSR_ABT],
			      "gap a32fresh gone? %s abort on a vCPU never run, CPSR 0x%lx, PC 0x%lx: PC 0x%lx, CPSR 0x%lx",
			      iabt ? "prefetch" : "data", r0[R_PSTATE], r0[R_PC], r1[R_PC],
			      r1[R_PSTATE]);
			gap_seen[kind][G_A32FRESH]++;
			return;
		}
		CHECK(kind, r1[R_PC] == r0[R_VBAR] + (iabt ? 0x0c : 0x10) &&
		      (r1[R_PSTATE] & PS_MODE) == AA32_ABT && (r1[R_PSTATE] & AA32_AI) == AA32_AI &&
		      r1[R_LR_ABT] == lr && (uint32_t)r1[R_SPSR_ABT] == (uint32_t)r0[R_PSTATE],
		      "%s abort from CPSR 0x%lx, PC 0x%lx, VBAR 0x%lx: PC 0x%lx (expected 0x%lx), CPSR 0x%lx (Abort mode, A and I masked expected), LR_abt 0x%lx (expected 0x%x), SPSR_abt 0x%lx",
		      iabt ? "prefetch" : "data", r0[R_PSTATE], r0[R_PC], r0[R_VBAR], r1[R_PC],
		      r0[R_VBAR] + (iabt ? 0x0c : 0x10), r1[R_PSTATE], r1[R_LR_ABT], lr,
		      r1[R_SPSR_ABT]);
	}
}

/*
 * The kernel is mainline (7.x), not 6.12.  Linux 6.12 leaves every SError
 * pending (HCR_EL2.VSE) for the vCPU to take when it runs; mainline takes
 * one the vCPU does not mask (PSTATE.A clear) at once, in the call.  And
 * mainline ignores the args of KVM_ENABLE_CAP(SEA_TO_USER), where the 6.12
 * series refuses non-zero ones (DESIGN.md section 3).
 */
static bool mainline_kernel;

/* An accepted SError the vCPU does not mask, on a kernel that takes it at once. */
static void check_serror_taken(struct target *t, unsigned long it, const struct kvm_vcpu_events *ev,
			       const struct kvm_vcpu_events *after, const uint64_t *r0,
			       const uint64_t *r1)
{
	uint64_t esr = ev->exception.serror_has_esr ? ev->exception.serror_esr : ESR_ISS_ISV;
	int kind = t->aarch32;
	bool a32fresh = t->aarch32 && !t->ran && kernel_gap("a32fresh");

	if (!t->aarch32 || a32fresh) {
		/* the SError entry of the group */
		uint64_t vec = vector_group(r0[R_PSTATE] & PS_MODE) + 0x180;

		gap_seen[kind][G_A32FRESH] += a32fresh;
		CHECK(kind, !after->exception.serror_pending && r1[R_PC] == r0[R_VBAR] + vec &&
		      r1[R_ELR] == r0[R_PC] && r1[R_SPSR] == r0[R_PSTATE] &&
		      (r1[R_PSTATE] & (PS_DAIF | PS_MODE)) == (PS_DAIF | PS_EL1h) &&
		      r1[R_ESR] == (((uint64_t)EC_SERROR << ESR_EC_POS) | ESR_IL | esr) &&
		      r1[R_FAR] == r0[R_FAR],
		      "SError from PSTATE 0x%lx (A clear), PC 0x%lx, VBAR 0x%lx: pending %u, PC 0x%lx (expected 0x%lx), ELR 0x%lx, SPSR 0x%lx, PSTATE 0x%lx, ESR_EL1 0x%lx (ISS 0x%lx expected), FAR_EL1 0x%lx->0x%lx",
		      r0[R_PSTATE], r0[R_PC], r0[R_VBAR], after->exception.serror_pending, r1[R_PC],
		      r0[R_VBAR] + vec, r1[R_ELR], r1[R_SPSR], r1[R_PSTATE], r1[R_ESR], esr,
		      r0[R_FAR], r1[R_FAR]);
		if (a32fresh)
			t->state_broken = true;	/* an AArch32 EL1 now in AArch64 EL1h */
		return;
	}
	if (kernel_gap("a32serr")) {
		uint64_t r[NR_REGS];

		memcpy(r, r0, sizeof(r));
		r[R_ESR] = ((uint64_t)EC_SERROR << ESR_EC_POS) | ESR_IL | esr;
		CHECK(kind, !after->exception.serror_pending && !memcmp(r, r1, sizeof(r)),
		      "gap a32serr gone? SError from CPSR 0x%lx (A clear): pending %u, registers:%s",
		      r0[R_PSTATE], after->exception.serror_pending, regs_diff(r0, r1));
		gap_seen[kind][G_A32SERR]++;
		return;
	}
	/* an asynchronous data abort in Abort mode, or left pending for the vCPU */
	CHECK(kind, after->exception.serror_pending ||
	      (r1[R_PC] == r0[R_VBAR] + 0x10 && (r1[R_PSTATE] & PS_MODE) == AA32_ABT &&
	       r1[R_LR_ABT] == (uint32_t)(r0[R_PC] + 8)),
	      "SError from CPSR 0x%lx (A clear), PC 0x%lx: neither pending nor taken (PC 0x%lx, CPSR 0x%lx, LR_abt 0x%lx)",
	      r0[R_PSTATE], r0[R_PC], r1[R_PC], r1[R_PSTATE], r1[R_LR_ABT]);
}

/*
 * Gap iss1tw, second form: an abort after "HVC #0x80" was not injected.
 * Every abort writes FAR_EL1 (over its random sentinel), an SError in the
 * same call does not.
 */
static bool iss1tw_nothing(const struct target *t, enum state st, const struct kvm_vcpu_events *ev,
			   const uint64_t *r0, const uint64_t *r1)
{
	if (!t->hvc80 || st != ST_HVC || t->aarch32 || EV_HAS_ESR(*ev) ||
	    !kernel_gap("iss1tw") || r1[R_FAR] != r0[R_FAR])
		return false;
	gap_seen[t->aarch32][G_ISS1TW_NOTHING]++;
	return true;
}

static void fuzz_events(struct target *t, unsigned long it, bool host_ras)
{
	struct kvm_vcpu_events ev, before, after;
	uint64_t r0[NR_REGS], r1[NR_REGS];
	int kind = t->aarch32, ret, err;
	enum state st = t->state;
	struct ctx c = {
		.host_ras = host_ras, .aarch32 = t->aarch32,
		.ras = t->ras, .rasv2 = t->rasv2, .lpa2 = t->lpa2,
		/* only a data abort exit (the MMIO load) can have been taken */
		.vouch_dabt = t->dabt_vouched, .vouch_iabt = false,
	};
	bool abort, serror_taken;
	enum verdict want;

	vary_vcpu(t);
	vcpu_set_reg(t->vcpu, reg[R_ESR].id, rnd() & 0xffffffffUL);
	vcpu_set_reg(t->vcpu, reg[R_FAR].id, rnd());
	if (t->aarch32)
		vcpu_set_reg(t->vcpu, reg[R_IFSR].id, rnd() & 0xffffffffUL);
	random_events(&ev, t);
	want = contract(&ev, &c);

	regs_read(t, r0);
	vcpu_events_get(t->vcpu, &before);
	ret = __vcpu_ioctl(t->vcpu, KVM_SET_VCPU_EVENTS, &ev);
	err = errno;
	vcpu_events_get(t->vcpu, &after);
	regs_read(t, r1);
	counts[kind][want]++;
	state_calls[kind][st]++;

	if (want != OK) {
		CHECK(kind, ret == -1 && err == EINVAL, "%s (%s): ret %d errno %d, EINVAL expected; ISS 0x%llx (FSC: %s)",
		      verdict_name[want], state_name[st], ret, err, EV_ESR(ev),
		      fsc_name(EV_ESR(ev)));
		CHECK(kind, !memcmp(&before, &after, sizeof(before)),
		      "%s: rejected, but KVM_GET_VCPU_EVENTS changed", verdict_name[want]);
		if (ev.exception.ext_dabt_pending && kernel_gap("order") &&
		    (want == E_SERROR_NO_RAS || want == E_SERROR_ESR) &&
		    !iss1tw_nothing(t, st, &ev, r0, r1)) {
			gap_seen[kind][G_ORDER]++;
			check_abort(t, it, &ev, &c, r0, r1);
			t->aborted |= t->mmio_pending;
			return;
		}
		CHECK(kind, !memcmp(r0, r1, sizeof(r0)), "%s: rejected, but registers changed:%s",
		      verdict_name[want], regs_diff(r0, r1));
		return;
	}
	CHECK(kind, ret == 0, "valid input (%s), ISS 0x%llx (FSC: %s): ret %d errno %d",
	      state_name[st], EV_ESR(ev), fsc_name(EV_ESR(ev)), ret, err);
	if (ret)
		return;

	abort = ev.exception.ext_dabt_pending || EV_IABT(ev);
	if (abort && iss1tw_nothing(t, st, &ev, r0, r1))
		abort = false;
	serror_taken = ev.exception.serror_pending && mainline_kernel && !abort &&
		       !(r0[R_PSTATE] & PSR_A_BIT);
	if (abort) {
		check_abort(t, it, &ev, &c, r0, r1);
		state_aborts[kind][st]++;
		if (EV_HAS_ESR(ev)) {
			fsc_accepted[kind][EV_ESR(ev) & ESR_ISS_FSC]++;
			vouched_iss[kind] += !(EV_ESR(ev) & ESR_ISS_FNV);
		}
		/* the MMIO exit's completion must now be dropped */
		t->aborted |= t->mmio_pending;
	} else if (serror_taken) {
		check_serror_taken(t, it, &ev, &after, r0, r1);
		serrors_taken[kind]++;
		/* an exception was entered (or lost): the MMIO completion is dropped */
		t->aborted |= t->mmio_pending;
	} else {
		CHECK(kind, !memcmp(r0, r1, sizeof(r0)), "no abort %s, but registers changed:%s",
		      ev.exception.ext_dabt_pending || EV_IABT(ev) ? "injected (gap iss1tw)" : "requested",
		      regs_diff(r0, r1));
	}
	/* committed: nothing reads back as pending */
	CHECK(kind, !after.exception.ext_dabt_pending && !EV_IABT(after) &&
	      !EV_HAS_ESR(after) && !EV_ESR(after),
	      "accepted: KVM_GET_VCPU_EVENTS reads dabt %u iabt %u has_esr %u esr 0x%llx, all 0 expected",
	      after.exception.ext_dabt_pending, EV_IABT(after),
	      EV_HAS_ESR(after), EV_ESR(after));
	if (ev.exception.serror_pending && !serror_taken) {
		CHECK(kind, after.exception.serror_pending, "SError accepted but not pending");
		if (ev.exception.serror_has_esr)
			CHECK(kind, after.exception.serror_esr == ev.exception.serror_esr,
			      "SError ESR 0x%llx reads 0x%llx", ev.exception.serror_esr,
			      after.exception.serror_esr);
	} else if (!ev.exception.serror_pending) {
		CHECK(kind, after.exception.serror_pending == before.exception.serror_pending,
		      "no SError requested, but serror_pending %u -> %u",
		      before.exception.serror_pending, after.exception.serror_pending);
	}
	if (after.exception.serror_pending || t->state_broken) {
		/* it stays pending: start again with a vCPU without one, in the same state */
		kvm_vm_free(t->vm);
		target_create(t, t->aarch32);
		enter_state(t, it, st);
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
		valid &= mainline_kernel;
	}
	ret = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	err = errno;
	if (valid)
		CHECK(2, ret == 0, "ENABLE_CAP(SEA_TO_USER, 0): ret %d errno %d", ret, err);
	else
		CHECK(2, ret == -1 && err == EINVAL, "ENABLE_CAP flags 0x%x args %llx/%llx/%llx/%llx: ret %d errno %d",
		      cap.flags, cap.args[0], cap.args[1], cap.args[2], cap.args[3], ret, err);
	*bad_args += !valid;
}

/*
 * The guest of this kind ran, and calls were made in each of its states: a
 * guest that stops reaching its MMIO or HVC exit must fail the run, not
 * leave only vCPUs that never ran to fuzz.
 */
static bool states_reached(const struct target *t)
{
	int kind = t->aarch32;
	bool ok = can_run[kind] && state_calls[kind][ST_FRESH] && state_calls[kind][ST_MMIO] &&
		  (!t->hvc_ok || state_calls[kind][ST_HVC]);

	if (!ok)
		ksft_print_msg("%s vCPU: %s\n", kind ? "AArch32" : "AArch64",
			       can_run[kind] ? "a state was never fuzzed (calls per state above)" :
					       "its guest stopped running");
	return ok;
}

static void report(const struct target *t, unsigned long calls)
{
	int kind = t->aarch32, v, s, n = 0;
	char line[1024];

	for (v = 0; v < NR_VERDICTS; v++)
		if (counts[kind][v])
			n += snprintf(line + n, sizeof(line) - n, "%s%s %lu", n ? ", " : "",
				      verdict_name[v], counts[kind][v]);
	ksft_print_msg("%s vCPU, %lu calls: %s\n", kind ? "AArch32" : "AArch64", calls, line);

	for (n = 0, s = 0; s < NR_STATES; s++)
		n += snprintf(line + n, sizeof(line) - n, "%s%s %lu (%lu aborts committed)",
			      s ? ", " : "", state_name[s], state_calls[kind][s], state_aborts[kind][s]);
	ksft_print_msg("%s vCPU, calls per state: %s; SErrors taken in the call %lu\n",
		       kind ? "AArch32" : "AArch64", line, serrors_taken[kind]);
	for (n = 0, v = 0; v < NR_GAPS; v++)
		if (gap_seen[kind][v])
			n += snprintf(line + n, sizeof(line) - n, " %s %lu", gap_name[v], gap_seen[kind][v]);
	if (n)
		ksft_print_msg("%s vCPU, known gaps seen (SEA_EMUL_GAPS):%s\n",
			       kind ? "AArch32" : "AArch64", line);

	if (kind)
		return;
	for (n = 0, v = 0; v < 64; v++)
		if (fsc_accepted[kind][v])
			n += snprintf(line + n, sizeof(line) - n, " 0x%02x:%lu", v, fsc_accepted[kind][v]);
	ksft_print_msg("AArch64 vCPU, supplied ISS accepted: %lu with FnV clear (FAR vouched); per FSC:%s\n",
		       vouched_iss[kind], n ? line : " none");
}

/*
 * Every gap SEA_EMUL_GAPS lists that the fuzzer knows must have been seen:
 * the list says what this kernel lacks, and a gap that no longer shows
 * must leave it (the checks accept a gap's symptoms, not its absence).
 */
static void gaps_hold(bool aarch32_ok)
{
	static const struct {
		const char *name;
		int kind;	/* -1: either kind of vCPU */
		enum gap a, b;
	} known[] = {
		{ "fnv", -1, G_FNV, G_FNV },
		{ "iss1tw", 0, G_ISS1TW_WALK, G_ISS1TW_NOTHING },
		{ "order", -1, G_ORDER, G_ORDER },
		{ "a32serr", 1, G_A32SERR, G_A32SERR },
		{ "a32fresh", 1, G_A32FRESH, G_A32FRESH },
	};
	char missing[128] = "";
	unsigned long seen;
	int i, n = 0, listed = 0;

	for (i = 0; i < (int)ARRAY_SIZE(known); i++) {
		if (!kernel_gap(known[i].name) || (known[i].kind == 1 && !aarch32_ok))
			continue;
		listed++;
		seen = 0;
		if (known[i].kind != 1)
			seen += gap_seen[0][known[i].a] + (known[i].a != known[i].b ? gap_seen[0][known[i].b] : 0);
		if (known[i].kind != 0)
			seen += gap_seen[1][known[i].a] + (known[i].a != known[i].b ? gap_seen[1][known[i].b] : 0);
		if (!seen)
			n += snprintf(missing + n, sizeof(missing) - n, " %s", known[i].name);
	}
	if (!listed)
		ksft_test_result_skip("no known gap listed for this kernel\n");
	else
		ksft_test_result(!n, "the %d known gap(s) listed still hold%s%s\n", listed,
				 n ? "; never seen:" : "", missing);
}

int main(void)
{
	unsigned long iters = env_count("SEA_FUZZ_ITERS", 10000);
	unsigned long it, calls[2] = {}, cap_calls = 0, cap_bad = 0;
	bool host_ras, aarch32_ok, warned_before;
	struct target t[2];
	struct utsname uts;

	series_abi = emul_series_abi();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER));
	mainline_kernel = uname(&uts) == 0 && atoi(uts.release) >= 7;
	host_ras = kvm_has_cap(KVM_CAP_ARM_INJECT_SERROR_ESR);
	aarch32_ok = kvm_has_cap(KVM_CAP_ARM_EL1_32BIT);
	rng_state = env_count("SEA_FUZZ_SEED", 0x5ea5ea5eaULL) | 1;

	ksft_print_header();
	ksft_set_plan(5);
	warned_before = kernel_taint() & TAINT_WARN;
	ksft_print_msg("%lu iterations, seed 0x%lx (SEA_FUZZ_ITERS, SEA_FUZZ_SEED), host RAS %d\n",
		       iters, rng_state, host_ras);
	ksft_print_msg("contract: %s; an unmasked SError is %s\n",
		       series_abi ? "the series' (KVM_CAP_ARM_INJECT_EXT_IABT)" :
				    "mainline's without the series (padding and reserved words 0, rules 1-2)",
		       mainline_kernel ? "taken in the call (7.x)" : "left pending (6.12)");

	/*
	 * The oracle is the contract for a guest that takes its exceptions
	 * at EL1.  Under KVM's nested mode, 7.3's selftest library gives each
	 * vCPU an EL2 unless NV=0 (its guest would then run, and take the
	 * aborts, at vEL2): the vCPUs here have none, on every host.
	 */
	setenv("NV", "0", 1);
	target_create(&t[0], false);
	ksft_print_msg("AArch64 VM: FEAT_RAS %d, FEAT_RASv2 %d, FEAT_LPA2 %d, hypercall exits %s\n",
		       t[0].ras, t[0].rasv2, t[0].lpa2, t[0].hvc_ok ? "yes" : "no (SMCCC filter refused)");
	if (aarch32_ok)
		target_create(&t[1], true);

	for (it = 0; it < iters; it++) {
		bool a32 = aarch32_ok && one_in(8);
		static const enum state pick[] = { ST_FRESH, ST_MMIO, ST_MMIO, ST_HVC };

		if (one_in(12))
			enter_state(&t[a32], it, pick[rnd() % ARRAY_SIZE(pick)]);
		fuzz_events(&t[a32], it, host_ras);
		calls[a32]++;
		if (one_in(10)) {
			fuzz_cap(t[0].vm, it, &cap_bad);
			cap_calls++;
		}
	}
	report(&t[0], calls[0]);
	ksft_test_result(!mismatches[0] && counts[0][OK] && states_reached(&t[0]) &&
			 (series_abi ? counts[0][E_ISS_BITS] && counts[0][E_FSC] &&
				       counts[0][E_FAR] && vouched_iss[0] :
				       counts[0][E_NO_FIELD]),
			 "KVM_SET_VCPU_EVENTS, AArch64: %lu calls as the contract says\n", calls[0]);
	if (aarch32_ok) {
		report(&t[1], calls[1]);
		ksft_test_result(!mismatches[1] && counts[1][OK] && states_reached(&t[1]) &&
				 counts[1][series_abi ? E_AARCH32 : E_NO_FIELD],
				 "KVM_SET_VCPU_EVENTS, AArch32: %lu calls as the contract says\n", calls[1]);
	} else {
		ksft_test_result_skip("KVM_SET_VCPU_EVENTS, AArch32: no KVM_CAP_ARM_EL1_32BIT\n");
	}
	ksft_test_result(!mismatches[2] && cap_calls > cap_bad && cap_bad,
			 "KVM_ENABLE_CAP(SEA_TO_USER): %lu calls, %lu with flags%s (EINVAL)\n",
			 cap_calls, cap_bad, mainline_kernel ? " (args ignored)" : "/args");
	gaps_hold(aarch32_ok);
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
