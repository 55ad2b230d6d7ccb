#!/usr/bin/env python3
"""The lab's qemu guest: a Debian kernel and a busybox initramfs, no disk image, no network.

`ensure_guest(cache_dir)` makes CACHE/vmlinux and CACHE/initramfs.gz once (later calls reuse them):
the kernel from `apt-get download linux-image-6.1.0-N-amd64` (the version linux-image-amd64 depends on),
uncompressed from its bzImage, and busybox from `apt-get download busybox-static`, both unpacked with
dpkg-deb and installed nowhere.
The initramfs is written here (cpio "newc"), so neither cpio nor busybox is needed on the host.

The guest's /init prints one line per second on its serial console:
    holdfast-guest boot=BOOT_ID uptime=SECONDS
BOOT_ID is the kernel's random boot id: a live-migrated guest keeps printing the same id with a growing
uptime on its new node, a rebooted one prints a new id from a small uptime. The guest ignores ACPI
shutdown requests (nothing listens for the power button), so the lab's VirtualMachine resources set a
short shutdown_timeout: a stop then destroys the domain after it.

Run as a script: `vm_guest.py CACHE_DIR` builds the files and prints their paths.
"""
import glob
import gzip
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

INIT = """#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
boot=$(/bin/busybox cat /proc/sys/kernel/random/boot_id)
while true; do
  read up idle < /proc/uptime
  echo "holdfast-guest boot=$boot uptime=$up" > /dev/ttyS0
  /bin/busybox sleep 1
done
"""


def _newc_entry(name, mode, data=b"", rdev=(0, 0), ino=1):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    header = b"070701" + b"".join(f"{v:08x}".encode() for v in fields)
    out = header + name_b
    out += b"\0" * ((4 - len(out) % 4) % 4)
    out += data
    out += b"\0" * ((4 - len(data) % 4) % 4)
    return out


def write_initramfs(busybox, path):
    """A gzip'd newc archive with /init, /bin/busybox and /dev/console (the kernel opens it for init)."""
    with open(busybox, "rb") as f:
        bb = f.read()
    entries = [
        ("dev", 0o040755, b"", (0, 0)),
        ("dev/console", 0o020600, b"", (5, 1)),
        ("bin", 0o040755, b"", (0, 0)),
        ("bin/busybox", 0o100755, bb, (0, 0)),
        ("init", 0o100755, INIT.encode(), (0, 0)),
        ("proc", 0o040755, b"", (0, 0)),
        ("sys", 0o040755, b"", (0, 0)),
    ]
    blob = b"".join(_newc_entry(n, m, d, r, i + 1) for i, (n, m, d, r) in enumerate(entries))
    blob += _newc_entry("TRAILER!!!", 0, ino=0)
    tmp = path + ".tmp"
    with gzip.open(tmp, "wb") as f:
        f.write(blob)
    os.rename(tmp, path)


def _kernel_package():
    """linux-image-6.1.0-N-amd64: what Debian's linux-image-amd64 depends on now."""
    out = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        word = line.split(":", 1)[-1].strip()
        if "Depends" in line and word.startswith("linux-image-"):
            return word
    return None


def _download_and_unpack(package, member, into):
    """apt-get download PACKAGE into a scratch directory and extract one file of it to INTO."""
    with tempfile.TemporaryDirectory() as work:
        p = subprocess.run(["apt-get", "download", package], cwd=work, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"apt-get download {package}: {p.stderr.strip()}")
        deb = glob.glob(os.path.join(work, "*.deb"))[0]
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        x = subprocess.run(["tar", "-x", "-C", work, "--wildcards", member], stdin=tar.stdout, capture_output=True)
        tar.wait()
        found = glob.glob(os.path.join(work, member))
        if x.returncode != 0 or not found:
            raise RuntimeError(f"{package} has no {member}")
        shutil.copy(found[0], into + ".tmp")
        os.rename(into + ".tmp", into)


def write_vmlinux(vmlinuz, path):
    """The ELF kernel inside a bzImage (Debian's are xz-compressed). qemu boots it through its PVH entry
    point, which skips decompressing the kernel under TCG: about 15 s less per boot here."""
    with open(vmlinuz, "rb") as f:
        data = f.read()
    at = data.find(b"\xfd7zXZ\x00")
    if at < 0:
        raise RuntimeError(f"{vmlinuz} is not an xz-compressed bzImage")
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[at:])
    if not elf.startswith(b"\x7fELF"):
        raise RuntimeError(f"{vmlinuz} holds no ELF kernel")
    with open(path + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(path + ".tmp", path)


def ensure_guest(cache_dir):
    """(kernel, initramfs) paths under cache_dir, made when missing; RuntimeError when they cannot be."""
    os.makedirs(cache_dir, exist_ok=True)
    vmlinuz = os.path.join(cache_dir, "vmlinuz")
    kernel = os.path.join(cache_dir, "vmlinux")
    initramfs = os.path.join(cache_dir, "initramfs.gz")
    busybox = os.path.join(cache_dir, "busybox")
    if not os.path.exists(vmlinuz):
        package = _kernel_package()
        if package is None:
            raise RuntimeError("apt-cache knows no linux-image-amd64 (run apt-get update)")
        _download_and_unpack(package, "./boot/vmlinuz-*", vmlinuz)
    if not os.path.exists(kernel):
        write_vmlinux(vmlinuz, kernel)
    if not os.path.exists(busybox):
        _download_and_unpack("busybox-static", "./bin/busybox", busybox)
    if not os.path.exists(initramfs):
        write_initramfs(busybox, initramfs)
    return kernel, initramfs


def domain_xml(name, kernel, initramfs, console):
    """A 128 MiB TCG domain booting kernel+initramfs, its serial console appended to `console` (a path
    resolved on the node that runs the domain)."""
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initramfs}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'>
      <source path='{console}' append='on'/>
    </serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
"""


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: vm_guest.py CACHE_DIR")
    print("\n".join(ensure_guest(sys.argv[1])))
