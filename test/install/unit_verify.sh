#!/usr/bin/env bash
# `systemd-analyze verify` on holdfastd.service as `cmake --install` installs it (into a temporary
# DESTDIR): the unit's ExecStart binary and its Documentation= page must exist, so the copy checked
# points into that tree; any message verify prints (an unknown key is only a warning to it) fails.
# usage: unit_verify.sh BUILD_DIR UNIT_DIR MANDIR SBINDIR
set -euo pipefail
build=$1 unitdir=$2 mandir=$3 sbin=$4

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" >/dev/null
unit=$dest$unitdir/holdfastd.service
[ -f "$unit" ] || { echo "unit_verify: $unitdir/holdfastd.service not installed" >&2; exit 1; }

# The same unit, its paths into the install tree (verify has no DESTDIR of its own).
mkdir "$dest/check"
sed "s|^ExecStart=$sbin/|ExecStart=$dest$sbin/|" "$unit" >"$dest/check/holdfastd.service"
grep -q "^ExecStart=$dest$sbin/holdfastd " "$dest/check/holdfastd.service" ||
    { echo "unit_verify: ExecStart does not name $sbin/holdfastd" >&2; exit 1; }

# man:holdfastd(8) is looked up with man(1): the installed page.
if ! out=$(cd "$dest/check" && MANPATH=$dest$mandir SYSTEMD_LOG_COLOR=0 systemd-analyze verify holdfastd.service 2>&1) ||
   [ -n "$out" ]; then
    printf 'unit_verify: systemd-analyze verify holdfastd.service:\n%s\n' "$out" >&2
    exit 1
fi
echo "unit_verify: holdfastd.service verifies cleanly"
