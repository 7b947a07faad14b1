# shellcheck shell=bash
# Common helpers for the pipeline scripts: paths, logging, stage timing.
# Sourced by every script in scripts/; never run on its own.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=base.env
. "$REPO_ROOT/scripts/base.env"
# shellcheck source=identity.env
. "$REPO_ROOT/scripts/identity.env"

# The series (scripts/series.list): SERIES=NAME picks one, the first listed
# is the default.  Everything a series has of its own comes from here: its
# facts (scripts/series/NAME/), its patches (patches/NAME/) and its part
# of out/ (out/NAME/).
mapfile -t ALL_SERIES < <(awk '!/^#/ && NF { print $1 }' "$REPO_ROOT/scripts/series.list")
# The series that go to the list, in the order they are sent; the mail
# scripts (they set mails=1 before sourcing) default to the first, and
# scripts/run.sh runs a mail target for each in turn.
mapfile -t SEND_SERIES < <(awk '!/^#/ && $2 == "send" { print $1 }' "$REPO_ROOT/scripts/series.list")
if [ -n "${mails:-}" ]; then
	SERIES=${SERIES:-${SEND_SERIES[0]}}
else
	SERIES=${SERIES:-${ALL_SERIES[0]}}
fi
printf '%s\n' "${ALL_SERIES[@]}" | grep -xF -- "$SERIES" >/dev/null || {
	printf '\nERROR: unknown series SERIES=%s: pick one of %s (scripts/series.list)\n' \
		"$SERIES" "${ALL_SERIES[*]}" >&2
	exit 1
}
export SERIES
SERIES_DIR=$REPO_ROOT/scripts/series/$SERIES
# (a series based on another one names it in its series.env)
PREREQ_SERIES=
# shellcheck source=series/6.12/series.env
. "$SERIES_DIR/series.env"
V=v$SERIES_VERSION
PATCHES=$REPO_ROOT/patches/$SERIES
TESTS_LIST=$SERIES_DIR/tests.list
# who receives the series (scripts/maintainers.sh writes it)
SNIPPET=$REPO_ROOT/$MAINTAINERS_SNIPPET

CACHE=${KVM_SEA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvm-sea}
OUT_ROOT=${KVM_SEA_OUT:-$REPO_ROOT/out}
OUT=$OUT_ROOT/$SERIES
# (In the scripts' comments, out/X stands for out/SERIES/X.)
KSRC=$OUT/linux            # kernel git work tree, series applied
# how messages name the series' patches and kernel tree
P_SHOW=patches/$SERIES
K_SHOW=${KSRC#"$REPO_ROOT"/}
KBUILD=$OUT/build          # O= directory of the arm64 kernel build
LOGS=$OUT/logs
BASE_REPO=$CACHE/base/linux-$BASE_VERSION.git
CROSS=aarch64-linux-gnu-
JOBS=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
# ccache hashes absolute paths as they are: without a base directory every
# clone in a new place (every CI run) misses.  Paths under out/ are
# rewritten relative to the compiler's working directory (an out/build*
# directory), so two clones hash alike; the compiler then prints the source
# tree as ../linux/ in its diagnostics, which diagnostics() strips like the
# absolute form, so warnings still compare from run to run.
export CCACHE_BASEDIR=$OUT
# Fixed build identity: reproducible images and ccache hits across runs.
export KBUILD_BUILD_USER=kvm-sea KBUILD_BUILD_HOST=kvm-sea
export KBUILD_BUILD_TIMESTAMP="$BASE_GIT_DATE"
# Git must not pick up the caller's global settings (hooks, attributes,
# signing) when the scripts drive their own repositories.
export GIT_CONFIG_NOSYSTEM=1
# Git runs its automatic gc detached after a fetch, an am or a commit; a
# detached gc would inherit the make lock (take_lock, fd 9) and keep it
# after make ends, so the next make stops with "another make is already
# running".  Keep it in the foreground, under the make that started it.
export GIT_CONFIG_COUNT=2
export GIT_CONFIG_KEY_0=gc.autoDetach GIT_CONFIG_VALUE_0=false
export GIT_CONFIG_KEY_1=maintenance.autoDetach GIT_CONFIG_VALUE_1=false

_stage_name="" _stage_t0=0
msg()  { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die()  { _died=1; printf '\nERROR: %s\n' "$*" >&2; exit 1; }

[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS=$JOBS: the number of parallel build jobs, as in JOBS=2"

# QEMU and KVM's modes (scripts/qemu.env).  MODES=a,b ('make boot', 'make
# check'): the modes to boot in, each one the series runs in (KVM_MODES).
# shellcheck source=qemu.env
. "$REPO_ROOT/scripts/qemu.env"
_modes=${MODES:-}
for _m in ${_modes//,/ }; do
	case " $KVM_MODES " in
	*" $_m "*) ;;
	*) die "MODES=$MODES: the $SERIES series runs in these KVM modes: $KVM_MODES
  (KVM_MODES in scripts/series/$SERIES/series.env; scripts/qemu.env)" ;;
	esac
done
# the modes a boot that is not make check's runs in
boot_modes=${MODES:-${KVM_MODES%% *}}

# at_exit CMD: run CMD (a string for eval) when the script exits, however it
# exits; hooks run in the order they were added.  Scripts use this instead
# of their own 'trap ... EXIT', which would replace the stage's.
_exit_hooks=()
at_exit() { _exit_hooks+=("$1"); }
# A command that fails outside die() (set -e) is named, not silent.
_died= _err=
trap '_err="$BASH_COMMAND (${BASH_SOURCE[0]##*/}:$LINENO)"' ERR
_on_exit() {
	local _rc=$1 h
	[ "$_rc" -eq 0 ] || [ -n "$_died" ] || [ -z "$_err" ] ||
		printf '\nERROR: %s failed: %s\n' "${0##*/}" "$_err" >&2
	for h in "${_exit_hooks[@]}"; do eval "$h" || true; done
	if [ -n "$_stage_name" ] && [ "$_rc" -ne 0 ]; then
		printf '<== %s: FAILED after %ss\n' "$_stage_name" $((SECONDS - _stage_t0)) >&2
	fi
}
trap '_on_exit $?' EXIT

stage_begin() {
	_stage_name=$1 _stage_t0=$SECONDS
	printf '==> %s\n' "$_stage_name"
}
stage_end() {
	printf '<== %s: done in %ss\n' "$_stage_name" $((SECONDS - _stage_t0))
	_stage_name=
}

# run_logged LOG CMD...: run CMD with all output in LOG, print a heartbeat
# line every 30 s so long steps show they are alive, and on failure show the
# end of the log and where the whole of it is.
run_logged() {
	local log=$1; shift
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 &
	local pid=$! t0=$SECONDS next=$((SECONDS + 30)) rc=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ]; then
			printf '    ... %ss: %s\n' $((SECONDS - t0)) \
				"$(tail -n 1 "$log" | cut -c1-100)"
			next=$((next + 30))
		fi
	done
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '\n--- last lines of %s ---\n' "$log" >&2
		tail -n 40 "$log" >&2
		printf -- '--- end (exit %s); full log: %s\n' "$rc" "$log" >&2
	fi
	return "$rc"
}

# kmake ARGS...: make in the kernel work tree, arm64, out of tree, ccache.
kmake() {
	make -C "$KSRC" O="$KBUILD" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		CC="ccache ${CROSS}gcc" -j"$JOBS" "$@"
}

# series_tests [MODE]: the names in the series' test list, one per line;
# with MODE, without those its line leaves out in that KVM mode
# ("NAME !MODE[,MODE...]", the reason in a comment above it)
series_tests() {
	awk -v m=",${1:-}," '
		/^#/ || !NF { next }
		{ for (i = 2; i <= NF; i++)
			if ($i ~ /^!/ && m != ",," && index("," substr($i, 2) ",", m)) next
		  print $1 }' "$TESTS_LIST"
}

# drop_left_out MODE: the test names on stdin but those the list leaves out
# in MODE, whether the list or TESTS= named them (there they could only skip)
drop_left_out() {
	grep -vxF -f <(series_tests | grep -vxF -f <(series_tests "$1")) || true
}

# test_may_skip NAME RUN: may NAME end in SKIP in a run of kind RUN (check,
# all, ...; empty for a 'make boot')?  Every test must run, but those its
# line marks "may-skip" (a SKIP is what this machine can give: no EINJ) or
# "may-skip-unless-check" (it needs something only make check requires);
# a test not in the list must run.
test_may_skip() {
	awk -v t="$1" -v run="${2:-}" '
		/^#/ || !NF || $1 != t { next }
		{ for (i = 2; i <= NF; i++)
			if ($i == "may-skip" || ($i == "may-skip-unless-check" && run != "check")) ok = 1 }
		END { exit !ok }' "$TESTS_LIST"
}

# known_test NAME: a test 'make boot TESTS=' can run: one of the series'
# list, a program of the emulator or the kvmtool test (every series
# installs them), or a KVM kselftest the kernel tree builds for arm64
known_test() {
	local mk
	series_tests | grep -qxF -- "$1" && return 0
	[ "$1" = sea_kvmtool ] && return 0
	[[ $1 == sea_* && $1 != sea_emul && -f $REPO_ROOT/emulator/$1.c ]] && return 0
	for mk in Makefile.kvm Makefile; do
		mk=$KSRC/tools/testing/selftests/kvm/$mk
		[ -f "$mk" ] && grep -qE "^TEST_GEN_PROGS_(arm64|aarch64|COMMON)[[:space:]]*\+?=[[:space:]]*${1//./\\.}[[:space:]]*\$" "$mk" &&
			return 0
	done
	return 1
}

# kvmtool's source, as scripts/kvmtool.sh caches it (from KVMTOOL_SRC)
# shellcheck source=../kvmtool/kvmtool.env
. "$REPO_ROOT/kvmtool/kvmtool.env"
KVMTOOL_TAR=$CACHE/kvmtool/kvmtool-$KVMTOOL_COMMIT.tar.gz
kvmtool_src_cached() { [ -f "$KVMTOOL_TAR" ]; }

# check_kvmtool_src: KVMTOOL_SRC, when set, is kvmtool at the pinned commit:
# its tarball (sha256 checked) or a git checkout that has the commit
check_kvmtool_src() {
	[ -n "${KVMTOOL_SRC:-}" ] || return 0
	local sum
	if [ -d "$KVMTOOL_SRC" ]; then
		git -C "$KVMTOOL_SRC" cat-file -e "$KVMTOOL_COMMIT^{commit}" 2>/dev/null ||
			die "KVMTOOL_SRC=$KVMTOOL_SRC is no git checkout holding kvmtool commit $KVMTOOL_COMMIT
  (git clone https://git.kernel.org/pub/scm/linux/kernel/git/will/kvmtool.git, or
  point KVMTOOL_SRC at kvmtool-${KVMTOOL_COMMIT:0:7}.tar.gz)"
	else
		[ -f "$KVMTOOL_SRC" ] || die "KVMTOOL_SRC=$KVMTOOL_SRC: no such file or directory
  (kvmtool-${KVMTOOL_COMMIT:0:7}.tar.gz, or a kvmtool git checkout)"
		sum=$(sha256sum "$KVMTOOL_SRC" | cut -d' ' -f1)
		[ "$sum" = "$KVMTOOL_TAR_SHA256" ] ||
			die "KVMTOOL_SRC=$KVMTOOL_SRC has sha256 $sum, not the pinned $KVMTOOL_TAR_SHA256
  (kvmtool/kvmtool.env): it is not the tarball of commit $KVMTOOL_COMMIT"
	fi
}

# check_target_args TARGET [ARGS]: refuse, before anything is fetched or
# built, the arguments and variables TARGET would only fail on later
check_target_args() {
	local target=$1 t m tags
	shift
	case $target in
	boot)
		t=${1:-}
		for t in ${t//,/ }; do
			known_test "$t" && continue
			[ -d "$KSRC" ] || die "TESTS: $t is not in ${TESTS_LIST#"$REPO_ROOT"/} nor a program of emulator/
  (another KVM kselftest of the tree can be named once 'make apply' made the tree)"
			die "TESTS: no test $t: not in ${TESTS_LIST#"$REPO_ROOT"/}, emulator/, nor the arm64 KVM
  kselftests of ${KSRC#"$REPO_ROOT"/} (tools/testing/selftests/kvm/Makefile*)"
		done
		for m in ${boot_modes//,/ }; do
			[ -z "${1:-}" ] || [ -n "$(tr , '\n' <<<"$1" | drop_left_out "$m")" ] ||
				die "TESTS=$1: ${TESTS_LIST#"$REPO_ROOT"/} leaves it out in $m mode, where it could only skip
  (the comment above its line says why; name the MODES= it runs in)"
		done
		;;
	range-diff)
		tags=$(git -C "$REPO_ROOT" tag -l | paste -sd' ')
		[ -n "${1:-}" ] || die "make range-diff needs OLD=: a directory of patch files, or a tag or
  commit of this repository whose patches/ held the earlier series (tags: ${tags:-none})"
		if [ -d "$1" ]; then
			compgen -G "$1/*.patch" >/dev/null || die "OLD=$1 holds no patch files"
		elif git -C "$REPO_ROOT" rev-parse -q --verify "$1^{commit}" >/dev/null; then
			# before there were two series, patches/ held the 6.12 one alone
			git -C "$REPO_ROOT" cat-file -e "$1:patches/$SERIES" 2>/dev/null ||
				{ [ "$SERIES" = 6.12 ] && git -C "$REPO_ROOT" cat-file -e "$1:patches" 2>/dev/null; } ||
				die "OLD=$1 has no patches/$SERIES/ (SERIES=NAME picks the series)"
		else
			die "OLD=$1 is neither a directory nor a commit or tag of this repository (tags: ${tags:-none})"
		fi
		;;
	send)
		case ${SEND:-0} in 0|1) ;; *) die "SEND=$SEND: use SEND=1 to really send, nothing (or 0) for a dry run" ;; esac
		case ${IN_REPLY_TO:-} in
		"" | "<"*@*">" | [!\<]*@*[!\>]) ;;
		*) die "IN_REPLY_TO=$IN_REPLY_TO: a Message-Id, as in IN_REPLY_TO='<20261206.1234-1-you@example.org>'" ;;
		esac
		;;
	esac
	case " $(stage_chain "$target" | paste -sd' ') " in
	*" kvmtool "*) check_kvmtool_src ;;
	esac
}

# The series: patch files in order, cover letter excluded.
series_patches() {
	patch_files "$PATCHES"
}

# patch_files DIR: the patch files of DIR in order, cover letter excluded
patch_files() {
	[ -d "$1" ] || return 0
	find "$1" -maxdepth 1 -name '*.patch' ! -name '*0000-cover-letter.patch' | sort
}

# A series based on another (PREREQ_SERIES in its series.env) is applied
# on top of that one's patches; in out/linux the branch named after the
# prerequisite marks where its commits end.
PREREQ_PATCHES=${PREREQ_SERIES:+$REPO_ROOT/patches/$PREREQ_SERIES}
# prereq_patches: the prerequisite series' patch files in order (none
# without one); fails when the series has one and it has no patches
prereq_patches() {
	[ -n "$PREREQ_SERIES" ] || return 0
	[ -n "$(patch_files "$PREREQ_PATCHES")" ] ||
		die "$P_SHOW is based on patches/$PREREQ_SERIES/, which holds no patch"
	patch_files "$PREREQ_PATCHES"
}

# based_on_it: the series based on this one (none, or its name)
based_on_it() {
	local s
	for s in "${ALL_SERIES[@]}"; do
		grep -qx "PREREQ_SERIES=$SERIES" "$REPO_ROOT/scripts/series/$s/series.env" && echo "$s"
	done
	return 0
}

# series_from: where the series' own commits start in out/linux: the base,
# or the last commit of its prerequisite (the branch of that name)
series_from() {
	if [ -z "$PREREQ_SERIES" ]; then
		base_commit
		return
	fi
	git -C "$KSRC" rev-parse -q --verify "refs/heads/$PREREQ_SERIES" >/dev/null ||
		die "$K_SHOW has no branch $PREREQ_SERIES: it marks where the prerequisite series
  ends ('make apply' makes it; keep it moving with 'git rebase -i --update-refs')"
	git -C "$KSRC" merge-base --is-ancestor "$PREREQ_SERIES" HEAD ||
		die "branch $PREREQ_SERIES of $K_SHOW is not below HEAD: point it at the last commit of
  the prerequisite series (git branch -f $PREREQ_SERIES COMMIT), or rebase with --update-refs"
	git -C "$KSRC" rev-parse "$PREREQ_SERIES"
}

base_commit() {
	[ -f "$BASE_REPO/kvm-sea-base" ] || die "base $BASE_VERSION not imported yet: run 'make base SERIES=$SERIES'"
	cat "$BASE_REPO/kvm-sea-base"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' is not installed: run 'make deps' (or scripts/deps.sh)"
	done
}

# The work trees the scripts make from patch files (out/linux from
# patches/, out/kvmtool/src from kvmtool/patches/) record what they were
# made from in .git/kvm-sea-applied: a state line (the inputs' hash), then
# the HEAD the making left.
# tree_record TREE STATE: TREE is, as it stands, what STATE describes
tree_record() {
	printf '%s\n%s\n' "$2" "$(git -C "$1" rev-parse HEAD)" >"$1/.git/kvm-sea-applied"
}

# tree_is_applied TREE STATE: TREE was made from STATE (it may hold work of
# its own since)
tree_is_applied() {
	[ -d "$1/.git" ] && [ "$(head -n 1 "$1/.git/kvm-sea-applied" 2>/dev/null)" = "$2" ]
}

# tree_in_progress TREE: the git operation TREE is in the middle of (a
# rebase, git am, a cherry-pick, a revert, a merge); nothing when none
tree_in_progress() {
	local g
	g=$(git -C "$1" rev-parse --absolute-git-dir)
	if [ -f "$g/rebase-apply/applying" ]; then
		echo "git am"
	elif [ -d "$g/rebase-merge" ] || [ -d "$g/rebase-apply" ]; then
		echo "a rebase"
	elif [ -f "$g/CHERRY_PICK_HEAD" ]; then
		echo "a cherry-pick"
	elif [ -f "$g/REVERT_HEAD" ]; then
		echo "a revert"
	elif [ -f "$g/MERGE_HEAD" ]; then
		echo "a merge"
	fi
}

# tree_is_clean TREE [PATHSPEC...]: no uncommitted or untracked changes
tree_is_clean() {
	local t=$1
	shift
	[ -z "$(git -C "$t" status --porcelain -- . "$@")" ]
}

# tree_has_own_work TREE [PATHSPEC...]: TREE holds commits or changes that
# its record lacks
tree_has_own_work() {
	[ "$(git -C "$1" rev-parse HEAD)" != "$(sed -n 2p "$1/.git/kvm-sea-applied" 2>/dev/null)" ] ||
		! tree_is_clean "$@"
}

# ksrc_is_clean: out/linux has no uncommitted or untracked changes (the
# work tree's own .gitignore edit aside, see apply.sh).
ksrc_is_clean() {
	tree_is_clean "$KSRC" ':!.gitignore'
}

# guard_ksrc: refuse (unless FORCE=1) when out/linux holds work that exists
# nowhere else: commits not written to patches/, or uncommitted changes.
guard_ksrc() {
	[ -d "$KSRC/.git" ] && [ "${FORCE:-0}" != 1 ] || return 0
	local state=$KSRC/.git/kvm-sea-applied recorded
	recorded=$(sed -n 2p "$state" 2>/dev/null || true)
	[ "$(git -C "$KSRC" rev-parse HEAD)" = "${recorded:-$(base_commit)}" ] ||
		die "$K_SHOW has commits that are not in $P_SHOW/ (HEAD $(git -C "$KSRC" log -1 --format=%h)).
  Run 'make export' to write them to $P_SHOW/, or add FORCE=1 to discard them."
	ksrc_is_clean ||
		die "$K_SHOW has uncommitted or untracked changes: commit them and
  'make export', or add FORCE=1 to discard them."
}

# series_state: what out/linux must have been built from to be current:
# the base commit and a hash of every patch file (the prerequisite's too).
series_state() {
	local -a p
	mapfile -t p < <(prereq_patches; series_patches)
	printf '%s %s\n' "$(base_commit)" "$(cat /dev/null "${p[@]}" | sha256sum | cut -d' ' -f1)"
}

# series_is_applied: out/linux was built from patches/ as they are now (by
# 'make apply' or 'make export'); it may hold work of its own since.
series_is_applied() {
	tree_is_applied "$KSRC" "$(series_state)"
}

# ksrc_has_own_work: out/linux holds commits or changes patches/ lacks.
ksrc_has_own_work() {
	tree_has_own_work "$KSRC" ':!.gitignore'
}

# checkout_rev base|tip|REV: check out the base, the series' tip (what was
# checked out first) or REV, detached, in out/linux, for a gate that compares
# revisions.  The tip is checked out again when the script exits, whether
# it passes or fails.
_walk_tip=
checkout_rev() {
	if [ -z "$_walk_tip" ]; then
		ksrc_is_clean || die "$K_SHOW has uncommitted changes: commit or drop them first"
		_walk_tip=$(git -C "$KSRC" symbolic-ref -q --short HEAD || git -C "$KSRC" rev-parse HEAD)
		at_exit 'git -C "$KSRC" checkout -q "$_walk_tip"'
	fi
	case $1 in
	base) git -C "$KSRC" checkout -q --detach "$(base_commit)" ;;
	tip) git -C "$KSRC" checkout -q "$_walk_tip" ;;
	*) git -C "$KSRC" checkout -q --detach "$1" ;;
	esac
}

# series_files: the kernel files the series changes (base..HEAD of
# out/linux), tools/ and Documentation/ excluded.
series_files() {
	git -C "$KSRC" diff --name-only "$(base_commit)" HEAD -- . \
		':!tools' ':!Documentation'
}

# series_dirs: the directories holding the C files the series changes: the
# objects there are rebuilt and compared with the base by the gates.
series_dirs() {
	# a directory inside another one is built with it: listing both makes
	# kbuild build the inner one twice at once
	series_files | sed -n 's#/[^/]*\.c$#/#p' | sort -u |
		awk 'top == "" || index($0, top) != 1 { top = $0; print }'
}

# drop_objects BUILD DIR...: delete the objects under BUILD/DIR..., so the
# next make compiles (and warns about) every one of them again.
drop_objects() {
	local build=$1 d
	shift
	for d in "$@"; do
		[ ! -d "$build/$d" ] || find "$build/$d" -name '*.o' -delete
	done
}

# diagnostics LOG...: the warnings and errors (compiler, sparse, Sphinx) in
# LOG as "file: text", paths relative to the source tree and without line
# numbers, which move between revisions; sorted, duplicates kept: a second
# "Malformed table" in api.rst is a new error, not the base's one again.
diagnostics() {
	sed -nE -e "s#^($KSRC|$OUT/[^/]+|\.\./${KSRC##*/})/##" \
		-e 's#^([^ :]+):[0-9]+(:[0-9]+)?: *(warning|error|WARNING|ERROR|CRITICAL): #\1: \3: #p' "$@" |
		sed -E ':a; s#(^|/)[^/.][^/]*/\.\./#\1#; ta' | sort
}

# compare_diagnostics WHAT BASE NEW: fail, listing them, if NEW (a
# diagnostics file) has lines BASE lacks.
compare_diagnostics() {
	local what=$1 base=$2 new=$3 added
	added=$(comm -13 "$base" "$new")
	if [ -n "$added" ]; then
		printf '    new %s (not in the base):\n' "$what" >&2
		sed 's/^/      /' <<<"$added" >&2
		return 1
	fi
	msg "no new $what ($(wc -l <"$base") in the base, $(wc -l <"$new") with the series)"
}

# make_config DIR BASE-TARGET FRAGMENT...: configure the kernel build in DIR
# from a *config target plus fragments (later ones win), and fail if Kconfig
# dropped any value a fragment asks for (a missing dependency).
make_config() {
	local dir=$1 missing
	mkdir -p "$dir"
	run_logged "$LOGS/config-$(basename "$dir").log" _make_config "$@"
	missing=$(cat "${@:3}" | grep -E '^CONFIG_[A-Z0-9_]+=' | while IFS= read -r line; do
		grep -qxF "$line" "$dir/.config" || printf '  %s\n' "$line"
	done)
	[ -z "$missing" ] || die "these options of ${*:3} did not survive
olddefconfig (a dependency is missing; add it to the fragment):
$missing"
}
_make_config() {
	KBUILD=$1 kmake "$2" &&
		"$KSRC/scripts/kconfig/merge_config.sh" -m -O "$1" "$1/.config" "${@:3}" &&
		KBUILD=$1 kmake olddefconfig
}

# build_abi_check OUTPUT: build scripts/abi-check.c (DESIGN section 3 as
# static asserts) against the UAPI headers installed in out/build/usr/include.
build_abi_check() {
	"${CROSS}gcc" -static -Wall -Werror -O2 -isystem "$KBUILD/usr/include" \
		-o "$1" "$REPO_ROOT/scripts/abi-check.c" ||
		die "scripts/abi-check.c does not build against the series' UAPI headers:
  a number, size or offset of DESIGN.md section 3 is wrong (see above)"
}

# recipients To|Cc: the addresses the series' snippet gives for To: or Cc:,
# one per line (scripts/maintainers.sh writes them as "# To: ..." lines).
recipients() {
	sed -n "s/^# $1: //p" "$SNIPPET"
}

# check_stamp: what 'make check' records in out/check-passed when it passes,
# and 'make send SEND=1' insists on: a hash of patches/ and the snippet.
check_stamp() {
	local -a p=()
	[ ! -d "$PATCHES" ] || mapfile -t p < <(find "$PATCHES" -maxdepth 1 -name '*.patch' | sort)
	cat "${p[@]}" "$SNIPPET" | sha256sum | cut -d' ' -f1
}

# scratch_tree: print the path of out/am-check, a clone of the base sharing
# its objects, reset to the base with no local changes; cloned on first use.
# For the gates and tools that apply a series on a fresh base.
scratch_tree() {
	local tree=$OUT/am-check
	if [ ! -d "$tree/.git" ]; then
		msg "cloning the base into $tree (once)" >&2
		rm -rf "$tree"
		git clone -q --shared --no-checkout "$BASE_REPO" "$tree"
	fi
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f --detach "$(base_commit)"
	git -C "$tree" clean -q -fdx
	echo "$tree"
}

# am_series DIR WHAT MBOX...: git am MBOX... (WHAT names them in messages)
# in DIR with the project's committer identity, committer date = author
# date so the commit ids are reproducible.  On failure the am is aborted,
# so DIR is as it was, and the error names the patch and the file.
am_series() {
	local dir=$1 what=$2 log which files
	shift 2
	log=$(mktemp)
	if ! GIT_COMMITTER_NAME=$SERIES_NAME GIT_COMMITTER_EMAIL=$SERIES_EMAIL \
		git -C "$dir" am -q --committer-date-is-author-date "$@" >"$log" 2>&1; then
		which=$(sed -n 's/^Patch failed at \(.*\)$/\1/p' "$log" | sed -n 1p)
		files=$(sed -n -e 's/^error: patch failed: \(.*\)$/\1/p' \
			-e 's/^error: \([^:]*\): \(does not exist in index\|already exists in index\)$/\1 (\2)/p' "$log" |
			sort -u | paste -sd' ')
		git -C "$dir" am --abort >/dev/null 2>&1 || true
		cat "$log" >&2
		rm -f "$log"
		die "$what does not apply to $dir
  patch: ${which:-unknown}
  file:  ${files:-see the git am output above}
  'git am' was aborted: the tree is as it was before.  Rebase the series
  (see HACKING.md, 'Working on the series') or pick a matching base."
	fi
	rm -f "$log"
}

# build_test_module SOURCE DIR LOG: build the test-only module SOURCE (a
# .c file of emulator/ or kvmtool/guest/) against the pipeline's kernel
# build, in DIR (emptied first); warnings fail it
build_test_module() {
	local src=$1 mod=$2 log=$3 name
	name=$(basename "$src" .c)
	rm -rf "$mod"
	mkdir -p "$mod"
	cp "$src" "$mod/"
	echo "obj-m := $name.o" >"$mod/Kbuild"
	run_logged "$log" kmake W=1 M="$mod" modules
	! grep -q 'warning:' "$log" || die "$name.c builds with warnings: see $log"
}

# build_emulator_module DIR LOG: emulator/sea_emul.ko in DIR
build_emulator_module() {
	build_test_module "$REPO_ROOT/emulator/sea_emul.c" "$@"
}

# cover_letter_fill LETTER TEXT: put into the cover letter that git
# format-patch wrote the subject (TEXT's first line) and the body (the rest).
cover_letter_fill() {
	python3 - "$1" "$2" <<'PY'
import sys
path, cover = sys.argv[1:]
subject, body = open(cover).read().split('\n', 1)
text = open(path).read()
assert '*** SUBJECT HERE ***' in text and '*** BLURB HERE ***' in text
text = text.replace('*** SUBJECT HERE ***', subject, 1)
text = text.replace('*** BLURB HERE ***', body.strip('\n'), 1)
open(path, 'w').write(text)
PY
}

# sender_identity: "Name <email>" of git config's user.name and user.email,
# the sender of our mails; nothing when git config has no identity (or
# only the project's placeholder, scripts/identity.env)
sender_identity() {
	local name email
	name=$(git -C "$REPO_ROOT" config user.name || true)
	email=$(git -C "$REPO_ROOT" config user.email || true)
	[ -n "$name" ] && [ -n "$email" ] || return 0
	[ "$name <$email>" != "$SERIES_NAME <$SERIES_EMAIL>" ] || return 0
	printf '%s <%s>\n' "$name" "$email"
}

# mails_as SENDER DIR MAIL...: copies of the MAILs (format-patch files) in
# DIR with SENDER in place of the placeholder identity: as author, in every
# Signed-off-by: and in the cover letter's shortlog header ("Name (N):"),
# so that the sender signs off what they send
mails_as() {
	local me=$1 dir=$2 f pat rep npat nrep
	shift 2
	# sed: the placeholder as a literal, the sender as a literal replacement
	literal() { printf '%s' "$1" | sed 's/[][\.*^$|]/\\&/g'; }
	replacement() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }
	pat=$(literal "$SERIES_NAME <$SERIES_EMAIL>") rep=$(replacement "$me")
	npat=$(literal "$SERIES_NAME") nrep=$(replacement "${me% <*}")
	mkdir -p "$dir"
	for f in "$@"; do
		sed -e "s|^From: $pat\$|From: $rep|" \
			-e "s|^Signed-off-by: $pat\$|Signed-off-by: $rep|" \
			-e "s|^$npat (\([0-9]*\)):\$|$nrep (\1):|" "$f" >"$dir/$(basename "$f")"
	done
}

# mbox_sender: the sender for an mbox (sender_identity), or the placeholder
# with a note on how to sign the mails yourself
mbox_sender() {
	local me
	me=$(sender_identity)
	if [ -z "$me" ]; then
		msg "no git identity (git config user.name/user.email): the mails keep the
      placeholder '$SERIES_NAME <$SERIES_EMAIL>'; set yours to sign them" >&2
		me="$SERIES_NAME <$SERIES_EMAIL>"
	fi
	printf '%s\n' "$me"
}

# mbox_write MBOX MSGID-PREFIX TO CC MAIL...: the MAILs (format-patch files,
# the cover letter first) as one mbox, threaded as git send-email threads
# them (every patch answers the first mail), addressed TO and CC, signed
# by the sender (mbox_sender, mails_as).  Message-Ids are MSGID-PREFIX, a
# hash of the mails and the mail's number: the same mails and sender always
# give the same mbox.
mbox_write() {
	local mbox=$1 prefix=$2 to=$3 cc=$4 id n=0 f signed
	shift 4
	# the mails signed by the sender (git config), as 'make send' signs them
	mkdir -p "$OUT_ROOT"
	signed=$(mktemp -d "$OUT_ROOT/.mbox.XXXXXX")
	at_exit "rm -rf '$signed'"
	mails_as "$(mbox_sender)" "$signed" "$@"
	set -- "$signed"/*.patch
	id=$(cat "$@" | sha256sum | cut -c1-16)
	msgid() { printf '<%s-%s-%d@example.invalid>' "$prefix" "$id" "$1"; }
	mkdir -p "$(dirname "$mbox")"
	: >"$mbox.tmp"
	for f in "$@"; do
		# Headers are unfolded (b4 0.12 fails on a folded Subject:, RFC
		# 5322 allows lines up to 998 characters), and the extra ones go
		# where the header block ends, at its first empty line.
		awk -v mid="$(msgid "$n")" -v parent="$([ "$n" -gt 0 ] && msgid 0)" \
			-v to="$to" -v cc="$cc" '
			done { print; next }
			/^[ \t]/ { sub(/^[ \t]+/, " "); held = held $0; next }
			/^$/ {
				print held
				print "To: " to
				if (cc != "") print "Cc: " cc
				print "Message-Id: " mid
				if (parent != "") { print "In-Reply-To: " parent; print "References: " parent }
				print; done = 1; next
			}
			{ if (held != "") print held; held = $0 }' "$f" >>"$mbox.tmp"
		echo >>"$mbox.tmp"
		n=$((n + 1))
	done
	mv "$mbox.tmp" "$mbox"
	msg "$n mails, thread $(msgid 0)"
}

# A Debian suite the machine's apt sources lack (the 7.3 base's
# trixie-backports, QEMU's bookworm-backports) is reached through a private
# apt configuration in the cache: its own source list, package lists and
# download cache, with the suite on the machine's own Debian mirror.  The
# machine's apt sources and state are never touched.
# suite_apt SUITE apt-get|apt-cache ARGS...: run apt on SUITE alone
suite_apt() {
	local dir=$CACHE/apt-$1 cmd=$2
	shift 2
	"$cmd" -q -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" -o Dir::State::status=/dev/null \
		-o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}
# suite_update SUITE: (re)read SUITE's package lists from the repository
# that carries the machine's own release (not -security)
suite_update() {
	local dir=$CACHE/apt-$1 mirror
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk -v rel="$(. /etc/os-release && echo "$VERSION_CODENAME")" '$2 == rel { print $1; exit }')
	[ -n "$mirror" ] || die "no Debian mirror for this machine's release in its apt sources
  ('apt-get indextargets' lists none): $1 is reached through it"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb $mirror $1 main" >"$dir/sources.list"
	suite_apt "$1" apt-get update >/dev/null ||
		die "apt-get update of $1 failed (sources: $dir/sources.list)"
}

# The kvmtool tree (every series shares it), and the cached .deb of an
# arm64 package (scripts/deps.sh downloads them).
KVMTOOL_TREE=$OUT_ROOT/kvmtool/src
arm64_deb() {
	compgen -G "$CACHE/debs/${1}_*_arm64.deb" | sed -n 1p
}

# kvmtool_patches: kvmtool/patches/*.patch, the cover letter left out
kvmtool_patches() {
	ls "$REPO_ROOT"/kvmtool/patches/*.patch 2>/dev/null |
		grep -v -- '0000-cover-letter.patch$' || true
}

# kvmtool_state SOURCE-TARBALL: what out/kvmtool/src is made of, as a hash
kvmtool_state() {
	{ cat "$1"; kvmtool_patches | xargs -r cat; } | sha256sum | cut -d' ' -f1
}

# ---- stages: what each target needs first, and when a stage is current ----
STAMPS=$OUT/stamps

# stage_needs TARGET: the targets TARGET needs first (scripts/stages.list)
stage_needs() {
	awk -v t="$1" '!/^#/ && $1 == t { for (i = 2; i <= NF; i++) print $i }' \
		"$REPO_ROOT/scripts/stages.list"
}

# stage_chain TARGET: every target TARGET needs, transitively, in the order
# they run, TARGET last.
stage_chain() {
	local n
	for n in $(stage_needs "$1"); do stage_chain "$n"; done
	echo "$1"
}

# The stages that build something are skipped while their inputs are the
# ones they last ran with; the others (deps, base, apply) check their own
# state quickly every time, and tests and gates always run.
#   stage_output STAGE: the file a run leaves behind
#   stage_fingerprint STAGE: a hash of what the stage reads: its script, its
#     own inputs, and the stamp of the stage before it, which a new run of
#     that stage rewrites, so everything after it reruns too
stage_output() {
	case $1 in
	build) echo "$KBUILD/arch/arm64/boot/Image" ;;
	selftests) echo "$OUT/kselftest/kselftest-list.txt" ;;
	emulator) echo "$OUT/kselftest/kvm/sea_emul.ko" ;;
	kvmtool) echo "$OUT/kselftest/kvm/sea_kvmtool" ;;
	initramfs) echo "$OUT/initramfs.cpio.gz" ;;
	*) return 1 ;;
	esac
}
stage_fingerprint() {
	local s=$REPO_ROOT/scripts
	{
		case $1 in
		build)
			# the kernel tree as it is, committed or not, and its config
			git -C "$KSRC" rev-parse HEAD
			git -C "$KSRC" diff HEAD -- . ':!.gitignore'
			(cd "$KSRC" && git ls-files -z -o --exclude-standard | xargs -0r sha256sum)
			cat "$s/build.sh" "$s/kernel.config"
			;;
		selftests)
			cat "$STAMPS/build" "$s/selftests.sh" "$s/abi-check.c"
			series_tests | grep -cx sea_abi_check || true
			;;
		emulator)
			# the module loads only into the kernel build it was compiled
			# against: a gate that relinks the Image (a new build number)
			# makes it stale
			cat "$STAMPS/selftests" "$s/emulator.sh" "$REPO_ROOT"/emulator/* \
				"$KBUILD/include/generated/utsversion.h"
			;;
		kvmtool)
			# the kvmtool tree too: edits there rerun the stage, which
			# then asks for them to be exported
			cat "$STAMPS/emulator" "$s/kvmtool.sh"
			find "$REPO_ROOT/kvmtool" -type f | sort | xargs cat
			ls "$CACHE/kvmtool" "$CACHE/debs"
			echo "${KVMTOOL_SRC:-}"
			git -C "$KVMTOOL_TREE" rev-parse HEAD || true
			git -C "$KVMTOOL_TREE" status --porcelain || true
			;;
		initramfs)
			# (the emulator's stamp too: the module must be the one
			# built for this kernel, whatever ran in between)
			cat "$STAMPS/emulator" "$STAMPS/kvmtool" "$s/initramfs.sh" "$s/guest-init.sh" "$TESTS_LIST"
			ls "$CACHE/debs"
			;;
		esac 2>/dev/null
	} | sha256sum | cut -d' ' -f1
}

# stage_is_current STAGE: a stage that builds something ran with the
# inputs it has now, and what it built is still there.
stage_is_current() {
	local out
	out=$(stage_output "$1") || return 1
	[ -e "$out" ] && [ -f "$STAMPS/$1" ] &&
		[ "$(head -n 1 "$STAMPS/$1")" = "$(stage_fingerprint "$1")" ]
}

# run_stage STAGE [ARGS]: run scripts/STAGE.sh, unless it is current; a
# successful run records its fingerprint (and when it ran, which makes the
# stages after it stale).
run_stage() {
	local name=$1 fp=
	shift
	if stage_output "$name" >/dev/null; then
		if stage_is_current "$name"; then
			printf '==> %s: up to date (inputs unchanged since its last run)\n' "$name"
			return 0
		fi
		fp=$(stage_fingerprint "$name")
		rm -f "$STAMPS/$name"
	fi
	bash "$REPO_ROOT/scripts/$name.sh" "$@" || return
	# kvmtool makes its own tree (and caches its source) on its first run,
	# and reads that tree from then on: its inputs are known only after it
	[ "$name" != kvmtool ] || fp=$(stage_fingerprint "$name")
	if [ -n "$fp" ]; then
		mkdir -p "$STAMPS"
		printf '%s\n%s\n' "$fp" "$(date +%s.%N)" >"$STAMPS/$name"
	fi
}

# take_lock: one make at a time in this out/ (two would write the same
# kernel tree); the entry points take it, the stages they run inherit it.
take_lock() {
	[ -z "${KVM_SEA_LOCKED:-}" ] || return 0
	mkdir -p "$OUT_ROOT"
	exec 9>"$OUT_ROOT/.lock"
	flock -n 9 || die "another make is already running in $OUT_ROOT: wait for it to finish
  (a second one would write the same kernel tree at the same time)"
	export KVM_SEA_LOCKED=1
}
