# `cpack -G DEB` in the build directory: one package, holdfast, with everything `cmake --install`
# installs. The package_deb test (test/install/deb_package.sh) installs it with apt-get.
set(CPACK_PACKAGE_NAME holdfast)
set(CPACK_PACKAGE_VENDOR "Holdfast")
set(CPACK_PACKAGE_CONTACT "Holdfast developers <holdfast@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Pacemaker-compatible high-availability cluster stack")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "holdfastd keeps a replicated CIB over Corosync, schedules resources as Pacemaker does and\n"
  "fences lost nodes. holdfast is its command line. Includes the OCF agents\n"
  "ocf:holdfast:VirtualMachine and ocf:holdfast:SharedDisk and the fence agent\n"
  "fence_holdfast_scsi.")
set(CPACK_GENERATOR DEB)

# The paths compiled into the binaries (agent tools, libexec helper) are under CMAKE_INSTALL_PREFIX:
# the package installs there too. Some destinations are absolute (/usr/lib/ocf, /lib/systemd/system):
# the DESTDIR mechanism stages them under the package root rather than on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# A RelWithDebInfo build's binaries are mostly debug information (130 MB installed); the package
# carries them stripped.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries (libqb, libxml2, libvirt0, libsgutils2, libiscsi, libsystemd0, Corosync's client
# libraries, libstdc++) come from dpkg-shlibdeps on the staged binaries, so they match what the
# binaries actually link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Run time, beyond the libraries:
# - corosync: holdfastd.service Requires= corosync.service; the cluster's messaging and quorum.
# - pacemaker-common: the CIB's RelaxNG schemas (cib/ validates against them), and its postinst
#   makes the haclient group that holdfastd's IPC admits.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "corosync, pacemaker-common")
# Recommended, not required: Holdfast ships its own agents (ocf:holdfast:*, fence_holdfast_scsi), so
# a cluster of VMs on shared LUNs runs without these; most clusters want ocf:heartbeat:* (IPaddr2,
# Filesystem) and a power fence agent (fence_ipmilan), and fence-agents pulls in many Python modules
# that a SCSI-fenced cluster does not need.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "resource-agents, fence-agents")
# ocf:holdfast:VirtualMachine manages domains of a libvirtd.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libvirt-daemon-system")
# No maintainer scripts: installing the package neither enables nor starts holdfastd (a node needs
# /etc/corosync/corosync.conf first); `systemctl enable --now holdfastd` is the operator's step.

include(CPack)
