#!/usr/bin/env bash
# make kselftest-tarball: everything needed to run the tests on a real arm64
# host: static test binaries with the kselftest runner, the kernel Image and
# its .config, the test list and a script to run it.
. "$(dirname "$0")/lib.sh"
[ -d "$OUT/kselftest" ] || die "no kselftests installed: run 'make selftests' first"
[ -f "$KBUILD/arch/arm64/boot/Image" ] || die "no kernel Image: run 'make build' first"
stage_begin "kselftest-tarball"
name=kvm-sea-kselftests
stage=$OUT/$name
rm -rf "$stage"
mkdir -p "$stage"
cp -a "$OUT/kselftest" "$stage/kselftest"
cp "$KBUILD/arch/arm64/boot/Image" "$KBUILD/.config" "$stage/"
series_tests >"$stage/tests.list"
cat >"$stage/run-tests.sh" <<'RUN'
#!/bin/sh
# Run the test list on this (arm64, KVM-capable) host; TAP on stdout.
# Needs /dev/kvm and, for the SEA tests, a kernel with the series applied.
cd "$(dirname "$0")/kselftest" || exit 1
sel=
for t in $(cat ../tests.list); do sel="$sel -t kvm:$(basename "$t")"; done
exec ./run_kselftest.sh $sel
RUN
chmod 755 "$stage/run-tests.sh"
tar -C "$OUT" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="$BASE_GIT_DATE" -czf "$OUT/$name.tar.gz.tmp" "$name"
mv "$OUT/$name.tar.gz.tmp" "$OUT/$name.tar.gz"
rm -rf "$stage"
msg "$OUT/$name.tar.gz ($(du -h "$OUT/$name.tar.gz" | cut -f1))"
stage_end
