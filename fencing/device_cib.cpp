// Fence devices from the CIB's stonith primitives (device.hpp).
#include "fencing/device.hpp"

namespace holdfast::fencing {
namespace {

const cib::resource* find_primitive(const std::vector<cib::resource>& rs, const std::string& id) {
    for (const auto& r : rs) {
        if (r.kind == cib::resource_kind::primitive && r.id == id) return &r;
        if (const auto* inner = find_primitive(r.children, id)) return inner;
    }
    return nullptr;
}

}  // namespace

result<device> device_from_resource(const cib::resource& r) {
    if (r.kind != cib::resource_kind::primitive || r.rclass != "stonith")
        return unexpected(error{errc::bad_config, "resource '" + r.id + "' is not a stonith primitive"});
    device d{r.id, r.type, {}, false};
    for (const auto& set : r.instance) {
        if (!set.rules.empty()) continue;
        for (const auto& p : set.pairs) d.params.emplace(p.name, p.value);  // the first set to name it wins
    }
    // Pacemaker takes provides from the meta attributes and, older style, from the parameters
    auto provides = d.params.find("provides");
    d.provides_unfencing = provides != d.params.end() && provides->second == "unfencing";
    for (const auto& set : r.meta)
        for (const auto& p : set.pairs)
            if (p.name == "provides" && p.value == "unfencing") d.provides_unfencing = true;
    return d;
}

result<device> find_device(const cib::cib_model& cib, const std::string& id) {
    const auto* r = find_primitive(cib.resources, id);
    if (!r) return unexpected(error{errc::bad_config, "no resource '" + id + "' in the CIB"});
    return device_from_resource(*r);
}

}  // namespace holdfast::fencing
