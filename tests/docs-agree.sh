#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One source of truth: the README, the man page, docs/json.md, the guides in docs/ and the
# bash completion against the code. The truth is what the binary says (`efadiag --help`,
# `efadiag help COMMAND`) and what src/ holds (the exit codes of src/common.h, sg-check's
# verdicts and their exit codes in src/cmd/sgcheck*.c, mesh's pair statuses in
# src/mesh/judge.c, info's checks in src/cmd/info*.c, the instance table). Checked: the
# command list, each command's options, the exit-code table, the verdict lists, the man
# page's structure (every command its .TP in COMMANDS at the top level, its SYNOPSIS line,
# its .SS in OUTPUT), every relative link and anchor of the Markdown, the specification
# table of docs/performance.md, the README's two-command quick start, and that every doc
# ships in the tarball (EXTRA_DIST).
# Backquotes inside single quotes below are Markdown's, literal.
# shellcheck disable=SC2016
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

T=$TOP_SRCDIR
README=$T/README.md
MAN=$T/man/efadiag.1
JSONMD=$T/docs/json.md

# same_set DESCRIPTION WANT GOT: the two newline-separated lists hold the same words.
same_set() {
	local want got
	want=$(printf '%s\n' "$2" | sed '/^$/d' | sort -u)
	got=$(printf '%s\n' "$3" | sed '/^$/d' | sort -u)
	[ -n "$want" ] && [ "$want" = "$got" ]
	ok $? "$1"
	[ -n "$want" ] || diag "nothing to compare: the truth came out empty"
	[ "$want" = "$got" ] || diag "want: ${want//$'\n'/ }" "got:  ${got//$'\n'/ }"
}

# contains DESCRIPTION TEXT WORD...: each WORD occurs in TEXT (fixed strings).
contains() {
	local desc=$1 text=$2 w missing=""
	shift 2
	for w in "$@"; do
		printf '%s' "$text" | grep -qF -- "$w" || missing="$missing $w"
	done
	[ -z "$missing" ] && [ $# -gt 0 ]
	ok $? "$desc"
	[ -z "$missing" ] || diag "missing:$missing"
}

# man_section NAME: the lines of the man page's .SH NAME, up to the next .SH.
man_section() {
	awk -v want="$1" '/^\.SH / { s = substr($0, 5); gsub(/"/, "", s); f = (s == want); next }
		f' "$MAN"
}

# unesc: roff escapes of names back to text (\- to -).
unesc() { sed 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\&//g'; }

# man_commands: the tags of the top-level .TP entries of COMMANDS (outside any .RS/.RE),
# first word; a line "DEPTH n" at the end (0 when .RS/.RE balance).
man_commands() {
	man_section COMMANDS | awk '
		/^\.RS/ { d++; next }
		/^\.RE/ { d--; next }
		tag { tag = 0; w = $2; gsub(/"/, "", w); print w; next }
		/^\.TP/ && d == 0 { tag = 1 }
		END { print "DEPTH " d }' | unesc
}

# man_command_entry NAME: the text of the top-level COMMANDS entry NAME.
man_command_entry() {
	man_section COMMANDS | awk -v want="$1" '
		/^\.RS/ { d++ }
		/^\.RE/ { d-- }
		tag { tag = 0; w = $2; gsub(/"/, "", w); gsub(/\\-/, "-", w); f = (w == want) }
		/^\.TP/ && d == 0 { tag = 1 }
		f' | unesc
}

# md_table FILE HEADER_REGEX: the rows of the Markdown table whose header line matches.
md_table() {
	awk -v re="$2" '$0 ~ re { f = 1; n = 0; next } f && /^\|/ { if (n++) print; next } f { exit }' "$1"
}

# md_section FILE HEADING: the lines under the "## HEADING" heading, up to the next "## ".
md_section() {
	awk -v h="## $2" '$0 == h { f = 1; next } f && /^## / { exit } f' "$1"
}

# quoted TEXT: the "words" in double quotes.
quoted() { grep -oE '"[a-z_]+"' | tr -d '"'; }

[ -x "$EFADIAG" ] || { echo "1..0 # SKIP no efadiag binary at $EFADIAG"; exit 0; }

# ---- The truth ----------------------------------------------------------------------------
HELP=$("$EFADIAG" --help)
CMDS=$(printf '%s\n' "$HELP" | awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }')
TESTCMDS=$(printf '%s\n' "$CMDS" | grep -vx help)
GLOBAL_LONG=$(printf '%s\n' "$HELP" | awk '/^Global options/ { f = 1; next } f && /^$/ { exit } f' |
	sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' | sort -u)
EXIT_LINE=$(printf '%s\n' "$HELP" | sed -n 's/^Exit status: //p' | sed 's/\.$//')
diag "commands: ${CMDS//$'\n'/ }" "exit status: $EXIT_LINE"
[ "$(printf '%s\n' "$CMDS" | wc -l)" -ge 7 ]
ok $? "efadiag --help lists the commands"

# exit_phrase N: what --help says code N means ("passed", "a check failed", ...).
exit_phrase() { printf '%s\n' "$EXIT_LINE" | tr ',' '\n' | sed 's/^ *//' | sed -n "s/^$1 //p"; }
HELP_CODES=$(printf '%s\n' "$EXIT_LINE" | tr ',' '\n' | sed 's/^ *//' | cut -d' ' -f1)

# src/common.h: the enum of exit codes, name = value, /* comment */.
ENUM=$(sed -n '/enum exit_code/,/};/p' "$T/src/common.h" | grep -E 'EXIT_[A-Z]+ *= *[0-9]+')
ENUM_CODES=$(printf '%s\n' "$ENUM" | sed -E 's/.*= *([0-9]+).*/\1/')
# code_of EXIT_NAME: its value in src/common.h.
code_of() { printf '%s\n' "$ENUM" | sed -nE "s/.*\\<$1 *= *([0-9]+).*/\\1/p"; }

# sg-check's verdicts and the exit code of each, from the code that names them.
SG_PAIRS=$(awk '/v->name = "/ { match($0, /"[a-z_]+"/); n = substr($0, RSTART + 1, RLENGTH - 2) }
	/v->code = EXIT_/ && n != "" { match($0, /EXIT_[A-Z]+/); print n, substr($0, RSTART, RLENGTH); n = "" }' \
	"$T/src/cmd/sgcheck-verdict.c")
NO_PROBE_EXIT=$(awk '/^static int no_probe/ { f = 1 } f && /return EXIT_/ { match($0, /EXIT_[A-Z]+/);
	print substr($0, RSTART, RLENGTH); exit }' "$T/src/cmd/sgcheck.c")
SG_PAIRS=$(printf '%s\n' "$SG_PAIRS"
	grep -oE 'no_probe\([^,]+, "[a-z_]+"' "$T/src/cmd/sgcheck.c" | sed -E 's/.*"([a-z_]+)"/\1/' |
		sort -u | sed "s/\$/ $NO_PROBE_EXIT/")
SG_PAIRS=$(printf '%s\n' "$SG_PAIRS" | sort -u | while read -r v e; do echo "$v $(code_of "$e")"; done)
SG_VERDICTS=$(printf '%s\n' "$SG_PAIRS" | cut -d' ' -f1)
# sg_exit VERDICT: its exit code.
sg_exit() { printf '%s\n' "$SG_PAIRS" | awk -v v="$1" '$1 == v { print $2 }'; }
diag "sg-check verdicts (exit): ${SG_PAIRS//$'\n'/ }"
[ "$(printf '%s\n' "$SG_PAIRS" | sort -u -k1,1 | wc -l)" -eq "$(printf '%s\n' "$SG_PAIRS" | wc -l)" ]
ok $? "src: each sg-check verdict has one exit code"
# The header's list of verdicts (src/cmd/sgcheck.h, struct sg_verdict) is the code's too.
same_set "src/cmd/sgcheck.h lists the verdicts the code gives" "$SG_VERDICTS" \
	"$(grep -B1 'const char \*name;' "$T/src/cmd/sgcheck.h" | head -1 | grep -oE '[a-z_]+')"

MESH_STATUSES=$(grep -oE '\[MESH_[A-Z_]+\] = "[a-z_]+"' "$T/src/mesh/judge.c" | quoted)
MESH_VERDICTS=$(grep -oE '"verdict", v->pass \? "[a-z]+" : "[a-z]+"' "$T/src/cmd/mesh-report.c" |
	grep -oE '"[a-z]+"' | tr -d '"' | grep -vx verdict)
CHECK_NAMES=$(cat "$T"/src/cmd/info*.c | grep -oE 'check_add\(&r->checks, "[a-z_]+"' | quoted | sort -u)
CHECK_STATUSES=$(grep -E 'names\[\] = \{ "pass"' "$T/src/host/checks.c" | quoted)
diag "mesh pair statuses: ${MESH_STATUSES//$'\n'/ }" "mesh verdicts: ${MESH_VERDICTS//$'\n'/ }" \
	"info checks: ${CHECK_NAMES//$'\n'/ }"

# ---- Exit codes ---------------------------------------------------------------------------
same_set "exit codes: efadiag --help and src/common.h" "$HELP_CODES" "$ENUM_CODES"
for n in $HELP_CODES; do
	p=$(exit_phrase "$n")
	name=$(printf '%s\n' "$ENUM" | awk -F= -v n="$n" '$2 ~ /^ *[0-9]/ && $2 + 0 == n' | head -1)
	printf '%s' "$name" | grep -qiF -- "$p"
	ok $? "exit $n: src/common.h says '$p'"
	row=$(md_table "$README" '^\| Code \| Meaning \|$' | awk -F'|' -v n="$n" '$2 == " " n " "')
	printf '%s' "$row" | grep -qiF -- "$p"
	ok $? "exit $n: README's table says '$p'"
	entry=$(man_section 'EXIT STATUS' | awk -v n="$n" '/^\.TP/ { t = 1; next } t { f = ($0 == ".B " n); t = 0; next } f')
	printf '%s' "$entry" | tr '\n' ' ' | grep -qiF -- "$p"
	ok $? "exit $n: man EXIT STATUS says '$p'"
	md_table "$JSONMD" '^\| path \| type \| presence \| meaning \|$' | grep -F '| `.status` |' |
		head -1 | grep -qF "exit $n"
	ok $? "exit $n: docs/json.md's .status says which status it is"
done
same_set "README's exit-code table has the codes --help gives" "$HELP_CODES" \
	"$(md_table "$README" '^\| Code \| Meaning \|$' | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')"
same_set "man EXIT STATUS has the codes --help gives" "$HELP_CODES" \
	"$(man_section 'EXIT STATUS' | awk '/^\.TP/ { t = 1; next } t { t = 0; if ($1 == ".B") print $2 }')"
# The codes are the binary's too: a usage error is 2, --version 0.
run nosuchcommand
is_rc 2 "efadiag nosuchcommand exits 2, the usage error of --help"
run --version
is_rc 0 "efadiag --version exits 0"

# ---- Commands -----------------------------------------------------------------------------
same_set "commands: README's table and efadiag --help" "$CMDS" \
	"$(md_table "$README" '^\| Command \| What it does \| Guide \|$' | awk -F'|' '{ print $2 }' | tr -d ' `')"
MAN_CMDS=$(man_commands)
same_set "commands: man COMMANDS (top-level .TP entries) and efadiag --help" "$CMDS" \
	"$(printf '%s\n' "$MAN_CMDS" | grep -v '^DEPTH ')"
printf '%s\n' "$MAN_CMDS" | grep -qx 'DEPTH 0'
ok $? "man COMMANDS: every .RS has its .RE"
SYN=$(man_section SYNOPSIS | unesc)
for c in $CMDS; do
	printf '%s\n' "$SYN" | grep -qx "\\.B $c"
	ok $? "man SYNOPSIS: $c"
	body=$(man_command_entry "$c" | sed 1d | grep -v '^\.' | tr -d '[:space:]')
	[ -n "$body" ]
	ok $? "man COMMANDS: $c has a body under its tag"
done
OUT_SS=$(man_section OUTPUT | sed -n 's/^\.SS //p' | unesc)
for c in $TESTCMDS; do
	printf '%s\n' "$OUT_SS" | grep -qw -- "$c"
	ok $? "man OUTPUT: a .SS for $c"
done
for c in $CMDS; do
	grep -F '| `.command` |' "$JSONMD" | head -1 | grep -qF "\`$c\`"
	ok $? "docs/json.md's .command names $c"
done
for c in $TESTCMDS; do
	[ -f "$T/docs/$c.md" ]
	ok $? "docs/$c.md, the guide to $c, is there"
	grep -qF "(docs/$c.md)" "$README"
	ok $? "README links docs/$c.md"
done
same_set "commands: src/cmd/commands.def and efadiag --help" "$(printf '%s\n' "$CMDS" | tr -d -- -)" \
	"$(sed -n 's/^CMD(\([a-z_]*\))$/\1/p' "$T/src/cmd/commands.def")"
if [ "${BASH_VERSINFO[0]}" -ge 4 ] && command -v timeout >/dev/null; then
	got=$(complete_words "" "")
	same_set "commands: the bash completion offers those of efadiag --help" "$CMDS" "$got"
else
	skip "commands: the bash completion" "needs bash 4 and timeout"
fi

# ---- Options ------------------------------------------------------------------------------
GLOBAL_README=$(md_table "$README" '^\| Option \| Meaning \|$')
GLOBAL_MAN=$(man_section 'GLOBAL OPTIONS' | unesc)
for o in $GLOBAL_LONG; do
	printf '%s' "$GLOBAL_README" | grep -qF -- "\`$o" || printf '%s' "$GLOBAL_README" | grep -qF -- ", $o"
	ok $? "global option $o: in README's table"
	printf '%s' "$GLOBAL_MAN" | grep -qF -- "$o"
	ok $? "global option $o: in man GLOBAL OPTIONS"
done
MAN_ALL=$(unesc <"$MAN")
for c in $TESTCMDS; do
	opts=$("$EFADIAG" help "$c" | awk '/^Options:/ { f = 1; next } /^Global options/ { f = 0 } f' |
		sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z-]*).*/\2/p' | sort -u)
	[ -n "$opts" ] || continue
	# shellcheck disable=SC2086
	contains "$c's options (efadiag help $c): all in docs/$c.md" "$(cat "$T/docs/$c.md" 2>/dev/null)" $opts
	# shellcheck disable=SC2086
	contains "$c's options (efadiag help $c): all in the man page" "$MAN_ALL" $opts
done

# ---- sg-check's verdicts ------------------------------------------------------------------
SG_TABLE=$(md_table "$T/docs/sg-check.md" '^\| Verdict \| Meaning \| Exit \|$')
same_set "sg-check verdicts: docs/sg-check.md's table and the code" "$SG_VERDICTS" \
	"$(printf '%s\n' "$SG_TABLE" | awk -F'|' '{ print $2 }' | tr -d ' `')"
SG_MAN=$(man_command_entry sg-check | grep -E '^\.BR [a-z_]+ " \(exit [0-9]\)"')
same_set "sg-check verdicts: the man page's sg-check entry and the code" "$SG_VERDICTS" \
	"$(printf '%s\n' "$SG_MAN" | awk '{ print $2 }')"
SG_JSON=$(md_section "$JSONMD" '`sg-check`' | grep -F '| `.verdict` |' | head -1 | quoted)
same_set "sg-check verdicts: docs/json.md's .verdict and the code" "$SG_VERDICTS" "$SG_JSON"
SG_TROUBLE=$(grep -oE '^\| `[a-z_]+` \([0-9]\) \|' "$T/docs/troubleshooting.md")
same_set "sg-check verdicts: docs/troubleshooting.md's table and the code" "$SG_VERDICTS" \
	"$(printf '%s\n' "$SG_TROUBLE" | grep -oE '`[a-z_]+`' | tr -d '`')"
README_EXIT=$(md_table "$README" '^\| Code \| Meaning \|$')
MAN_EXIT=$(man_section 'EXIT STATUS' | unesc)
for v in $SG_VERDICTS; do
	e=$(sg_exit "$v")
	printf '%s\n' "$SG_TABLE" | awk -F'|' -v v="\`$v\`" -v e="$e" '$2 == " " v " " && $4 == " " e " " { f = 1 } END { exit !f }'
	ok $? "sg-check $v: exit $e in docs/sg-check.md"
	printf '%s\n' "$SG_MAN" | grep -qF "$v \" (exit $e)\""
	ok $? "sg-check $v: exit $e in the man page"
	printf '%s\n' "$SG_TROUBLE" | grep -qF "\`$v\` ($e)"
	ok $? "sg-check $v: exit $e in docs/troubleshooting.md"
	if [ "$e" -ne 0 ]; then
		printf '%s\n' "$README_EXIT" | awk -F'|' -v n="$e" '$2 == " " n " "' | grep -qF "\`$v\`"
		ok $? "sg-check $v: in README's exit $e row"
		printf '%s\n' "$MAN_EXIT" | awk -v n="$e" '/^\.TP/ { t = 1; next } t { f = ($0 == ".B " n); t = 0; next } f' |
			grep -qw -- "$v"
		ok $? "sg-check $v: in man EXIT STATUS $e"
	fi
done
# And the binary gives them with those codes: pass on loopback, control_unreachable at a
# port where nothing listens.
if has_provider tcp; then
	# -t 30: the loopback half's start took more than its 2.5 s share of -t 10 on a loaded
	# machine (control_unreachable); what is checked is the verdict's word and code.
	run sg-check --loopback -p tcp -t 30 -q -j
	json_is .verdict pass "sg-check --loopback -p tcp: verdict pass"
	is_rc "$(sg_exit pass)" "sg-check pass: the exit code the docs give"
else
	skip "sg-check pass" "no tcp provider"
fi
if has_provider tcp && hold_closed_port; then
	run sg-check -p tcp -P "$CLOSED_PORT" -t 3 -q -j 127.0.0.1
	json_is .verdict control_unreachable "sg-check to a closed port: control_unreachable"
	is_rc "$(sg_exit control_unreachable)" "sg-check control_unreachable: the exit code the docs give"
else
	skip "sg-check control_unreachable" "no tcp provider, or no python3 or perl to hold a closed port"
fi

# ---- mesh, info -------------------------------------------------------------------------
MESH_JSON=$(md_section "$JSONMD" '`mesh`')
same_set "mesh pair statuses: docs/json.md's .pairs[].status and src/mesh/judge.c" "$MESH_STATUSES" \
	"$(printf '%s\n' "$MESH_JSON" | grep -F '| `.pairs[].status` |' | head -1 | quoted)"
same_set "mesh verdicts: docs/json.md's .verdict and src/cmd/mesh-report.c" "$MESH_VERDICTS" \
	"$(printf '%s\n' "$MESH_JSON" | grep -F '| `.verdict` |' | head -1 | quoted)"
# shellcheck disable=SC2086,SC2046
contains "mesh pair statuses: all in docs/mesh.md" "$(cat "$T/docs/mesh.md")" $(printf '`%s` ' $MESH_STATUSES)
entry=$(man_command_entry mesh)
missing=""
for st in $MESH_STATUSES; do
	printf '%s\n' "$entry" | grep -qE "^\.BR? $st( |\$)" || missing="$missing $st"
done
[ -z "$missing" ]
ok $? "mesh pair statuses: all in the man page's mesh entry"
[ -z "$missing" ] || diag "missing:$missing"
# shellcheck disable=SC2086
contains "mesh pair statuses and verdicts: all in man OUTPUT's mesh" \
	"$(man_section OUTPUT | awk '/^\.SS / { f = ($2 == "mesh") } f')" $MESH_STATUSES $MESH_VERDICTS
same_set "info checks: man CHECKS (.TP entries) and src/cmd/info*.c" "$CHECK_NAMES" \
	"$(man_section CHECKS | awk '/^\.TP/ { t = 1; next } t { t = 0; print $2 }' | unesc)"
# shellcheck disable=SC2086,SC2046
contains "info checks: all in docs/info.md" "$(cat "$T/docs/info.md")" $(printf '`%s` ' $CHECK_NAMES)
for f in info stats; do
	same_set "check statuses: docs/json.md's $f .checks[].status and src/host/checks.c" "$CHECK_STATUSES" \
		"$(md_section "$JSONMD" "\`$f\`" | grep -F '| `.checks[].status` |' | head -1 | quoted)"
done

# ---- The man page renders without warnings ------------------------------------------------
if command -v groff >/dev/null; then
	w=$(groff -t -man -Tutf8 -ww -z "$MAN" 2>&1)
	[ -z "$w" ]
	ok $? "man page: groff -ww has no warnings"
	[ -z "$w" ] || diag "$w"
else
	skip "man page: groff -ww" "groff is not installed"
fi

# ---- Links and anchors --------------------------------------------------------------------
# Guides written apart from this tree's docs (their pages may come later): a link to one that
# is not here is skipped, not failed.
ELSEWHERE="docs/install.md docs/container.md docs/eks.md docs/hosts.md docs/skypilot.md docs/sagemaker.md"
# anchors FILE: the GitHub anchors of its headings (outside code fences).
anchors() {
	awk '/^```/ { c = !c; next } !c && /^#+ / { h = $0; sub(/^#+ /, "", h); h = tolower(h)
		gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h); print h }' "$1"
}
bad=""
skipped=""
nlinks=0
for md in "$README" "$T/CONTRIBUTING.md" "$T"/docs/*.md; do
	dir=$(dirname "$md")
	links=$(awk '/^```/ { c = !c; next } !c' "$md" | grep -oE '\]\([^) ]+\)' | sed 's/^](//; s/)$//' |
		grep -vE '^(https?|mailto):')
	for l in $links; do
		nlinks=$((nlinks + 1))
		file=${l%%#*}
		anchor=""
		case $l in *'#'*) anchor=${l#*#} ;; esac
		[ -n "$file" ] && target=$dir/$file || target=$md
		rel=$(realpath -m --relative-to="$T" "$target")
		if [ ! -e "$target" ]; then
			case " $ELSEWHERE " in
			*" $rel "*) skipped="$skipped $rel" ;;
			*) bad="$bad ${md#"$T"/}:$l" ;;
			esac
			continue
		fi
		if [ -n "$anchor" ] && ! anchors "$target" | grep -qxF -- "$anchor"; then
			bad="$bad ${md#"$T"/}:$l"
		fi
	done
done
[ -z "$bad" ] && [ "$nlinks" -gt 20 ]
ok $? "every relative link of README, CONTRIBUTING and docs/ resolves, anchors too ($nlinks links)"
[ -z "$bad" ] || diag "broken:$bad"
if [ -n "$skipped" ]; then
	# shellcheck disable=SC2086 # one word a guide
	skip "links to guides written elsewhere" "not in this tree yet:$(printf '%s\n' $skipped | sort -u | tr '\n' ' ')"
fi

# ---- docs/performance.md's specification table and src/host/instance-types.def ------------
rows=$(awk '/<!-- docs-agree: instance-types -->/ { f = 1; next } f && /^\|/ { print; next } f && NF { exit }' \
	"$T/docs/performance.md" | tail -n +3)
[ "$(printf '%s\n' "$rows" | grep -c .)" -ge 10 ]
ok $? "docs/performance.md has its instance-type table"
badrows=""
while IFS='|' read -r _ type dev rate per _; do
	type=$(echo "$type" | tr -d ' `')
	dev=$(echo "$dev" | tr -d ' ')
	rate=$(echo "$rate" | tr -d ' ')
	per=$(echo "$per" | tr -d ' ')
	def=$(grep -F "INSTANCE(\"$type\"," "$T/src/host/instance-types.def" |
		sed -E 's/INSTANCE\("[^"]+", ([0-9]+), ([0-9]+),.*/\1 \2/')
	if [ "$def" != "$dev $rate" ] || [ "$(awk -v r="$rate" -v d="$dev" 'BEGIN { printf "%g", r / d }')" != "$per" ]; then
		badrows="$badrows $type($dev $rate $per; the table: ${def:-none})"
	fi
done <<<"$rows"
[ -z "$badrows" ]
ok $? "docs/performance.md's devices and bandwidth agree with src/host/instance-types.def"
[ -z "$badrows" ] || diag "disagree:$badrows"

# ---- The README's quick start: exactly two commands, both there ---------------------------
qs=$(awk '/^## Quick start/ { f = 1; next } f && /^## / { exit } f && /^```/ { if (b) exit; b = 1; next } b' "$README")
[ "$qs" = "scripts/quickstart.sh
scripts/check.sh" ]
ok $? "README's quick start is the two commands scripts/quickstart.sh and scripts/check.sh"
[ -x "$T/scripts/quickstart.sh" ] && [ -x "$T/scripts/check.sh" ]
ok $? "both scripts are there and executable"

# ---- Every doc ships in the tarball -------------------------------------------------------
missing=""
for f in README.md CONTRIBUTING.md CHANGELOG.md "$T"/docs/*.md scripts/quickstart.sh scripts/check.sh; do
	f=${f#"$T"/}
	grep -qE "(^|[[:space:]])$f([[:space:]]|\\\\|\$)" "$T/Makefile.am" || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "Makefile.am's EXTRA_DIST ships README, CONTRIBUTING, every docs/*.md and the quick start"
[ -z "$missing" ] || diag "not in Makefile.am:$missing"

done_testing
