#!/usr/bin/env bash
# make send: mail the series to the people MAINTAINERS.snippet names.
#   make send                      dry run: print the git send-email command,
#                                  run it with --dry-run (nothing is mailed)
#   make send SEND=1               really send
#   make send IN_REPLY_TO=<msgid>  thread the series under an earlier mail
# The mails carry the sender's own git identity (git config user.name and
# user.email): it replaces the project's placeholder as author and in every
# Signed-off-by:, so the sender signs off what they send.  A real send
# refuses without such an identity, and unless 'make check' passed for
# exactly this series (out/check-passed, written by a green 'make check').
mails=1
. "$(dirname "$0")/lib.sh"
need_cmd git
has_send_email() { [ -x "$(git --exec-path)/git-send-email" ]; }
has_send_email || die "git send-email is not installed: run 'make deps' (Debian: git-email)"
snippet=$SNIPPET
[ -f "$snippet" ] || die "no ${snippet#"$REPO_ROOT"/}: run 'make maintainers SERIES=$SERIES'"
mapfile -t files < <(find "$PATCHES" -maxdepth 1 -name '*.patch' | sort)
[ "${#files[@]}" -gt 1 ] || die "$P_SHOW/ holds no series: run 'make export'"
real=${SEND:-0}
check_target_args send
stage_begin "send: $([ "$real" = 1 ] && echo "REAL SEND" || echo "dry run") of ${#files[@]} mail(s)"

placeholder="$SERIES_NAME <$SERIES_EMAIL>"
me=$(sender_identity)
if [ -z "$me" ]; then
	[ "$real" = 1 ] && die "no sender identity: git config gives none of yours.
  Set yours (git config --global user.name 'Your Name'; git config --global
  user.email you@example.org); it replaces the project's placeholder."
	warn "git config gives no identity of yours: the dry run shows the placeholder
  '$placeholder'; a real send needs your own (git config user.name/user.email)"
	me=$placeholder
fi
if [ "$real" = 1 ]; then
	stamp=$OUT/check-passed
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(check_stamp)" ] ||
		die "'make check' has not passed for this exact series ($P_SHOW/ and
  ${snippet#"$REPO_ROOT"/}): run 'make check', then 'make send SEND=1' again"
fi

# The mails: patches/ with the sender in place of the placeholder.
dir=$OUT/send
mkdir -p "$LOGS"
rm -rf "$dir" && mkdir -p "$dir"
mails_as "$me" "$dir" "${files[@]}"
mapfile -t mails < <(find "$dir" -name '*.patch' | sort)

cmd=(git send-email --from="$me" --confirm=never --suppress-cc=self)
while IFS= read -r r; do cmd+=(--to="$r"); done < <(recipients To)
while IFS= read -r r; do cmd+=(--cc="$r"); done < <(recipients Cc)
[ -n "${IN_REPLY_TO:-}" ] && cmd+=(--in-reply-to="$IN_REPLY_TO")
[ "$real" = 1 ] || cmd+=(--dry-run)
cmd+=("${mails[@]}")
msg "command:"
printf '      git send-email \\\n'
printf '        %q \\\n' "${cmd[@]:2}" | sed '$s/ \\$//'
# stdin from /dev/null: send-email must not stop to ask anything; git
# wants an author and a committer even for a dry run: the sender, or the
# placeholder
email=${me##*<} email=${email%>}
GIT_AUTHOR_NAME=${me% <*} GIT_AUTHOR_EMAIL=$email \
	GIT_COMMITTER_NAME=${me% <*} GIT_COMMITTER_EMAIL=$email \
	"${cmd[@]}" </dev/null | tee "$LOGS/send.log" ||
	die "git send-email failed: see above (log: $LOGS/send.log)"
msg "$([ "$real" = 1 ] && echo "sent" || echo "dry run done, nothing mailed; 'make send SEND=1' sends") ${#mails[@]} mail(s) as $me"
stage_end
