# Thin wiring over scripts/: every target runs one script; 'make help'.
SHELL := /bin/bash
S := scripts
.DEFAULT_GOAL := all

.PHONY: all check bench stress compare check-debug help deps base apply build selftests emulator initramfs boot \
	checkpatch hygiene am-check mirror bisect defconfig static docs uapi \
	maintainers mbox send range-diff export kselftest-tarball clean distclean

all:                    ## deps, base, apply, build, selftests, initramfs, boot + tests
	@$(S)/pipeline.sh all
check:                  ## everything 'make' does, plus the quality gates
	@$(S)/pipeline.sh check
bench:                  ## SEA round trip vs MMIO exit, figures (scripts/runs.env)
	@$(S)/pipeline.sh bench
stress:                 ## fuzzer 100k calls, 4 vCPUs x 10k SEAs (scripts/runs.env)
	@$(S)/pipeline.sh stress
compare:                ## base vs patched kernel: fault cost, cap-off guest view, code
	@$(S)/pipeline.sh compare
check-debug:            ## the series' and emulator tests on a KASAN/lockdep/kmemleak/UBSAN kernel
	@$(S)/pipeline.sh check-debug

deps:                   ## install missing host tools, fetch arm64 packages
	@$(S)/deps.sh
base:                   ## fetch + verify + import the pinned base; print its commit id
	@$(S)/base.sh
apply:                  ## git am patches/ onto out/linux, or onto KDIR=/your/tree
	@$(S)/apply.sh $(KDIR)
build:                  ## build the arm64 Image (W=1) in out/build
	@$(S)/build.sh
selftests:              ## build and install the KVM kselftests (static)
	@$(S)/selftests.sh
emulator:               ## build the test-only SEA emulator (emulator/) and its test
	@$(S)/emulator.sh
initramfs:              ## pack busybox + kselftests into out/initramfs.cpio.gz
	@$(S)/initramfs.sh
boot:                   ## boot QEMU and run the test list (TESTS=a,b to choose)
	@$(S)/boot.sh $(TESTS)
checkpatch:             ## gate: checkpatch --strict, subject prefixes, sign-offs
	@$(S)/checkpatch.sh
hygiene:                ## gate: patch names, whitespace, modes, Change-Id
	@$(S)/hygiene.sh
am-check:               ## gate: patches/ on a fresh base: no offset/fuzz, git am
	@$(S)/am-check.sh
maintainers:            ## write MAINTAINERS.snippet (make check: gate, must be current)
	@$(S)/maintainers.sh update
mirror:                 ## gate: arch/ include/ ... here equal the files the series creates
	@$(S)/mirror.sh check
bisect:                 ## gate: build base + every patch, W=1, no new warnings
	@$(S)/bisect.sh
defconfig:              ## gate: arch/arm64/kvm/ with defconfig + APEI/GHES, W=1
	@$(S)/defconfig.sh
static:                 ## gate: sparse C=2 and kernel-doc, no new warnings
	@$(S)/static.sh
docs:                   ## gate: Sphinx SPHINXDIRS=virt, no new warnings
	@$(S)/docs.sh
uapi:                   ## gate: headers_install, UAPI header test, ABI asserts
	@$(S)/uapi.sh
export:                 ## write out/linux's commits to patches/ (+ cover letter, mirror)
	@$(S)/export.sh
mbox:                   ## cover letter + patches as one threaded mbox (out/)
	@$(S)/mbox.sh
send:                   ## git send-email --dry-run to MAINTAINERS.snippet; SEND=1 sends
	@$(S)/send.sh
range-diff:             ## how patches/ changed since OLD=<dir or git tag>
	@$(S)/range-diff.sh $(OLD)
kselftest-tarball:      ## tests + Image + .config to run on a real arm64 host
	@$(S)/tarball.sh
clean:                  ## remove out/ (refuses to drop unexported work; FORCE=1)
	@$(S)/clean.sh
distclean:              ## clean, and remove the caches too
	@$(S)/clean.sh --cache

help:                   ## this list
	@echo 'KVM/arm64 SEA-to-userspace series: build, test, send.'
	@echo
	@echo 'usage: make [TARGET] [VAR=value]'
	@echo
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | \
		sed -E 's/^([a-z-]+):[^#]*## */  \1\t/' | expand -t 22
	@echo
	@echo 'variables:'
	@echo '  KDIR=DIR     make apply: your own kernel git tree'
	@echo '  TESTS=a,b    make boot: run these tests instead of scripts/tests.list'
	@echo '  FORCE=1      discard unexported work in out/linux'
	@echo '  OLD=DIR|TAG  make range-diff: the earlier series to compare with'
	@echo '  SEND=1       make send: really send (after a green make check)'
	@echo '  IN_REPLY_TO=<msgid>  make send: thread under an earlier mail'
	@echo '  JOBS=N       parallel jobs (default: nproc)'
	@echo '  KVM_SEA_CACHE=DIR  caches (default: $${XDG_CACHE_HOME:-~/.cache}/kvm-sea)'
