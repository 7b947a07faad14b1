#!/usr/bin/env bash
# Fetch the series' pinned linux-source package, verify it, import it into
# git as one commit with fixed identity and dates.  Prints the base commit id.
# Everything lands in $CACHE; each piece is written under a temporary name
# and renamed into place, so an interrupted run leaves nothing half-made.
. "$(dirname "$0")/lib.sh"
need_cmd apt-get apt-cache dpkg-deb git tar xz sha256sum
stage_begin "base: $BASE_PACKAGE $BASE_VERSION"

tarball=$CACHE/dl/$BASE_PACKAGE-$BASE_VERSION.tar.xz
mkdir -p "$CACHE/dl" "$CACHE/base"

# apt: the machine's own sources, or a private configuration for a suite
# they lack (BASE_SUITE in series.env; lib.sh, suite_apt)
base_apt() {
	if [ -n "$BASE_SUITE" ]; then suite_apt "$BASE_SUITE" "$@"; else "$@"; fi
}
apt_update() {
	if [ -n "$BASE_SUITE" ]; then suite_update "$BASE_SUITE"
	elif [ "$(id -u)" -eq 0 ]; then apt-get update -q >/dev/null
	elif command -v sudo >/dev/null; then sudo apt-get update -q >/dev/null
	fi
}

available_versions() {
	base_apt apt-cache madison "$BASE_PACKAGE" 2>/dev/null |
		awk -F'|' '{gsub(/ /,"",$2); print $2}'
}

fetch() {
	if ! available_versions | grep -xF "$BASE_VERSION" >/dev/null; then
		msg "pinned version not in the package lists; refreshing them"
		apt_update
	fi
	if ! available_versions | grep -xF "$BASE_VERSION" >/dev/null; then
		local newest
		newest=$(available_versions | sed -n 1p)
		die "$BASE_PACKAGE $BASE_VERSION is no longer in the Debian archive.
  Newest available: ${newest:-none (is ${BASE_SUITE:-the security suite} in your apt sources?)}
  To move the pin: set BASE_VERSION=$newest in ${SERIES_DIR#"$REPO_ROOT"/}/series.env, run
  'make base' once (it stops and prints the new tarball sha256), put that
  in BASE_TAR_SHA256, rebase the series and 'make export'.  See HACKING.md."
	fi
	local tmp
	tmp=$(mktemp -d "$CACHE/dl/.fetch.XXXXXX")
	msg "downloading $BASE_PACKAGE=$BASE_VERSION (about 150 MB)"
	(cd "$tmp" && base_apt apt-get -q -o APT::Sandbox::User=root download \
		"$BASE_PACKAGE=$BASE_VERSION" >/dev/null)
	msg "extracting the source tarball from the package"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb |
		tar -xO "./usr/src/$BASE_PACKAGE.tar.xz" >"$tmp/src.tar.xz"
	local sum
	sum=$(sha256sum "$tmp/src.tar.xz" | cut -d' ' -f1)
	if [ "$sum" != "$BASE_TAR_SHA256" ]; then
		rm -rf "$tmp"
		die "sha256 mismatch for $BASE_PACKAGE $BASE_VERSION:
  expected ${BASE_TAR_SHA256:-nothing yet} (${SERIES_DIR#"$REPO_ROOT"/}/series.env)
  got      $sum
  If you are moving the pin on purpose, put the new sum there as BASE_TAR_SHA256."
	fi
	mv "$tmp/src.tar.xz" "$tarball"
	rm -rf "$tmp"
}

import() {
	local tmp
	tmp=$(mktemp -d "$CACHE/base/.import.XXXXXX")
	msg "unpacking the tarball"
	mkdir "$tmp/src"
	tar -xJf "$tarball" -C "$tmp/src" --strip-components=1
	msg "importing into git (about 90k files)"
	git init -q --bare "$tmp/repo.git"
	(
		export GIT_DIR=$tmp/repo.git GIT_WORK_TREE=$tmp/src
		git config core.bare false
		git config core.autocrlf false
		# no detached 'git gc --auto' after the commit: it would write
		# into this temporary directory while it is renamed and removed
		git config gc.auto 0
		# Debian's .gitignore ends with '/*' which would hide the whole
		# tree: force-add so the import is the tarball exactly.
		git add -f -A
		GIT_AUTHOR_NAME=$BASE_GIT_NAME GIT_AUTHOR_EMAIL=$BASE_GIT_EMAIL \
		GIT_AUTHOR_DATE=$BASE_GIT_DATE GIT_COMMITTER_NAME=$BASE_GIT_NAME \
		GIT_COMMITTER_EMAIL=$BASE_GIT_EMAIL GIT_COMMITTER_DATE=$BASE_GIT_DATE \
			git commit -q --no-verify --no-gpg-sign \
			-m "Linux $BASE_VERSION (Debian $BASE_PACKAGE)" \
			-m "Imported from usr/src/$BASE_PACKAGE.tar.xz, sha256 $BASE_TAR_SHA256."
		git config core.bare true
		git branch -M base
		git rev-parse HEAD >"$GIT_DIR/kvm-sea-base"
	)
	rm -rf "$BASE_REPO"
	mv "$tmp/repo.git" "$BASE_REPO"
	rm -rf "$tmp"
}

# The cache is shared by every clone on the machine (CI's fresh clones too):
# one base stage at a time fetches, imports or cleans up in it, or the
# cleanup below would delete another clone's import while it runs.
mkdir -p "$CACHE"
exec 8>"$CACHE/.base.lock"
if ! flock -n 8; then
	msg "another make is fetching or importing in $CACHE: waiting for it"
	flock 8
fi
# Leftovers of an interrupted run are only ever temporary names.
rm -rf "$CACHE"/dl/.fetch.* "$CACHE"/base/.import.*

if [ -f "$BASE_REPO/kvm-sea-base" ]; then
	msg "using cached import $BASE_REPO"
else
	[ -f "$tarball" ] && msg "using cached tarball $tarball" || fetch
	import
fi
printf '    base commit: %s\n' "$(base_commit)"
stage_end
