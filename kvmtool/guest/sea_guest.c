// SPDX-License-Identifier: GPL-2.0-only
/*
 * sea_guest: /init of the Linux guest that the kvmtool test boots under
 * lkvm (kvmtool/test/sea_kvmtool.sh).  Test-only, not part of any series.
 *
 * A first task reads SEA_GPA, a guest physical address outside the guest's
 * RAM that the host's SEA emulator turns into a synchronous external abort,
 * through a /dev/mem mapping.  KVM exits to kvmtool, kvmtool replays the
 * abort, and the guest kernel handles it as its own.  The checks: that task
 * alone dies, of SIGBUS with si_code BUS_OBJERR and si_addr as SEA_EXPECT
 * says; a second task then runs to completion; the guest powers off.
 * Results are TAP lines on the console, read by the host's script.
 *
 * Environment (the guest kernel hands unknown command-line words of the
 * form NAME=VALUE to init as its environment):
 *   SEA_GPA     the physical address to read (a C number: 0x... is hex)
 *   SEA_EXPECT  si_addr expected: "va" (the address read: the abort's FAR
 *               was valid), "0" (FnV set: no address), or a number (a
 *               kernel known to replay whatever FAR_EL2 held); bits 63:56
 *               are not compared, Linux clears the tag bits of FAR for an
 *               external abort (they are UNKNOWN)
 *   SEA_FETCH   if 1, the task jumps to SEA_GPA instead of reading it:
 *               /sea_exec.ko (kvmtool/guest/sea_exec.c) maps the page for
 *               it as executable memory, through its device in a devtmpfs
 *               on /devtmpfs (the kernel must not own the page: boot with
 *               mem= below it); the abort is an instruction abort
 *   SEA_CPU     the CPU the reading task runs on (default: any)
 *   SEA_RETRY   if 1, the task's SIGBUS handler returns instead of dying,
 *               so the read runs again: a guest that never gets past the
 *               abort.  Each SIGBUS prints "# sea_guest: SIGBUS, again".
 *   SEA_BENCH   a number of rounds: instead of the checks, time a read of
 *               SEA_GPA until the SIGBUS handler runs against a read of
 *               SEA_MMIO (a device register kvmtool emulates), alternating,
 *               and print the medians: "# sea_guest: bench ...".  Each
 *               round reads another offset of the poisoned page: the same
 *               abort at the same place, again and again, is what kvmtool
 *               takes for a guest that cannot get past it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#define PAGE		4096UL
#define ADDR_BITS	0x00ffffffffffffffULL

static int fails, n;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	fails += !ok;
}

/* What the reading task learnt of its signal, sent to the parent. */
struct report {
	int signo, code;
	uint64_t addr;		/* si_addr */
	uint64_t va;		/* the address it read */
};

static int report_fd, retry, fetch;
static struct report rep;

static void on_sigbus(int sig, siginfo_t *si, void *uc __attribute__((unused)))
{
	static const char again[] = "# sea_guest: SIGBUS, again\n";

	if (retry) {
		if (write(1, again, sizeof(again) - 1) < 0)
			_exit(4);
		return;
	}
	rep.signo = sig;
	rep.code = si->si_code;
	rep.addr = (uint64_t)si->si_addr;
	if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(4);
	/* die of the signal, as the task would without this handler */
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

static void reader(uint64_t gpa, const char *cpu)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	volatile uint64_t *p;
	cpu_set_t set;
	uint8_t *map;
	int fd;

	if (cpu) {
		CPU_ZERO(&set);
		CPU_SET(atoi(cpu), &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			printf("# cannot run on CPU %s: %s\n", cpu, strerror(errno));
			_exit(2);
		}
	}
	sigaction(SIGBUS, &sa, NULL);
	fd = open(fetch ? "/devtmpfs/sea_exec" : "/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0) {
		printf("# open %s: %s\n", fetch ? "/devtmpfs/sea_exec" : "/dev/mem", strerror(errno));
		_exit(2);
	}
	map = mmap(NULL, PAGE, fetch ? PROT_READ | PROT_EXEC : PROT_READ, MAP_SHARED, fd,
		   fetch ? 0 : gpa & ~(PAGE - 1));
	if (map == MAP_FAILED) {
		printf("# mmap of GPA 0x%llx: %s\n", (unsigned long long)gpa, strerror(errno));
		_exit(2);
	}
	p = (volatile uint64_t *)(map + (gpa & (PAGE - 1)));
	rep.va = (uint64_t)p;
	printf("# task %d %s GPA 0x%llx at VA %p on CPU %d\n", getpid(),
	       fetch ? "jumps to" : "reads", (unsigned long long)gpa, p, sched_getcpu());
	fflush(stdout);
	/* the line out before the abort, not mixed with kvmtool's */
	tcdrain(1);
	if (fetch)
		((void (*)(void))p)();
	else
		(void)*p;
	printf("# the %s returned: no abort\n", fetch ? "call" : "read");
	_exit(3);
}

/* SEA_FETCH: load sea_exec.ko, which maps GPA for the task to jump to */
static void fetch_setup(uint64_t gpa)
{
	char args[40];
	int fd;

	snprintf(args, sizeof(args), "pa=0x%llx", (unsigned long long)gpa);
	fd = open("/sea_exec.ko", O_RDONLY);
	if (fd < 0 || syscall(SYS_finit_module, fd, args, 0))
		printf("# load /sea_exec.ko %s: %s\n", args, strerror(errno));
	if (fd >= 0)
		close(fd);
	/* the module's device node; not procfs, which is noexec */
	mkdir("/devtmpfs", 0755);
	if (mount("devtmpfs", "/devtmpfs", "devtmpfs", 0, NULL))
		printf("# mount devtmpfs: %s\n", strerror(errno));
}

static sigjmp_buf bench_jmp;
static struct timespec bench_sigbus;

static void on_sigbus_bench(int sig __attribute__((unused)))
{
	clock_gettime(CLOCK_MONOTONIC, &bench_sigbus);
	siglongjmp(bench_jmp, 1);
}

static volatile uint64_t *map_phys(uint64_t pa)
{
	uint8_t *map;
	int fd = open("/dev/mem", O_RDONLY | O_SYNC);

	if (fd < 0)
		return NULL;
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, pa & ~(PAGE - 1));
	close(fd);
	return map == MAP_FAILED ? NULL : (volatile uint64_t *)(map + (pa & (PAGE - 1)));
}

static int64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + b->tv_nsec - a->tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* SEA_BENCH: the medians of ROUNDS poisoned reads and ROUNDS MMIO reads */
static void bench(uint64_t gpa, const char *mmio_s, int rounds)
{
	volatile uint64_t *poison;
	volatile uint8_t *mmio;
	int64_t *sea = calloc(rounds, sizeof(*sea)), *dev = calloc(rounds, sizeof(*dev));
	struct timespec t0, t1;
	int i;

	mknod("/dev/mem", S_IFCHR | 0600, makedev(1, 1));
	poison = map_phys(gpa & ~(PAGE - 1));
	mmio = mmio_s ? (volatile uint8_t *)map_phys(strtoull(mmio_s, NULL, 0)) : NULL;
	tap(poison && mmio && sea && dev && rounds > 0,
	    "bench set up: %d rounds, the poisoned page and SEA_MMIO %s mapped",
	    rounds, mmio_s ? mmio_s : "(unset)");
	if (fails)
		return;
	signal(SIGBUS, on_sigbus_bench);
	for (i = 0; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		(void)*mmio;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		dev[i] = ns_between(&t0, &t1);

		if (!sigsetjmp(bench_jmp, 1)) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			(void)poison[i % (PAGE / sizeof(*poison))];
			tap(0, "round %d: the poisoned read returned", i);
			return;
		}
		sea[i] = ns_between(&t0, &bench_sigbus);
	}
	qsort(sea, rounds, sizeof(*sea), cmp_i64);
	qsort(dev, rounds, sizeof(*dev), cmp_i64);
	printf("# sea_guest: bench %d rounds: sea %lld ns, mmio %lld ns (medians)\n", rounds,
	       (long long)sea[rounds / 2], (long long)dev[rounds / 2]);
}

int main(void)
{
	const char *gpa_s = getenv("SEA_GPA"), *expect = getenv("SEA_EXPECT");
	uint64_t gpa, want;
	struct report got = { 0 };
	int fds[2], status;
	pid_t pid;

	printf("TAP version 13\n1..%d\n", getenv("SEA_BENCH") ? 1 : 4);
	if (!gpa_s || !expect) {
		printf("# SEA_GPA and SEA_EXPECT must be on the kernel command line\n");
		fails = 1;
		goto out;
	}
	gpa = strtoull(gpa_s, NULL, 0);
	if (getenv("SEA_BENCH")) {
		bench(gpa, getenv("SEA_MMIO"), atoi(getenv("SEA_BENCH")));
		goto out;
	}
	retry = getenv("SEA_RETRY") && !strcmp(getenv("SEA_RETRY"), "1");
	fetch = getenv("SEA_FETCH") && !strcmp(getenv("SEA_FETCH"), "1");
	mknod("/dev/mem", S_IFCHR | 0600, makedev(1, 1));
	if (fetch)
		fetch_setup(gpa);

	if (pipe(fds))
		return 1;
	report_fd = fds[1];
	pid = fork();
	if (pid == 0)
		reader(gpa, getenv("SEA_CPU"));
	close(fds[1]);
	if (read(fds[0], &got, sizeof(got)) != sizeof(got))
		memset(&got, 0, sizeof(got));
	waitpid(pid, &status, 0);

	tap(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
	    "the task that %s GPA 0x%llx died of SIGBUS (status 0x%x)",
	    fetch ? "jumped to" : "read", (unsigned long long)gpa, status);
	tap(got.signo == SIGBUS && got.code == BUS_OBJERR,
	    "its SIGBUS has si_code BUS_OBJERR (signal %d, code %d)", got.signo, got.code);
	if (!strcmp(expect, "va"))
		want = got.va;
	else
		want = strtoull(expect, NULL, 0);
	tap(got.signo == SIGBUS && (got.addr & ADDR_BITS) == (want & ADDR_BITS),
	    "si_addr 0x%llx, expected 0x%llx (SEA_EXPECT=%s)", (unsigned long long)got.addr,
	    (unsigned long long)want, expect);

	/* the guest lives on: another task runs to its end */
	pid = fork();
	if (pid == 0)
		_exit(getppid() == 1 ? 0 : 5);
	waitpid(pid, &status, 0);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "another task ran to completion afterwards (status 0x%x)", status);
out:
	printf("# sea_guest: %s\n", fails ? "FAIL" : "PASS");
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
