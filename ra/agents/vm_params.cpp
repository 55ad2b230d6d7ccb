// The VirtualMachine agent's parameters (see vm_params.hpp).
#include "ra/agents/vm_params.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <memory>

namespace holdfast::ra::vm {

namespace {

outcome not_configured(const std::string& why) { return {ocf_rc::not_configured, why}; }

// A whole number of seconds >= 0; nullopt when malformed.
std::optional<int64_t> seconds_to_ms(const std::string& text) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v > 86400) return std::nullopt;
    return v * 1000;
}

std::optional<int64_t> whole(const std::string& text) {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
    return v;
}

// The scheme of a libvirt URI ("qemu+ssh" of qemu+ssh://host/system); "" when
// the text is not shaped like one.
std::string scheme_of(const std::string& uri) {
    const auto colon = uri.find("://");
    if (colon == std::string::npos || colon == 0) return {};
    for (size_t i = 0; i < colon; ++i) {
        const unsigned char c = uri[i];
        if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return {};
    }
    return uri.substr(0, colon);
}

bool is_token(const std::string& s) {
    if (s.empty()) return false;
    for (const unsigned char c : s)
        if (!std::isalnum(c) && c != '-' && c != '_') return false;
    return true;
}

struct doc_free {
    void operator()(xmlDocPtr d) const { xmlFreeDoc(d); }
};
struct xml_free {
    void operator()(xmlChar* s) const { xmlFree(s); }
};
using xml_string = std::unique_ptr<xmlChar, xml_free>;

std::string text_of(xmlNodePtr n) {
    xml_string t(xmlNodeGetContent(n));
    return t ? reinterpret_cast<const char*>(t.get()) : "";
}

xmlNodePtr child(xmlNodePtr parent, const char* name) {
    for (xmlNodePtr n = parent->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0) return n;
    return nullptr;
}

// libvirt's memory units (domain XML "unit" attribute) in bytes; 0 unknown.
uint64_t unit_bytes(const std::string& unit) {
    if (unit.empty() || unit == "k" || unit == "KiB") return 1024;
    if (unit == "b" || unit == "bytes") return 1;
    if (unit == "KB") return 1000;
    if (unit == "M" || unit == "MiB") return 1024ull << 10;
    if (unit == "MB") return 1000ull * 1000;
    if (unit == "G" || unit == "GiB") return 1024ull << 20;
    if (unit == "GB") return 1000ull * 1000 * 1000;
    if (unit == "T" || unit == "TiB") return 1024ull << 30;
    if (unit == "TB") return 1000ull * 1000 * 1000 * 1000;
    return 0;
}

std::optional<uint64_t> memory_kib(xmlNodePtr memory) {
    xml_string unit(xmlGetProp(memory, BAD_CAST "unit"));
    const uint64_t scale = unit_bytes(unit ? reinterpret_cast<const char*>(unit.get()) : "");
    const auto amount = whole(text_of(memory));
    if (!scale || !amount) return std::nullopt;
    return static_cast<uint64_t>(*amount) * scale / 1024;
}

std::string value_of(const env_lookup& env, const std::string& name, const std::string& fallback = {}) {
    auto v = env(name);
    return v && !v->empty() ? *v : fallback;
}

// The numeric parameters; not_configured on a malformed one.
std::optional<outcome> load_numbers(const env_lookup& env, params& p) {
    if (const auto t = value_of(env, "shutdown_timeout"); !t.empty()) {
        const auto ms = seconds_to_ms(t);
        if (!ms) return not_configured("shutdown_timeout '" + t + "' is not a whole number of seconds");
        p.shutdown_timeout_ms = *ms;
    }
    if (const auto t = value_of(env, "hypervisor_timeout"); !t.empty()) {
        const auto ms = seconds_to_ms(t);
        if (!ms || *ms == 0)
            return not_configured("hypervisor_timeout '" + t + "' is not a positive number of seconds");
        p.hypervisor_timeout_ms = *ms;
    }
    if (const auto t = value_of(env, "CRM_meta_timeout"); !t.empty()) {
        const auto ms = whole(t);
        if (!ms) return not_configured("CRM_meta_timeout '" + t + "' is not a positive number of milliseconds");
        p.timeout_ms = *ms;
    }
    return std::nullopt;
}

std::optional<outcome> load_migration(const env_lookup& env, params& p) {
    p.migration_transport = value_of(env, "migration_transport", p.migration_transport);
    if (!is_token(p.migration_transport))
        return not_configured("migration_transport '" + p.migration_transport + "' is not a transport name");
    p.migration_uri = value_of(env, "migration_uri");
    if (!p.migration_uri.empty() && scheme_of(p.migration_uri).empty())
        return not_configured("migration_uri '" + p.migration_uri + "' is not a libvirt URI");
    p.migration_data_uri = value_of(env, "migration_data_uri");
    p.migrate_target = value_of(env, "CRM_meta_migrate_target");
    return std::nullopt;
}

}  // namespace

env_lookup process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(("OCF_RESKEY_" + name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

expected<domain_xml, outcome> read_domain_xml(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0)
        return unexpected(outcome{ocf_rc::not_installed, "config file " + path + " is not readable on this node"});
    std::unique_ptr<xmlDoc, doc_free> doc(
        xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    xmlNodePtr root = doc ? xmlDocGetRootElement(doc.get()) : nullptr;
    if (!root || xmlStrcmp(root->name, BAD_CAST "domain") != 0)
        return unexpected(not_configured("config file " + path + " is not a libvirt domain XML document"));
    domain_xml out;
    if (xmlNodePtr n = child(root, "name")) out.name = text_of(n);
    if (out.name.empty()) return unexpected(not_configured("config file " + path + " names no domain (<name>)"));
    if (xmlNodePtr n = child(root, "vcpu")) {
        const auto v = whole(text_of(n));
        if (!v) return unexpected(not_configured("config file " + path + " has a malformed <vcpu>"));
        out.vcpus = static_cast<unsigned>(*v);
    }
    if (xmlNodePtr n = child(root, "memory")) {
        const auto kib = memory_kib(n);
        if (!kib) return unexpected(not_configured("config file " + path + " has a malformed <memory>"));
        out.memory_kib = *kib;
    }
    return out;
}

expected<params, outcome> load(const env_lookup& env) {
    params p;
    p.config = value_of(env, "config");
    const std::string domain = value_of(env, "domain");
    if (p.config.empty() && domain.empty())
        return unexpected(not_configured("neither config (a domain XML file) nor domain (a defined domain) is set"));
    if (!p.config.empty()) {
        if (p.config.front() != '/') return unexpected(not_configured("config '" + p.config + "' is not absolute"));
        auto xml = read_domain_xml(p.config);
        if (!xml) return unexpected(xml.error());
        if (!domain.empty() && domain != xml->name)
            return unexpected(not_configured("domain '" + domain + "' is not the name in config (" + xml->name + ")"));
        p.name = xml->name;
    } else {
        p.name = domain;
    }
    p.hypervisor = value_of(env, "hypervisor", p.hypervisor);
    if (scheme_of(p.hypervisor).empty())
        return unexpected(not_configured("hypervisor '" + p.hypervisor + "' is not a libvirt URI"));
    if (auto bad = load_numbers(env, p)) return unexpected(*bad);
    if (auto bad = load_migration(env, p)) return unexpected(*bad);
    p.pid_dir = value_of(env, "pid_dir", default_pid_dir(p.hypervisor));
    return p;
}

std::string default_pid_dir(const std::string& uri) {
    const std::string scheme = scheme_of(uri);
    const std::string driver = scheme.substr(0, scheme.find('+'));
    const auto rest = uri.substr(scheme.size() + 3);
    const auto slash = rest.find('/');
    const std::string path = slash == std::string::npos ? "" : rest.substr(slash, rest.find('?') - slash);
    if (path != "/system") return {};
    if (driver == "qemu" || driver == "lxc") return "/run/libvirt/" + driver;
    return {};
}

std::string expand_node(const std::string& tmpl, const std::string& node) {
    std::string out;
    for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] == '%' && i + 1 < tmpl.size() && tmpl[i + 1] == 'n') {
            out += node;
            ++i;
        } else {
            out += tmpl[i];
        }
    }
    return out;
}

std::string destination_uri(const params& p, const std::string& node) {
    if (!p.migration_uri.empty()) return expand_node(p.migration_uri, node);
    // qemu:///system -> qemu+ssh://NODE/system: the driver and path of our
    // own URI, reached on the target through the chosen transport.
    const std::string scheme = scheme_of(p.hypervisor);
    const std::string driver = scheme.substr(0, scheme.find('+'));
    const auto rest = p.hypervisor.substr(scheme.size() + 3);
    const auto slash = rest.find('/');
    const std::string path = slash == std::string::npos ? "/system" : rest.substr(slash, rest.find('?') - slash);
    return driver + "+" + p.migration_transport + "://" + node + path;
}

}  // namespace holdfast::ra::vm
