/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the emulator's test programs (test-only, never part of
 * the series): the emulator's module parameters, loading the module, and
 * the syndrome constants the programs check against.
 */
#ifndef SEA_EMUL_H
#define SEA_EMUL_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "processor.h"
#include "test_util.h"

#define EMUL_PARAMS	"/sys/module/sea_emul/parameters/"

/*
 * The injection fields of struct kvm_vcpu_events (DESIGN.md section 3), by
 * name where the UAPI headers have them, else at the same offsets, in what
 * such a kernel (mainline 7.3) calls padding and reserved words and
 * requires to be zero: the programs build for both, and a kernel without
 * the fields refuses them.  EV_PAD and EV_RESERVED are what is still
 * padding and reserved with the fields.
 */
#ifdef KVM_CAP_ARM_INJECT_EXT_IABT
#define EV_IABT(e)		((e).exception.ext_iabt_pending)
#define EV_HAS_ESR(e)		((e).exception.ext_abt_has_esr)
#define EV_ESR(e)		((e).exception.ext_abt_esr)
#define EV_PAD(e, i)		((e).exception.pad[i])
#define EV_RESERVED(e, i)	((e).reserved[i])
#else
#define KVM_CAP_ARM_INJECT_EXT_IABT	252
#define EV_IABT(e)		((e).exception.pad[0])
#define EV_HAS_ESR(e)		((e).exception.pad[1])
/* bytes 16..23 of the struct: reserved[0] and [1] here */
#define EV_ESR(e)		(*(__u64 *)&(e).reserved[0])
#define EV_PAD(e, i)		((e).exception.pad[2 + (i)])
#define EV_RESERVED(e, i)	((e).reserved[2 + (i)])
#endif

#define ESR_ISS_FSC	GENMASK_ULL(5, 0)
#define ESR_ISS_WNR	BIT_ULL(6)
#define ESR_ISS_S1PTW	BIT_ULL(7)
#define ESR_ISS_CM	BIT_ULL(8)
#define ESR_ISS_EA	BIT_ULL(9)
#define ESR_ISS_FNV	BIT_ULL(10)
#define ESR_ISS_SET	GENMASK_ULL(12, 11)
#define ESR_ISS_SET_UEO	(3ULL << 11)	/* SET 0b11: Restartable state */
#define ESR_ISS		GENMASK_ULL(24, 0)
#define ESR_IL		BIT_ULL(25)
/* ESR_ELx.EC (the selftest library names these differently across releases) */
#define ESR_EC_POS	26
#define ESR_EC_OF(esr)	(((esr) >> ESR_EC_POS) & 0x3f)
#define EC_IABT_LOW	0x20
#define EC_IABT_CUR	0x21
#define EC_DABT_LOW	0x24
#define EC_DABT_CUR	0x25
#define EC_SERROR	0x2f
#define EC_BRK64	0x3c
#define FSC_EXTABT	0x10
#define FSC_SECC	0x18

static inline void emul_param_write(const char *name, uint64_t val)
{
	char path[128], buf[32];
	int fd, len;

	snprintf(path, sizeof(path), EMUL_PARAMS "%s", name);
	fd = open(path, O_WRONLY);
	TEST_ASSERT(fd >= 0, "open %s: errno %d", path, errno);
	len = snprintf(buf, sizeof(buf), "%lu", val);
	TEST_ASSERT(write(fd, buf, len) == len, "write %s: errno %d", path, errno);
	close(fd);
}

static inline uint64_t emul_param_read(const char *name)
{
	char path[128], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), EMUL_PARAMS "%s", name);
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s: errno %d", path, errno);
	TEST_ASSERT(read(fd, buf, sizeof(buf) - 1) > 0, "read %s: errno %d",
		    path, errno);
	close(fd);
	return strtoull(buf, NULL, 0);
}

/*
 * Load the module unless it is loaded: SEA_EMUL_KO names it (the base
 * kernel's build, for comparisons), else it sits next to the program.
 */
static inline void emul_load(void)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	const char *ko = getenv("SEA_EMUL_KO");
	ssize_t n;
	int fd;

	if (!access(EMUL_PARAMS, F_OK))
		return;
	if (ko && *ko) {
		snprintf(path, sizeof(path), "%s", ko);
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			ksft_exit_fail_msg("readlink /proc/self/exe: errno %d\n", errno);
		self[n] = '\0';
		snprintf(path, sizeof(path), "%s/sea_emul.ko", dirname(self));
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || syscall(__NR_finit_module, fd, "", 0))
		ksft_exit_fail_msg("cannot load %s (errno %d): the emulator must be built for this kernel\n",
				   path, errno);
	close(fd);
}

/*
 * Arm the emulator for one IPA, counters reset, FSC 0x10 and SET 0 (write
 * "fsc" and "set" afterwards for others); disarm with emul_disarm().
 */
static inline void emul_arm(uint64_t ipa, bool fnv, bool gpa_valid, uint64_t junk)
{
	emul_param_write("fsc", FSC_EXTABT);
	emul_param_write("set", 0);
	emul_param_write("fnv", fnv);
	emul_param_write("gpa_valid", gpa_valid);
	emul_param_write("junk", junk);
	emul_param_write("dabt_count", 0);
	emul_param_write("iabt_count", 0);
	emul_param_write("ipa", ipa);
}

static inline void emul_disarm(void)
{
	emul_param_write("ipa", -1);
}

/*
 * One register of the vCPU; the selftest library's own vcpu_get_reg()
 * changed its signature after 6.12, this builds on both.
 */
static inline uint64_t emul_get_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;

	TEST_ASSERT(!__vcpu_get_reg(vcpu, id, &val), "KVM_GET_ONE_REG 0x%lx: errno %d",
		    id, errno);
	return val;
}

static inline bool vm_has_ras(struct kvm_vcpu *vcpu)
{
	uint64_t pfr0 = emul_get_reg(vcpu, KVM_ARM64_SYS_REG(SYS_ID_AA64PFR0_EL1));

	return FIELD_GET(ID_AA64PFR0_EL1_RAS_MASK, pfr0);
}

/*
 * Known gaps of the kernel under test: behaviour the tests check that this
 * kernel is known to lack, named in SEA_EMUL_GAPS (comma-separated, from
 * KERNEL_GAPS in the series' series.env; the kernel command line hands it
 * to the tests).  A test expects the kernel's known behaviour instead and
 * says so; it fails if the gap is gone, so that the list stays true.
 *   fnv   FnV is not set on an injected abort whose FAR is unknown
 *   iabt  no instruction-abort injection (KVM_CAP_ARM_INJECT_EXT_IABT):
 *         kvmtool/test/sea_kvmtool.sh expects kvmtool's SError instead
 * and the ones sea_fuzz.c lists (iss1tw, order, a32serr, a32fresh).
 */
static inline bool kernel_gap(const char *name)
{
	const char *gaps = getenv("SEA_EMUL_GAPS");
	size_t n = strlen(name);
	const char *p;

	for (p = gaps; p && (p = strstr(p, name)); p += n)
		if ((p == gaps || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * Whether the kernel under test carries the series' injection ABI.
 * SEA_EMUL_ABI=series (KERNEL_ABI in the series' series.env, handed to the
 * tests on the kernel command line) says it must: both of the series'
 * capabilities are then required, so that a series kernel that stops
 * offering one fails rather than being tested as a kernel without the
 * series.  Unset (a kernel without the series, say its bare base), the
 * programs test the contract of the kernel they find.
 */
static inline bool emul_series_abi(void)
{
	const char *abi = getenv("SEA_EMUL_ABI");

	if (abi && !strcmp(abi, "series")) {
		TEST_ASSERT(kvm_has_cap(KVM_CAP_ARM_SEA_TO_USER),
			    "SEA_EMUL_ABI=series, but KVM_CAP_ARM_SEA_TO_USER is not offered");
		TEST_ASSERT(kvm_has_cap(KVM_CAP_ARM_INJECT_EXT_IABT),
			    "SEA_EMUL_ABI=series, but KVM_CAP_ARM_INJECT_EXT_IABT is not offered");
	}
	return kvm_has_cap(KVM_CAP_ARM_INJECT_EXT_IABT);
}

/* An environment variable as a count, or the default when it is unset. */
static inline unsigned long env_count(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : dflt;
}

/*
 * The guest's load from, and store to, the poisoned page, at known
 * addresses: handlers check the abort came from there and resume after it
 * (pc + 4).
 */
asm(".pushsection .text, \"ax\"\n"
    ".global sea_load\n"
    "sea_load:\n"
    "	ldr	x0, [x0]\n"
    "	ret\n"
    ".global sea_store\n"
    "sea_store:\n"
    "	str	xzr, [x0]\n"
    "	ret\n"
    ".popsection\n");
uint64_t sea_load(uint64_t addr);
void sea_store(uint64_t addr);

/* /proc/sys/kernel/tainted, whose bit 9 (W) any kernel warning sets */
#define TAINT_WARN	BIT(9)

static inline unsigned long kernel_taint(void)
{
	unsigned long taint = 0;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	TEST_ASSERT(f && fscanf(f, "%lu", &taint) == 1,
		    "cannot read /proc/sys/kernel/tainted");
	fclose(f);
	return taint;
}

#endif
