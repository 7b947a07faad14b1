#!/usr/bin/env bash
# Docs gate: 'make SPHINXDIRS=virt htmldocs' (the book with api.rst and,
# for the 6.12 series, arm/sea.rst: DOCS_PAGE in series.env) at the base
# and at the tip, each from scratch in out/build-docs; fails if the series
# adds a Sphinx warning or error.
. "$(dirname "$0")/lib.sh"
# Debian's sphinx-build is a /usr/bin/python3 script, and the kernel's
# docs Makefile runs "python3" from PATH: both must be Debian's.
export PATH=/usr/bin:$PATH
need_cmd sphinx-build
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
build=$OUT/build-docs
stage_begin "docs: Sphinx, SPHINXDIRS=virt"
for rev in base tip; do
	checkout_rev $rev
	log=$LOGS/docs-$rev.log
	msg "$rev: htmldocs (log: $log)"
	rm -rf "$build"
	KBUILD=$build run_logged "$log" kmake SPHINXDIRS=virt htmldocs ||
		die "Sphinx failed at the $rev: see $log"
	diagnostics "$log" >"$log.warnings"
done
[ -f "$build/Documentation/output/$DOCS_PAGE" ] ||
	die "Sphinx did not write $DOCS_PAGE: is its .rst in a toctree?"
compare_diagnostics "Sphinx warnings" "$LOGS/docs-base.log.warnings" \
	"$LOGS/docs-tip.log.warnings" ||
	die "the series adds documentation warnings: fix them in $K_SHOW (git rebase -i, then 'make export')"
stage_end
