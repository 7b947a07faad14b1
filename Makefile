# Thin wiring over scripts/: every target runs one script, after what it
# needs (scripts/stages.list, via scripts/run.sh); 'make help'.
SHELL := /bin/bash
S := scripts
.DEFAULT_GOAL := all
# Every target drives the same kernel tree and out/: one at a time, also
# under make -j (and scripts/run.sh refuses a second make running at once).
.NOTPARALLEL:

.PHONY: all check bench stress compare check-debug help deps base apply build selftests emulator initramfs boot \
	checkpatch hygiene am-check mirror bisect defconfig static docs uapi \
	maintainers mbox send range-diff export kselftest-tarball clean distclean \
	kvmtool kvmtool-export kvmtool-mbox

all:                    ## every series: deps, base, apply, build, selftests, initramfs, boot + tests
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
	@$(S)/run.sh deps
base:                   ## fetch + verify + import the pinned base; print its commit id
	@$(S)/run.sh base
apply:                  ## git am patches/SERIES/ onto out/SERIES/linux, or onto KDIR=/your/tree
	@$(if $(KDIR),$(S)/apply.sh $(KDIR),$(S)/run.sh apply)
build:                  ## build the arm64 Image (W=1) in out/SERIES/build
	@$(S)/run.sh build
selftests:              ## build and install the KVM kselftests (static)
	@$(S)/run.sh selftests
emulator:               ## build the test-only SEA emulator (emulator/) and its test
	@$(S)/run.sh emulator
kvmtool:                ## lkvm with kvmtool/patches/ (KVMTOOL_SRC), the guest and the kvmtool test
	@$(S)/run.sh kvmtool
initramfs:              ## pack busybox + kselftests into out/SERIES/initramfs.cpio.gz
	@$(S)/run.sh initramfs
boot:                   ## boot QEMU and run the test list (TESTS=a,b, MODES=a,b to choose)
	@$(S)/run.sh boot $(TESTS)
checkpatch:             ## gate: checkpatch --strict, subject prefixes, sign-offs
	@$(S)/run.sh checkpatch
hygiene:                ## gate: patch names, whitespace, modes, Change-Id
	@$(S)/run.sh hygiene
am-check:               ## gate: patches/SERIES/ on a fresh base: no offset/fuzz, git am
	@$(S)/run.sh am-check
maintainers:            ## write the series' MAINTAINERS snippet (make check: gate, must be current)
	@$(S)/run.sh maintainers update
mirror:                 ## gate: arch/ include/ ... here equal the files the series creates
	@$(S)/run.sh mirror check
bisect:                 ## gate: build base + every patch, W=1, no new warnings
	@$(S)/run.sh bisect
defconfig:              ## gate: arch/arm64/kvm/ with defconfig + APEI/GHES, W=1
	@$(S)/run.sh defconfig
static:                 ## gate: sparse C=2 and kernel-doc, no new warnings
	@$(S)/run.sh static
docs:                   ## gate: Sphinx SPHINXDIRS=virt, no new warnings
	@$(S)/run.sh docs
uapi:                   ## gate: headers_install, UAPI header test, ABI asserts
	@$(S)/run.sh uapi
export:                 ## write out/SERIES/linux's commits to patches/SERIES/ (+ its prerequisite's, cover letter, mirror)
	@$(S)/export.sh
mbox:                   ## cover letter + patches as one threaded mbox (out/)
	@$(S)/run.sh mbox
send:                   ## git send-email --dry-run to the snippet's recipients; SEND=1 sends
	@$(S)/run.sh send
range-diff:             ## how patches/SERIES/ changed since OLD=<dir or git tag>
	@$(S)/run.sh range-diff $(OLD)
kvmtool-export:         ## write out/kvmtool/src's commits to kvmtool/patches/ (+ cover letter)
	@$(S)/kvmtool-export.sh
kvmtool-mbox:           ## kvmtool/patches/ as one threaded mbox for kvmtool's list (out/)
	@$(S)/run.sh kvmtool-mbox
kselftest-tarball:      ## tests + Image + .config to run on a real arm64 host
	@$(S)/run.sh kselftest-tarball
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
		sed -E 's/^([a-z-]+):[^#]*## */\1\t/' | \
		while IFS=$$'\t' read -r t what; do \
			printf '  %-20s%s\n' "$$t" "$$what"; \
			first=$$($(S)/run.sh --needs "$$t"); \
			[ -z "$$first" ] || printf '  %-20s  first: %s\n' '' "$$first"; \
		done
	@echo
	@echo 'A target first brings up to date what it needs ("first:"); a stage whose'
	@echo 'inputs are unchanged since its last run says "up to date" and is skipped.'
	@echo '"make -j" is safe: targets run one at a time.'
	@echo
	@echo 'variables:'
	@echo '  SERIES=NAME  one series: $(shell awk '!/^\#/ && NF { print $$1 }' $(S)/series.list | paste -sd' ' -)'
	@echo '               (scripts/series.list; make and make check run them all;'
	@echo '               maintainers, mbox and send take those for the list, in'
	@echo '               turn: $(shell awk '!/^\#/ && $$2 == "send" { print $$1 }' $(S)/series.list | paste -sd' ' -); every other target the first)'
	@echo '  KDIR=DIR     make apply: your own kernel git tree'
	@echo '  TESTS=a,b    make boot: run these tests instead of the series'"'"' tests.list'
	@echo '  MODES=a,b    KVM modes to boot in (scripts/qemu.env): make check runs every'
	@echo '               one of the series'"'"' KVM_MODES, other targets the first'
	@echo '  FORCE=1      discard unexported work in out/SERIES/linux (or out/kvmtool/src)'
	@echo '  OLD=DIR|TAG  make range-diff: the earlier series to compare with'
	@echo '  SEND=1       make send: really send (after a green make check)'
	@echo '  IN_REPLY_TO=<msgid>  make send: thread under an earlier mail'
	@echo '  KVMTOOL_SRC=TAR|DIR  kvmtool at the pinned commit (kvmtool/kvmtool.env): its'
	@echo '               tarball or a git checkout; cached after one run'
	@echo '  JOBS=N       parallel jobs (default: nproc)'
	@echo '  KVM_SEA_CACHE=DIR  caches (default: $${XDG_CACHE_HOME:-~/.cache}/kvm-sea)'
