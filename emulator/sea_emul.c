// SPDX-License-Identifier: GPL-2.0-only
/*
 * SEA emulator: a test-only module, never part of the series.
 *
 * QEMU ignores HCR_EL2.TEA and has no EINJ, so a synchronous external abort
 * (SEA) never reaches KVM there.  This module stands in for the hardware: a
 * kprobe on kvm_handle_guest_abort() finds the stage-2 translation fault a
 * guest takes on the one armed IPA page and rewrites the vCPU's recorded
 * fault into what a real SEA on that access would have left: FSC external
 * abort, no instruction syndrome, FnV and FAR, HPFAR validity as the test
 * asks.  Everything after that is the kernel's own code.
 *
 * The page is never mapped at stage 2 (KVM handles an SEA instead of
 * mapping it), so every touch faults, and is converted, again.
 *
 * Parameters (/sys/module/sea_emul/parameters/):
 *   ipa        the guest physical page to poison, -1 (default) disarms
 *   fsc        FSC to report (default 0x10, external abort on the access)
 *   fnv        set FnV; FAR_EL2 then holds junk, as hardware may leave it
 *   gpa_valid  whether the fault info says HPFAR_EL2 holds the IPA; if not,
 *              HPFAR_EL2 holds junk
 *   set        ESR SET field (0..3)
 *   junk       bits OR-ed into the syndrome that a real SEA never has
 *              (ISV, SAS, SRT, ISS2...), to check that KVM filters them
 *   dabt_count, iabt_count   conversions done; write 0 to reset
 *   junk_addr  (read-only) what FAR_EL2 holds after an SEA with FnV set
 *   refuse     make KVM_SET_VCPU_EVENTS fail with EINVAL without running
 *              it, the way a kernel that cannot replay an abort answers
 *              a VMM: 1 when the call asks for an external abort, 2 for
 *              every call, 0 (default) never
 *   refused_count  calls refused; write 0 to reset
 */

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <generated/utsversion.h>

#include <asm/esr.h>
#include <asm/kvm_emulate.h>

#define SEA_EMUL_JUNK_ADDR	0xbad0bad0bad0b000ULL

static unsigned long long ipa = ~0ULL;
module_param(ipa, ullong, 0644);
static unsigned int fsc = ESR_ELx_FSC_EXTABT;
module_param(fsc, uint, 0644);
static bool fnv;
module_param(fnv, bool, 0644);
static bool gpa_valid = true;
module_param(gpa_valid, bool, 0644);
static unsigned int set;
module_param(set, uint, 0644);
static unsigned long long junk;
module_param(junk, ullong, 0644);

static unsigned long long junk_addr = SEA_EMUL_JUNK_ADDR;
module_param(junk_addr, ullong, 0444);

static atomic_t dabt_count = ATOMIC_INIT(0);
static atomic_t iabt_count = ATOMIC_INIT(0);

static int count_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	atomic_set(kp->arg, v);
	return 0;
}

static int count_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops count_ops = {
	.set = count_set,
	.get = count_get,
};
module_param_cb(dabt_count, &count_ops, &dabt_count, 0644);
module_param_cb(iabt_count, &count_ops, &iabt_count, 0644);

static atomic_t refused_count = ATOMIC_INIT(0);
module_param_cb(refused_count, &count_ops, &refused_count, 0644);
static unsigned int refuse;

static int sea_emul_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct kvm_vcpu *vcpu = (struct kvm_vcpu *)regs->regs[0];
	struct kvm_vcpu_fault_info *fault = &vcpu->arch.fault;
	u64 esr = fault->esr_el2;
	u64 armed = READ_ONCE(ipa);
	u8 ec = ESR_ELx_EC(esr);
	bool iabt = ec == ESR_ELx_EC_IABT_LOW;
	u64 sea;

	if (armed == ~0ULL || (!iabt && ec != ESR_ELx_EC_DABT_LOW))
		return 0;
	/* Only the access itself, not the guest's walk of its own tables */
	if (!esr_fsc_is_translation_fault(esr) || (esr & ESR_ELx_S1PTW))
		return 0;
	if (kvm_vcpu_get_fault_ipa(vcpu) != (armed & ~0xfffULL))
		return 0;

	sea = esr & (ESR_ELx_EC_MASK | ESR_ELx_IL);
	if (!iabt)
		sea |= esr & ESR_ELx_WNR;
	sea |= READ_ONCE(fsc) & ESR_ELx_FSC;
	sea |= ((u64)READ_ONCE(set) << ESR_ELx_SET_SHIFT) & ESR_ELx_SET_MASK;
	sea |= READ_ONCE(junk);
	if (READ_ONCE(fnv)) {
		sea |= ESR_ELx_FnV;
		fault->far_el2 = SEA_EMUL_JUNK_ADDR;
	}
	fault->esr_el2 = sea;

	/*
	 * Where the fault info says whether HPFAR_EL2 holds the IPA: a bit of
	 * the recorded HPFAR_EL2 (NS, mainline), a flag of the 6.12 series,
	 * nothing at all on the bare 6.12 base (for comparisons).
	 */
#if defined(HPFAR_EL2_NS)
	if (!READ_ONCE(gpa_valid))
		fault->hpfar_el2 = (SEA_EMUL_JUNK_ADDR >> 8) & ~HPFAR_EL2_NS;
#else
#ifdef KVM_CAP_ARM_SEA_TO_USER
	fault->hpfar_valid = READ_ONCE(gpa_valid);
#endif
	if (!READ_ONCE(gpa_valid))
		fault->hpfar_el2 = SEA_EMUL_JUNK_ADDR >> 8;
#endif

	atomic_inc(iabt ? &iabt_count : &dabt_count);
	return 0;
}

static struct kprobe sea_emul_kp = {
	.symbol_name = "kvm_handle_guest_abort",
	.pre_handler = sea_emul_pre,
};

static int sea_refuse_pre(struct kprobe *p, struct pt_regs *regs)
{
	const struct kvm_vcpu_events *events = (void *)regs->regs[1];
	unsigned int how = READ_ONCE(refuse);
	bool abt = events->exception.ext_dabt_pending;

#ifdef KVM_CAP_ARM_INJECT_EXT_IABT
	abt |= events->exception.ext_iabt_pending;
#endif
	if (!how || (how == 1 && !abt))
		return 0;

	/* Return -EINVAL to the caller: the function does not run at all */
	regs_set_return_value(regs, -EINVAL);
	instruction_pointer_set(regs, procedure_link_pointer(regs));
	atomic_inc(&refused_count);
	return 1;
}

/* Armed only while refusing: a probe hit costs every KVM_SET_VCPU_EVENTS */
static struct kprobe sea_refuse_kp = {
	.symbol_name = "__kvm_arm_vcpu_set_events",
	.pre_handler = sea_refuse_pre,
	.flags = KPROBE_FLAG_DISABLED,
};

static int refuse_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v > 2)
		return -EINVAL;
	WRITE_ONCE(refuse, v);
	/* at insmod time, before the probe exists, sea_emul_init() arms it */
	if (!sea_refuse_kp.addr)
		return 0;
	return v ? enable_kprobe(&sea_refuse_kp) : disable_kprobe(&sea_refuse_kp);
}

static const struct kernel_param_ops refuse_ops = {
	.set = refuse_set,
	.get = param_get_uint,
};
module_param_cb(refuse, &refuse_ops, &refuse, 0644);

static int __init sea_emul_init(void)
{
	int ret;

	/*
	 * The probe writes into struct kvm_vcpu: only the very kernel build
	 * this module was compiled against has the layout it assumes.
	 */
	if (strcmp(init_utsname()->version, UTS_VERSION)) {
		pr_err("sea_emul: built for kernel \"%s\", running \"%s\": rebuild the emulator against this kernel\n",
		       UTS_VERSION, init_utsname()->version);
		return -EINVAL;
	}

	ret = register_kprobe(&sea_emul_kp);
	if (ret) {
		pr_err("sea_emul: cannot probe kvm_handle_guest_abort: %d\n", ret);
		return ret;
	}
	if (refuse)
		sea_refuse_kp.flags = 0;
	ret = register_kprobe(&sea_refuse_kp);
	if (ret) {
		pr_err("sea_emul: cannot probe __kvm_arm_vcpu_set_events: %d\n", ret);
		unregister_kprobe(&sea_emul_kp);
	}
	return ret;
}

static void __exit sea_emul_exit(void)
{
	unregister_kprobe(&sea_refuse_kp);
	unregister_kprobe(&sea_emul_kp);
}

module_init(sea_emul_init);
module_exit(sea_emul_exit);
MODULE_DESCRIPTION("Test-only emulation of guest synchronous external aborts for KVM");
MODULE_LICENSE("GPL");
