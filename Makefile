# Thin wiring over scripts/: every target runs one script; 'make help'.
SHELL := /bin/bash
S := scripts
.DEFAULT_GOAL := all

.PHONY: all check help deps base apply build selftests emulator initramfs boot \
	bisect checkpatch mirror export kselftest-tarball clean distclean

all:                    ## deps, base, apply, build, selftests, initramfs, boot + tests
	@$(S)/pipeline.sh all
check:                  ## everything 'make' does, plus the quality gates
	@$(S)/pipeline.sh check

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
bisect:                 ## gate: build every patch of the series in order
	@$(S)/bisect.sh
checkpatch:             ## gate: checkpatch.pl --strict on every patch
	@$(S)/checkpatch.sh
mirror:                 ## gate: arch/ include/ ... here equal the files the series creates
	@$(S)/mirror.sh check
export:                 ## write out/linux's commits to patches/ (+ cover letter, mirror)
	@$(S)/export.sh
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
	@echo '  JOBS=N       parallel jobs (default: nproc)'
	@echo '  KVM_SEA_CACHE=DIR  caches (default: $${XDG_CACHE_HOME:-~/.cache}/kvm-sea)'
