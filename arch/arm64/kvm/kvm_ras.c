// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronous external aborts taken from a guest: let the host's RAS code
 * claim them, else hand them to the VMM when it asked for them.
 */

#include <linux/kvm_host.h>
#include <linux/lockdep.h>

#include <asm/esr.h>
#include <asm/kvm_emulate.h>
#include <asm/kvm_mmu.h>
#include <asm/kvm_ras.h>

/*
 * An abort caused by an access the host imposed on the guest is the host's
 * problem, not one userspace can do anything about.  Without FEAT_RAS,
 * HCR_EL2.TEA does not exist, so the only external aborts that reach EL2
 * come from such accesses.  With it, a walk of a stage-2 table only shows up
 * as an abort on a table walk with S1PTW set: without S1PTW, a table walk
 * abort may as well be on the guest's own stage-1 tables.
 */
static bool host_owns_sea(u64 esr)
{
	if (!cpus_have_final_cap(ARM64_HAS_RAS_EXTN))
		return true;

	return (esr_fsc_is_sea_ttw(esr) || esr_fsc_is_secc_ttw(esr)) &&
	       (esr & ESR_ELx_S1PTW);
}

/*
 * Only what describes the abort goes to userspace: no instruction syndrome,
 * which is meaningless for an external abort, and SET only where the guest
 * has FEAT_RAS to make sense of it.
 */
static u64 sea_esr_for_user(struct kvm_vcpu *vcpu)
{
	u64 mask = ESR_ELx_EC_MASK | ESR_ELx_IL | ESR_ELx_FnV | ESR_ELx_EA |
		   ESR_ELx_CM | ESR_ELx_WNR | ESR_ELx_FSC;

	if (kvm_has_feat(vcpu->kvm, ID_AA64PFR0_EL1, RAS, IMP))
		mask |= ESR_ELx_SET_MASK;

	return kvm_vcpu_get_esr(vcpu) & mask;
}

/*
 * The IPA is only worth reporting when the fault info captured one and it
 * is an address of this VM: a nested guest's IPA is not.
 */
static phys_addr_t sea_gpa(struct kvm_vcpu *vcpu)
{
	if (kvm_is_nested_s2_mmu(vcpu->kvm, vcpu->arch.hw_mmu))
		return INVALID_GPA;

	return kvm_vcpu_get_fault_ipa(vcpu);
}

/**
 * kvm_handle_guest_sea - handle a synchronous external abort from a guest
 * @vcpu: the vCPU that took the abort
 *
 * The abort is first offered to the host's RAS code (APEI), which may claim
 * and fix it.  If it does not, an abort the host caused, or one from a VM
 * that did not enable KVM_CAP_ARM_SEA_TO_USER, becomes a virtual SError as
 * it always has.  Otherwise the vCPU exits with KVM_EXIT_ARM_SEA and
 * userspace decides what the guest sees.
 *
 * Return: 1 to resume the guest, 0 to exit to userspace.
 */
int kvm_handle_guest_sea(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 esr = kvm_vcpu_get_esr(vcpu);
	phys_addr_t gpa;

	/* apei_claim_sea(NULL) expects to mask interrupts itself */
	lockdep_assert_irqs_enabled();

	if (!apei_claim_sea(NULL))
		return 1;

	if (host_owns_sea(esr) ||
	    !test_bit(KVM_ARCH_FLAG_EXIT_SEA, &vcpu->kvm->arch.flags)) {
		kvm_inject_vabt(vcpu);
		return 1;
	}

	run->exit_reason = KVM_EXIT_ARM_SEA;
	run->arm_sea.esr = sea_esr_for_user(vcpu);
	run->arm_sea.flags = 0;
	run->arm_sea.gva = (esr & ESR_ELx_FnV) ? 0 : kvm_vcpu_get_hfar(vcpu);
	run->arm_sea.gpa = 0;

	gpa = sea_gpa(vcpu);
	if (gpa != INVALID_GPA) {
		run->arm_sea.flags |= KVM_EXIT_ARM_SEA_FLAG_GPA_VALID;
		run->arm_sea.gpa = gpa;
	}

	return 0;
}
