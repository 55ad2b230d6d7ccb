#!/usr/bin/env bash
# Renders every page of man/ as man(1) shows it on an 80-column terminal, with all of groff's
# warnings on, and fails on any warning; checks each page's title and NAME line (what mandb
# indexes), that the Holdfast pages it refers to exist, and that holdfast(8) documents every
# subcommand `holdfast --help` lists.
# usage: man_pages.sh MAN_DIR HOLDFAST_BINARY
set -euo pipefail
dir=$1 holdfast=$2

failures=0
fail() {
    echo "man_pages: $*" >&2
    failures=$((failures + 1))
}

pages=("$dir"/*.[1-9])
[ -e "${pages[0]}" ] || { echo "man_pages: no pages in $dir" >&2; exit 1; }
for page in "${pages[@]}"; do
    name=${page##*/}
    base=${name%.*} section=${name##*.}
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
        man --warnings=w -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) || fail "$name: man failed"
    [ -z "$warnings" ] || fail "$name: $(printf '%s' "$warnings" | sed "s|<standard input>|$name|" | paste -sd'|')"
    # .TH NAME SECTION: the file's name, upper case, and its section
    read -r th title sec _ < <(grep -m1 '^\.TH ' "$page") || true
    [ "${th:-}" = .TH ] || fail "$name: no .TH line"
    [ "${title:-}" = "${base^^}" ] || fail "$name: .TH title '${title:-}' is not '${base^^}'"
    [ "${sec:-}" = "$section" ] || fail "$name: .TH section '${sec:-}' is not $section"
    # lexgrog reads the NAME section as mandb does: "name - description"
    lexgrog "$page" >/dev/null 2>&1 || fail "$name: lexgrog cannot parse its NAME section"
    # references to Holdfast's own pages: .BR page (N) or \fBpage\fR(N)
    while IFS= read -r ref; do
        [ -f "$dir/$ref" ] || fail "$name: refers to $ref, which is not in man/"
    done < <(sed -nE 's/\\-/-/g; s/^\.BR +((holdfast|fence_holdfast|ocf_holdfast)[A-Za-z_.-]*) +\(([1-9])\).*/\1.\3/p;
                     s/.*\\fB((holdfast|fence_holdfast|ocf_holdfast)[A-Za-z_.-]*)\\fR\(([1-9])\).*/\1.\3/p' "$page" | sort -u)
done

# Every subcommand of `holdfast --help` is a tag of holdfast(8)'s COMMANDS: a line that starts
# with it in bold (".B cmd", "\fBcmd ...\fR", ".BR cmd ...").
help=$("$holdfast" --help)
commands=$(printf '%s\n' "$help" | sed -n '/^commands:/,$p' | sed -nE 's/^  ([a-z][a-z-]*) .*/\1/p')
[ -n "$commands" ] || fail "holdfast --help lists no commands"
section=$(sed -n '/^\.SH COMMANDS/,/^\.SH [^C]/p' "$dir/holdfast.8" | sed 's/\\-/-/g')
for c in $commands; do
    grep -qE "^(\.B|\.BR) $c( |\$)|^\\\\fB$c[ \\\\]" <<<"$section" ||
        fail "holdfast.8: no entry for subcommand '$c' of holdfast --help"
done
# The verbs a help line lists ("  node       standby, online, maintenance, ready NODE", continued on
# indented lines) each start an entry of their command: "\fBnode standby\fR" or "|\fBonline\fR".
listed=$(printf '%s\n' "$help" | sed -n '/^commands:/,$p' | awk '
    /^  [a-z]/ { cmd = $1; sub(/^  [a-z-]+ +/, ""); text[cmd] = $0; next }
    /^    / { sub(/^ +/, ""); text[cmd] = text[cmd] " " $0 }
    END { for (c in text) if (match(text[c], /^[a-z-]+(, [a-z-]+)+/))
              { n = split(substr(text[c], 1, RLENGTH), v, /, /); for (i = 1; i <= n; i++) print c, v[i] } }')
while read -r c v; do
    entries=$(grep -F "\\fB$c " <<<"$section" || true)
    grep -qF -e "\\fB$c $v\\fR" -e "\\fB$c $v " -e "|\\fB$v\\fR" <<<"$entries" ||
        fail "holdfast.8: no entry for '$c $v' (listed by holdfast --help)"
done <<<"$listed"

[ "$failures" -eq 0 ] || exit 1
echo "man_pages: ${#pages[@]} pages render without warnings; holdfast(8) has all $(echo $commands | wc -w) subcommands and $(printf "%s\n" "$listed" | grep -c .) verbs of holdfast --help"
