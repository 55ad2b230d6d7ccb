#!/usr/bin/env bash
# `cmake --install` into a temporary DESTDIR, then check that every program a user or the cluster
# runs is installed where Debian and Pacemaker look for it, is executable, has a man page, and that
# the unit, completion and agent-tool links are in place. No root needed.
# usage: install_tree.sh BUILD_DIR SOURCE_DIR SBINDIR LIBEXECDIR OCF_ROOT FENCE_AGENT_DIR UNIT_DIR
#                        MANDIR DATADIR AGENT_TOOLS_DIR VERSION   (all absolute, as compiled in)
set -euo pipefail
build=$1 src=$2 sbin=$3 libexec=$4 ocf=$5 fence=$6 unitdir=$7 mandir=$8 datadir=$9
tools=${10} version=${11}

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" >/dev/null

failures=0
fail() {
    echo "install_tree: $*" >&2
    failures=$((failures + 1))
}
executable() { [ -f "$dest$1" ] && [ -x "$dest$1" ] || fail "$1 is missing or not executable"; }
file() { [ -f "$dest$1" ] || fail "$1 is missing"; }
# A program and the page that documents it.
program() {
    executable "$1"
    file "$mandir/man$3/$2.$3"
}

program "$sbin/holdfast" holdfast 8
program "$sbin/holdfastd" holdfastd 8
program "$sbin/holdfast-lab" holdfast-lab 8
program "$fence/fence_holdfast_scsi" fence_holdfast_scsi 8
program "$ocf/resource.d/holdfast/VirtualMachine" ocf_holdfast_VirtualMachine 7
program "$ocf/resource.d/holdfast/SharedDisk" ocf_holdfast_SharedDisk 7
executable "$libexec/holdfast/holdfast-systemd-op"  # holdfastd's helper, not a user's: holdfastd(8)
file "$unitdir/holdfastd.service"
file "$datadir/bash-completion/completions/holdfast"

# Every page of man/ is installed, in its section.
for page in "$src"/man/*.[1-9]; do
    name=${page##*/}
    file "$mandir/man${name##*.}/$name"
done

# The links resource agents call: absolute, to the installed holdfast.
for tool in crm_attribute crm_master attrd_updater crm_node; do
    link=$dest$tools/$tool
    if [ ! -L "$link" ]; then
        fail "$tools/$tool is not a link"
    elif [ "$(readlink "$link")" != "$sbin/holdfast" ]; then
        fail "$tools/$tool points to $(readlink "$link"), not $sbin/holdfast"
    fi
done

# The unit starts the installed daemon.
if ! grep -qx "ExecStart=$sbin/holdfastd --foreground" "$dest$unitdir/holdfastd.service" 2>/dev/null; then
    fail "holdfastd.service does not start $sbin/holdfastd"
fi

# Nothing outside the expected roots (a stray absolute DESTINATION would land on the build machine
# when installed without DESTDIR).
while IFS= read -r path; do
    case $path in
        "$sbin"/* | "$libexec"/* | "$ocf"/* | "$fence"/* | "$unitdir"/* | "$mandir"/* | "$datadir"/* | "$tools"/*) ;;
        *) fail "unexpected installed file $path" ;;
    esac
done < <(cd "$dest" && find . ! -type d | sed 's/^\.//')

# The installed CLI runs.
if ! out=$("$dest$sbin/holdfast" --version); then
    fail "holdfast --version failed"
elif [ "$out" != "holdfast $version" ]; then
    fail "holdfast --version printed '$out', not 'holdfast $version'"
fi

[ "$failures" -eq 0 ] || exit 1
echo "install_tree: $(cd "$dest" && find . ! -type d | wc -l) files installed as expected"
