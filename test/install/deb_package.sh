#!/usr/bin/env bash
# Builds the .deb with `cpack -G DEB`, checks its control data (dependencies, no maintainer
# scripts), then installs it with `apt-get install ./holdfast.deb` (which pulls its dependencies),
# runs the installed `holdfast --version`, checks holdfastd was neither enabled nor started, and
# purges it again.
# The install happens in a copy-on-write overlay of / in a private mount namespace: this machine's
# dpkg database and /usr stay as they were (a lab may be using /usr/sbin/fence_holdfast_scsi), and
# everything is gone when the namespace ends, also on failure. Needs root; skips (77) otherwise.
# usage: deb_package.sh BUILD_DIR SBINDIR UNIT_DIR VERSION
set -euo pipefail
build=$1 sbin=$2 unitdir=$3 version=$4
if [ "$(id -u)" -ne 0 ]; then
    echo "deb_package: needs root (mount namespace, apt-get); skipped"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "deb_package: $*" >&2
    exit 1
}

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
debs=("$tmp"/pkg/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made ${#debs[@]} packages, not one"
deb=${debs[0]}

# Control data: name, version, the run-time dependencies, and no maintainer scripts (which could
# enable or start holdfastd on a machine without a Corosync configuration).
[ "$(dpkg-deb -f "$deb" Package)" = holdfast ] || fail "package is not named holdfast"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "version $(dpkg-deb -f "$deb" Version), not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for d in corosync pacemaker-common libqb100 libxml2 libvirt0 libsgutils2 libiscsi7 libsystemd0 libcpg4; do
    [[ ", $depends" == *", $d"* ]] || fail "Depends lacks $d: $depends"
done
recommends=$(dpkg-deb -f "$deb" Recommends)
for r in resource-agents fence-agents; do
    [[ ", $recommends" == *", $r"* ]] || fail "Recommends lacks $r: $recommends"
done
scripts=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -E '(pre|post)(inst|rm)$' || true)
[ -z "$scripts" ] || fail "the package has maintainer scripts: $scripts"

# The overlay: writes land in a tmpfs that exists only in this mount namespace.
cp "$deb" "$tmp/holdfast.deb"
cat >"$tmp/inside.sh" <<EOF
set -euo pipefail
sbin=$sbin unitdir=$unitdir version=$version
$(declare -f fail)
EOF
cat >>"$tmp/inside.sh" <<'EOF'
# no service starts during the install, whatever a dependency's scripts ask
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q /tmp/holdfast.deb >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; fail "apt-get install failed"; }
[ "$(dpkg-query -W -f='${Status}' holdfast)" = "install ok installed" ] || fail "holdfast not installed"
out=$("$sbin/holdfast" --version) || fail "$sbin/holdfast --version failed"
[ "$out" = "holdfast $version" ] || fail "$sbin/holdfast --version printed '$out'"
"$sbin/holdfastd" --version >/dev/null || fail "$sbin/holdfastd --version failed"
[ -f "$unitdir/holdfastd.service" ] || fail "$unitdir/holdfastd.service not installed"
# not enabled: no .wants link anywhere systemd looks
links=$(find /etc/systemd/system /run/systemd/system /lib/systemd/system -name holdfastd.service -path '*.wants/*' 2>/dev/null || true)
[ -z "$links" ] || fail "holdfastd is enabled: $links"
apt-get purge -y -q holdfast >/tmp/apt.log 2>&1 || { cat /tmp/apt.log >&2; fail "apt-get purge failed"; }
status=$(dpkg-query -W -f='${Status}' holdfast 2>/dev/null || true)
[[ $status != *" installed" ]] || fail "holdfast still installed ($status)"
[ ! -e "$sbin/holdfast" ] || fail "$sbin/holdfast left after purge"
[ ! -e "$unitdir/holdfastd.service" ] || fail "holdfastd.service left after purge"
echo "deb_package: installed with its dependencies, '$out', not enabled, purged"
EOF

unshare --mount --fork bash -s "$tmp" <<'EOF'
set -euo pipefail
tmp=$1
mount --make-rprivate /
mkdir "$tmp/ovl"
mount -t tmpfs tmpfs "$tmp/ovl"
mkdir "$tmp/ovl/upper" "$tmp/ovl/work" "$tmp/ovl/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/ovl/upper,workdir=$tmp/ovl/work" "$tmp/ovl/root"
root=$tmp/ovl/root
for d in proc sys dev; do mount --rbind "/$d" "$root/$d"; done
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cp "$tmp/holdfast.deb" "$tmp/inside.sh" "$root/tmp/"
exec chroot "$root" /bin/bash /tmp/inside.sh
EOF
