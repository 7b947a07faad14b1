#!/usr/bin/env bash
# Run one make target after bringing what it needs up to date, the way
# make itself would: scripts/stages.list says what each target needs, the
# stages that build something are skipped while their inputs are unchanged
# (lib.sh, run_stage), and tests and gates always run.
#   scripts/run.sh TARGET [ARGS]     run it (ARGS go to its script)
#   scripts/run.sh --plan TARGET     print the stages that would run, in order
#   scripts/run.sh --needs TARGET    print what TARGET needs, in order
# The mail targets default to the series that goes to the list (lib.sh).
case ${1:-}/${2:-} in
maintainers/* | mbox/* | send/* | --*/maintainers | --*/mbox | --*/send) mails=1 ;;
esac
picked=${SERIES:-}
. "$(dirname "$0")/lib.sh"
# A mail target without SERIES=: every series that goes to the list, in
# the order scripts/series.list gives (a prerequisite before the series
# based on it).
if [ -n "${mails:-}" ] && [ -z "$picked" ] && [ "${#SEND_SERIES[@]}" -gt 1 ] &&
	[[ ${1:-} != --* ]]; then
	for s in "${SEND_SERIES[@]}"; do
		printf '\n######## series %s ########\n' "$s"
		SERIES=$s bash "$REPO_ROOT/scripts/run.sh" "$@" || exit
	done
	exit 0
fi

mode=run
case ${1:-} in --plan|--needs) mode=${1#--}; shift ;; esac
target=${1:?usage: scripts/run.sh [--plan|--needs] TARGET [ARGS]}
shift
# the script of a target: scripts/TARGET.sh, but for one
script_of() { case $1 in kselftest-tarball) echo tarball ;; *) echo "$1" ;; esac; }
if [ "$mode" = needs ]; then
	stage_chain "$target" | { grep -vx -- "$target" || true; } | paste -sd' ' -
	exit 0
fi
[ -f "$REPO_ROOT/scripts/$(script_of "$target").sh" ] ||
	die "no such target: $target (see 'make help')"

# would_run STAGE: does STAGE run now?  Stages that check their own state
# (deps, base, apply) say so themselves when they have nothing to do; a
# stage that builds something runs when its inputs changed or when a stage
# before it runs.
would_run() {
	case $1 in
	deps) [ -n "$(bash "$REPO_ROOT/scripts/deps.sh" --missing)" ] ;;
	base) [ ! -f "$BASE_REPO/kvm-sea-base" ] ;;
	apply) ! series_is_applied ;;
	*) ! stage_output "$1" >/dev/null || ! stage_is_current "$1" ;;
	esac
}

mapfile -t chain < <(stage_chain "$target")
if [ "$mode" = plan ]; then
	stale=0
	for s in "${chain[@]}"; do
		building=0
		stage_output "$s" >/dev/null && building=1
		if [ "$stale" = 1 ] && [ "$building" = 1 ] || would_run "$s" ||
			{ [ "$s" = "$target" ] && [ "$building" = 0 ]; }; then
			# what a rerun of apply or of a building stage feeds changes
			case $s in apply) stale=1 ;; *) [ "$building" = 0 ] || stale=1 ;; esac
			echo "$s"
		fi
	done
	exit 0
fi

check_target_args "$target" "$@"
take_lock
# (a stage that fails has said why: no second error line from here)
for s in "${chain[@]}"; do
	if [ "$s" != "$target" ]; then
		run_stage "$s" || exit
	elif stage_output "$s" >/dev/null; then
		run_stage "$s" "$@" || exit
	else
		bash "$REPO_ROOT/scripts/$(script_of "$s").sh" "$@" || exit
	fi
done
