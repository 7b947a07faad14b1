#!/usr/bin/env bash
# Install the host tools the pipeline needs (Debian packages, apt-get),
# unpack the pinned QEMU into the cache (scripts/qemu.env) and install the
# libraries it runs with, and download the arm64 userspace packages for the
# initramfs into the cache.  Only what is missing is fetched or installed;
# a second run does nothing.
#   scripts/deps.sh --missing   only print what is missing, one per line
. "$(dirname "$0")/lib.sh"

# command -> Debian package that provides it
declare -A tools=(
	[aarch64-linux-gnu-gcc]=gcc-aarch64-linux-gnu
	[ccache]=ccache [flex]=flex [bison]=bison [bc]=bc [rsync]=rsync
	[cpio]=cpio [xz]=xz-utils [dpkg-deb]=dpkg [perl]=perl [git]=git
	[sparse]=sparse [sphinx-build]=python3-sphinx [b4]=b4
	[git-send-email]=git-email [python3]=python3 [gzip]=gzip
	[openssl]=openssl [timeout]=coreutils [patch]=patch
)
# headers/libraries without a command of their own
declare -A files=(
	[/usr/include/openssl/ssl.h]=libssl-dev
	[/usr/include/libelf.h]=libelf-dev
	[/usr/aarch64-linux-gnu/lib/libc.a]=libc6-dev-arm64-cross
	# checkpatch's SPDX check (scripts/spdxcheck.py), run by /usr/bin/python3
	[/usr/lib/python3/dist-packages/ply]=python3-ply
	[/usr/lib/python3/dist-packages/git]=python3-git
	# the docs gate: Sphinx runs tools/net/ynl/ynl-gen-rst.py, which imports yaml
	[/usr/lib/python3/dist-packages/yaml]=python3-yaml
	# git send-email (make send): git-email only recommends the Perl modules
	# it cannot work without: address parsing (even for --dry-run), address
	# checks, and SMTP authentication over TLS for a real send
	[/usr/share/perl5/Mail/Address.pm]=libmailtools-perl
	[/usr/share/perl5/Email/Valid.pm]=libemail-valid-perl
	[/usr/share/perl5/Authen/SASL.pm]=libauthen-sasl-perl
	[/usr/share/perl5/IO/Socket/SSL.pm]=libio-socket-ssl-perl
)
# git-send-email is a git subcommand, not on PATH
has_cmd() {
	case $1 in
	git-send-email) [ -x "$(git --exec-path)/git-send-email" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# QEMU: its packages unpacked into $QEMU_DIR, which also keeps the
# Depends: line of qemu-system-arm (the libraries it needs, from the
# machine's own release, which the backport was built against)
qemu_libs() {
	[ -f "$QEMU_DIR/.depends" ] || return 0
	tr ',' '\n' <"$QEMU_DIR/.depends" | sed -E 's/\|.*//; s/\(.*\)//; s/ //g' |
		grep -v -e '^$' -e '^qemu-' || true
}
is_installed() {
	[ "$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}
fetch_qemu() {
	local tmp p
	[ ! -x "$QEMU" ] || return 0
	# one fetch at a time in the cache, which every clone shares
	mkdir -p "$CACHE/qemu"
	exec 7>"$CACHE/qemu/.lock"
	flock 7
	[ ! -x "$QEMU" ] || return 0
	rm -rf "$CACHE"/qemu/.fetch.*
	msg "QEMU $QEMU_VERSION: fetching ${QEMU_PACKAGES[*]} from $QEMU_SUITE"
	suite_update "$QEMU_SUITE"
	tmp=$(mktemp -d "$CACHE/qemu/.fetch.XXXXXX")
	(cd "$tmp" && suite_apt "$QEMU_SUITE" apt-get download \
		"${QEMU_PACKAGES[@]/%/=$QEMU_VERSION}" >/dev/null) ||
		die "QEMU $QEMU_VERSION is not in $QEMU_SUITE (any more?): pick the version
  'apt-cache madison qemu-system-arm' shows for $QEMU_SUITE and put it in
  scripts/qemu.env as QEMU_VERSION"
	mkdir "$tmp/root"
	for p in "$tmp"/*.deb; do dpkg-deb -x "$p" "$tmp/root"; done
	dpkg-deb -f "$tmp"/qemu-system-arm_*.deb Depends >"$tmp/root/.depends"
	rm -rf "$QEMU_DIR"
	mv "$tmp/root" "$QEMU_DIR"
	rm -rf "$tmp"
}

missing=()
for c in "${!tools[@]}"; do has_cmd "$c" || missing+=("${tools[$c]}"); done
for f in "${!files[@]}"; do [ -e "$f" ] || missing+=("${files[$f]}"); done

# arm64 packages, downloaded into the cache: busybox for the initramfs,
# libfdt (its static library and headers) for lkvm (scripts/kvmtool.sh)
ARM64_DEBS=(busybox-static libfdt-dev)
if [ "${1:-}" = --missing ]; then
	printf '%s\n' "${missing[@]}"
	if [ -x "$QEMU" ]; then
		for p in $(qemu_libs); do is_installed "$p" || echo "$p"; done
	else
		echo "qemu-system-arm=$QEMU_VERSION ($QEMU_SUITE)"
	fi
	for p in "${ARM64_DEBS[@]}"; do
		arm64_deb "$p" >/dev/null || echo "$p:arm64"
	done
	exit 0
fi
stage_begin "deps: host tools and arm64 packages"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root to run: $*
  Install these Debian packages as root, then rerun: ${missing[*]}"
	fi
}

# (before the install: its libraries join the missing packages)
fetch_qemu
for p in $(qemu_libs); do is_installed "$p" || missing+=("$p"); done

if [ "${#missing[@]}" -gt 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	msg "installing: ${missing[*]}"
	command -v apt-get >/dev/null || die "apt-get not found: this pipeline needs Debian
  (bookworm) or a derivative.  Install by hand: ${missing[*]}"
	run_logged "$LOGS/deps.log" as_root apt-get update -q
	run_logged "$LOGS/deps.log.install" as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	msg "host tools: all present"
fi

# the pinned QEMU runs, with every library it needs
if ldd "$QEMU" | grep 'not found' >&2; then
	die "$QEMU lacks the libraries above: install the Debian packages that
  carry them (its Depends: are in $QEMU_DIR/.depends)"
fi
msg "$("$QEMU" --version | sed -n 1p) ($QEMU)"

# arm64 packages: a private apt state in the cache with arm64 as the only
# architecture, so the system's dpkg/apt configuration is never touched.
aptdir=$CACHE/apt-arm64
apt_arm64() {
	apt-get -q -o Dir::State::Lists="$aptdir/lists" -o Dir::Cache="$aptdir/cache" \
		-o Dir::State::status=/dev/null -o APT::Architecture=arm64 \
		-o APT::Architectures::=arm64 -o APT::Sandbox::User=root \
		-o Debug::NoLocking=1 "$@"
}
mkdir -p "$CACHE/debs" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
for p in "${ARM64_DEBS[@]}"; do
	if arm64_deb "$p" >/dev/null; then
		msg "arm64 $p: cached"
		continue
	fi
	if [ ! -f "$aptdir/lists/.updated" ]; then
		run_logged "$LOGS/deps-arm64.log" apt_arm64 update
		touch "$aptdir/lists/.updated"
	fi
	tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
	(cd "$tmp" && apt_arm64 download "$p:arm64" >/dev/null)
	mv "$tmp"/*.deb "$CACHE/debs/"
	rm -rf "$tmp"
	msg "arm64 $p: downloaded"
done
stage_end
