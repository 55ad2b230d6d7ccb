#pragma once
// libvirt's C API as Holdfast uses it: owned handles (a connection, a domain)
// and libvirt's thread-local last error turned into a value right where a
// call fails, so errors travel as values and libvirt prints nothing itself.
//
// Lifecycle: quiet() once per process before the first call; a connection
// outlives the domains looked up on it (a domain holds a reference to its
// connection, so freeing in either order is safe). Handles may be used from
// several threads (libvirt's objects are thread safe); the last error is per
// thread, so last_error() belongs on the thread of the failing call.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <memory>
#include <string>

#include "cib/expected.hpp"

namespace holdfast::ra::virt {

struct error {
    int code = VIR_ERR_OK;  // virErrorNumber (VIR_ERR_NO_DOMAIN, VIR_ERR_RPC, ...)
    std::string message;
};

template <typename T>
using result = holdfast::expected<T, error>;
using holdfast::unexpected;

// The failure of the call this thread made last, with `what` in front. Take
// it right after the failing call: every public libvirt function (even
// virDomainGetName) clears the last error first.
inline error last_error(const std::string& what) {
    const virErrorPtr e = virGetLastError();
    error out;
    out.code = e ? e->code : VIR_ERR_INTERNAL_ERROR;
    out.message = what + ": " + (e && e->message ? e->message : "unknown libvirt error");
    virResetLastError();
    return out;
}

// libvirt's default error handler prints every error to stderr; an agent's
// stderr carries its exit reason, so only our own lines may go there.
inline void quiet() {
    virSetErrorFunc(nullptr, [](void*, virErrorPtr) {});
}

struct connection_close {
    void operator()(virConnectPtr c) const { virConnectClose(c); }
};
struct domain_free {
    void operator()(virDomainPtr d) const { virDomainFree(d); }
};
using connection = std::unique_ptr<virConnect, connection_close>;
using domain = std::unique_ptr<virDomain, domain_free>;

inline result<connection> open(const std::string& uri) {
    connection c(virConnectOpen(uri.c_str()));
    if (!c) return unexpected(last_error("cannot connect to " + uri));
    return c;
}

// An absent domain is an error with code VIR_ERR_NO_DOMAIN.
inline result<domain> lookup(virConnectPtr c, const std::string& name) {
    domain d(virDomainLookupByName(c, name.c_str()));
    if (!d) return unexpected(last_error("cannot look up domain " + name));
    return d;
}

struct domain_state {
    int state = VIR_DOMAIN_NOSTATE;  // virDomainState (VIR_DOMAIN_RUNNING, VIR_DOMAIN_SHUTOFF, ...)
    int reason = 0;                  // per state (virDomainPausedReason, ...)
};

// A transient domain that has just stopped is gone: VIR_ERR_NO_DOMAIN.
inline result<domain_state> state(virDomainPtr d) {
    const char* name = virDomainGetName(d);
    const std::string what = std::string("cannot read the state of domain ") + (name ? name : "?");
    domain_state s;
    if (virDomainGetState(d, &s.state, &s.reason, 0) < 0) return unexpected(last_error(what));
    return s;
}

}  // namespace holdfast::ra::virt
