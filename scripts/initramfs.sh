#!/usr/bin/env bash
# Pack the test initramfs: Debian's busybox-static (arm64), the kselftest
# install tree (out/kselftest) and the test list, with the kernel's own
# usr/gen_init_cpio.  Output: out/initramfs.cpio.gz
. "$(dirname "$0")/lib.sh"
need_cmd dpkg-deb gzip
gen=$KBUILD/usr/gen_init_cpio
[ -x "$gen" ] || die "$gen missing: run 'make build' first"
[ -d "$OUT/kselftest" ] || die "no kselftests installed: run 'make selftests' first"
deb=$(arm64_deb busybox-static) ||
	die "arm64 busybox-static not downloaded: run 'make deps'"
stage_begin "initramfs"

root=$OUT/initramfs.root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc/kvm-sea}
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./bin/busybox >"$root/bin/busybox"
chmod 755 "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 755 "$REPO_ROOT/scripts/guest-init.sh" "$root/init"
series_tests >"$root/etc/kvm-sea/tests"
cp -a "$OUT/kselftest" "$root/kselftest"
# kselftest/runner.sh calls "/usr/bin/timeout --foreground", a coreutils
# option busybox lacks: a shim keeps the per-test timeouts working.
mkdir -p "$root/usr/bin"
printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\nexec /bin/busybox timeout "$@"\n' \
	>"$root/usr/bin/timeout"
chmod 755 "$root/usr/bin/timeout"

spec=$OUT/initramfs.spec
{
	echo "nod /dev/console 0600 0 0 c 5 1"
	(cd "$root" && find . -mindepth 1 | sort) | while IFS= read -r p; do
		f=$root/${p#./} n=/${p#./}
		if [ -L "$f" ]; then echo "slink $n $(readlink "$f") 0777 0 0"
		elif [ -d "$f" ]; then echo "dir $n 0755 0 0"
		else echo "file $n $f $(stat -c %a "$f") 0 0"
		fi
	done
} >"$spec"
"$gen" "$spec" | gzip -n -1 >"$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
msg "$OUT/initramfs.cpio.gz ($(du -h "$OUT/initramfs.cpio.gz" | cut -f1))"
stage_end
