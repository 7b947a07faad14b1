#!/usr/bin/env bash
# Second-configuration gate: arm64 defconfig plus scripts/defconfig.config
# (KVM, ACPI APEI/GHES), in out/build-defconfig.  A whole defconfig kernel
# does not fit CI's time on 2 cores, so only the directories of the C files
# the series changes are built (arch/arm64/kvm/, with hyp/), W=1, at the base
# and at the tip; any warning the series adds there fails.  The selftests do
# not depend on the kernel configuration: the selftests stage builds them.
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" ccache make flex bison bc
[ -d "$KSRC/.git" ] || die "no kernel work tree: run 'make apply' first"
build=$OUT/build-defconfig
mapfile -t dirs < <(series_dirs)
stage_begin "defconfig: ${dirs[*]} with defconfig + KVM + APEI/GHES, W=1"
for rev in base tip; do
	checkout_rev $rev
	[ $rev = base ] && make_config "$build" defconfig "$REPO_ROOT/scripts/defconfig.config"
	drop_objects "$build" "${dirs[@]}"
	log=$LOGS/defconfig-$rev.log
	msg "$rev: building (log: $log)"
	KBUILD=$build run_logged "$log" kmake W=1 "${dirs[@]}" ||
		die "the $rev does not build with defconfig: see $log"
	diagnostics "$log" >"$log.warnings"
done
compare_diagnostics "W=1 warnings" "$LOGS/defconfig-base.log.warnings" \
	"$LOGS/defconfig-tip.log.warnings" ||
	die "the series adds W=1 warnings with defconfig: fix them in $K_SHOW (git rebase -i, then 'make export')"
stage_end
