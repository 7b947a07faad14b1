#!/usr/bin/env bash
# The kvmtool test's parts: a static arm64 lkvm built from the pinned
# kvmtool source plus our kvmtool patches (kvmtool/patches/), the guest's
# initramfs (kvmtool/guest/sea_guest.c as its /init, and sea_exec.ko, a
# test module for the guest kernel), installed with the
# test (kvmtool/test/sea_kvmtool.sh) and the kernel Image, which serves as
# host and guest, in out/kselftest/kvm.
# The source: KVMTOOL_SRC, a tarball of the pinned commit (sha256 checked)
# or a git checkout that has the commit; it is cached, so later runs need
# no KVMTOOL_SRC.  Without either the test is installed alone and SKIPs,
# saying why.
# The kvmtool tree is out/kvmtool/src (every series shares it): the pinned
# source as its first commit, the patches on top.  Edit there, then 'make
# kvmtool-export'; while it holds work not exported, this stage stops
# rather than re-apply over it (FORCE=1 discards it).
. "$(dirname "$0")/lib.sh"
need_cmd "${CROSS}gcc" make git dpkg-deb gzip sha256sum
gen=$KBUILD/usr/gen_init_cpio
[ -x "$gen" ] || die "$gen missing: run 'make build' first"
[ -d "$OUT/kselftest/kvm" ] || die "no kselftests installed: run 'make selftests' first"
fdt_deb=$(arm64_deb libfdt-dev) ||
	die "arm64 libfdt-dev not downloaded: run 'make deps'"
stage_begin "kvmtool: lkvm with kvmtool/patches/, the guest, the test"

src_tar=$KVMTOOL_TAR
mkdir -p "${src_tar%/*}"
# the source, into the cache
if [ -n "${KVMTOOL_SRC:-}" ] && [ ! -f "$src_tar" ]; then
	check_kvmtool_src
	if [ -d "$KVMTOOL_SRC" ]; then
		git -C "$KVMTOOL_SRC" archive --format=tar --prefix="kvmtool-${KVMTOOL_COMMIT:0:7}/" \
			"$KVMTOOL_COMMIT" | gzip -n >"$src_tar.tmp"
		msg "source: commit ${KVMTOOL_COMMIT:0:12} of the git checkout $KVMTOOL_SRC"
	else
		cp "$KVMTOOL_SRC" "$src_tar.tmp"
		msg "source: $KVMTOOL_SRC (sha256 checked)"
	fi
	mv "$src_tar.tmp" "$src_tar"
fi

kt=$OUT/kselftest/kvm
install -m 755 "$REPO_ROOT/kvmtool/test/sea_kvmtool.sh" "$kt/sea_kvmtool"
grep -qx "kvm:sea_kvmtool" "$OUT/kselftest/kselftest-list.txt" ||
	echo "kvm:sea_kvmtool" >>"$OUT/kselftest/kselftest-list.txt"
rm -rf "$kt/lkvm" "$kt/sea_kvmtool.d"
if [ ! -f "$src_tar" ]; then
	warn "no kvmtool source: KVMTOOL_SRC is not set and nothing is cached: the kvmtool test
  will SKIP (set KVMTOOL_SRC to kvmtool-${KVMTOOL_COMMIT:0:7}.tar.gz or a kvmtool checkout, see README)"
	stage_end
	exit 0
fi

# the tree: the pinned source, then the patches; kept while it is current
tree=$KVMTOOL_TREE
mapfile -t kpatches < <(kvmtool_patches)
state=$(kvmtool_state "$src_tar")
if tree_is_applied "$tree" "$state" && ! tree_has_own_work "$tree"; then
	msg "kvmtool tree current (${#kpatches[@]} patch(es) applied)"
else
	# (a tree whose making never finished has no record: nobody's work)
	if [ -f "$tree/.git/kvm-sea-applied" ] && [ "${FORCE:-0}" != 1 ] &&
		tree_has_own_work "$tree"; then
		die "${tree#"$REPO_ROOT"/} holds work not in kvmtool/patches/ (commits or changes):
  'make kvmtool-export' writes its commits there; FORCE=1 discards the work"
	fi
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xzf "$src_tar" -C "$tree" --strip-components=1
	git -C "$tree" init -q
	git -C "$tree" config user.name "$SERIES_NAME"
	git -C "$tree" config user.email "$SERIES_EMAIL"
	git -C "$tree" add -A -f
	# a fixed date (the pinned commit's month): the same tree id everywhere
	GIT_AUTHOR_DATE=2024-07-01T00:00:00Z GIT_COMMITTER_DATE=2024-07-01T00:00:00Z \
		git -C "$tree" commit -q -m "kvmtool ${KVMTOOL_COMMIT:0:12} (pristine source)"
	git -C "$tree" tag kvmtool-base
	if [ "${#kpatches[@]}" -gt 0 ] &&
		! git -C "$tree" am -q --committer-date-is-author-date "${kpatches[@]}" >"$LOGS/kvmtool-am.log" 2>&1; then
		die "a kvmtool patch does not apply to the pinned source: see $LOGS/kvmtool-am.log;
  the tree is left in ${tree#"$REPO_ROOT"/} mid-'git am' (git -C ${tree#"$REPO_ROOT"/} am --abort)"
	fi
	tree_record "$tree" "$state"
	msg "kvmtool tree: ${KVMTOOL_COMMIT:0:12} + ${#kpatches[@]} patch(es) in ${tree#"$REPO_ROOT"/}"
fi

# lkvm, static, against Debian's arm64 libfdt
fdt=$CACHE/kvmtool/libfdt
if [ ! -f "$fdt/libfdt.a" ]; then
	rm -rf "$fdt" "$fdt.x"
	mkdir -p "$fdt.x"
	dpkg-deb -x "$fdt_deb" "$fdt.x"
	mkdir -p "$fdt"
	cp "$fdt.x"/usr/lib/aarch64-linux-gnu/libfdt.a "$fdt.x"/usr/include/*.h "$fdt/"
	rm -rf "$fdt.x"
fi
run_logged "$LOGS/kvmtool-build.log" make -C "$tree" -j"$JOBS" ARCH=arm64 \
	CROSS_COMPILE="$CROSS" LIBFDT_DIR="$fdt" lkvm-static ||
	die "lkvm does not build: see $LOGS/kvmtool-build.log"

# the guest: its /init, the module that lets it execute a page it does
# not own (kvmtool/guest/sea_exec.c) and a /dev for the console
gdir=$OUT/kvmtool-guest
rm -rf "$gdir"
mkdir -p "$gdir"
run_logged "$LOGS/kvmtool-guest-build.log" "${CROSS}gcc" -static -O2 -Wall -Wextra -Werror \
	-o "$gdir/init" "$REPO_ROOT/kvmtool/guest/sea_guest.c" ||
	die "the guest program does not build: see $LOGS/kvmtool-guest-build.log"
build_test_module "$REPO_ROOT/kvmtool/guest/sea_exec.c" "$gdir/sea_exec" \
	"$LOGS/kvmtool-guest-module.log"
printf '%s\n' "dir /dev 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" \
	"file /init $gdir/init 0755 0 0" \
	"file /sea_exec.ko $gdir/sea_exec/sea_exec.ko 0644 0 0" >"$gdir/spec"
"$gen" "$gdir/spec" | gzip -n -1 >"$gdir/guest.cpio.gz"

mkdir -p "$kt/sea_kvmtool.d"
install -m 755 "$tree/lkvm-static" "$kt/lkvm"
install -m 644 "$KBUILD/arch/arm64/boot/Image" "$gdir/guest.cpio.gz" "$kt/sea_kvmtool.d/"
# the test checks kvmtool's replay limit: the patched source says what it is
max=$(sed -n 's/^#define SEA_MAX_REPLAYS[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
	"$tree/arm/aarch64/kvm-cpu.c")
[ -n "$max" ] || die "no SEA_MAX_REPLAYS in ${tree#"$REPO_ROOT"/}/arm/aarch64/kvm-cpu.c:
  the kvmtool test needs kvmtool's replay limit"
echo "$max" >"$kt/sea_kvmtool.d/max_replays"
msg "lkvm ($(du -h "$kt/lkvm" | cut -f1)), the guest and sea_kvmtool installed in $kt"
stage_end
