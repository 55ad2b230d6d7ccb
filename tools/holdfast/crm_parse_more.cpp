// crm text -> fencing topology and alerts.
#include <string>
#include <utility>
#include <vector>

#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {
namespace {

using attributes = std::vector<std::pair<std::string, std::string>>;

// node: | attr:NAME=VALUE | pattern:REGEX -> the level's target attributes.
bool target(const word& w, attributes& out) {
    const std::string& t = w.text;
    if (t.rfind("attr:", 0) == 0) {
        std::string spec = t.substr(5);
        if (!spec.empty() && spec.back() == ':') spec.pop_back();
        auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0) return false;
        out = {{"target-attribute", spec.substr(0, eq)}, {"target-value", spec.substr(eq + 1)}};
        return true;
    }
    if (t.rfind("pattern:", 0) == 0) {
        std::string re = t.substr(8);
        if (!re.empty() && re.back() == ':') re.pop_back();
        out = {{"target-pattern", re}};
        return !re.empty();
    }
    out = {{"target", t.substr(0, t.size() - 1)}};
    return t.size() > 1 && t.back() == ':';
}

bool is_target(const word& w) {
    return w.text.rfind("attr:", 0) == 0 || w.text.rfind("pattern:", 0) == 0 ||
           (w.text.size() > 1 && w.text.back() == ':');
}

struct target_levels {
    attributes target;
    word at;
    std::vector<std::string> devices;  // one entry per level
};

// Without a target first, the levels are every node's (as crmsh does).
expected<std::vector<target_levels>, std::string> every_node(reader& r, builder& b) {
    std::vector<target_levels> plan;
    for (xmlNode* n = b.section("nodes")->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE) plan.push_back({{{"target", get_attr(n, "uname")}}, *r.peek(), {}});
    if (plan.empty())
        return unexpected(error_at(*r.peek(), "no nodes to fence (expected a target: NODE:, attr:N=V or pattern:RE)"));
    return plan;
}

}  // namespace

// fencing_topology [TARGET] DEVICE[,DEVICE...] ... : each group of devices is
// a level (index 1, 2... per target). The statement stands for the whole
// topology.
result read_fencing_topology(reader& r, builder& b) {
    xmlNode* section = b.section("fencing-topology");
    if (section->children && b.mode() == crm_mode::create)
        return unexpected(error_at(r.keyword(), "a fencing topology exists (expected `configure load update`)"));
    if (r.done()) return unexpected(error_at(r.end(), "missing the levels (expected [TARGET:] DEVICE[,DEVICE]...)"));
    const bool for_all = !is_target(*r.peek());
    std::vector<target_levels> plan;
    if (for_all) {
        auto all = every_node(r, b);
        if (!all) return unexpected(all.error());
        plan = std::move(*all);
    }
    while (!r.done()) {
        const word& w = r.take();
        if (is_target(w)) {
            attributes t;
            if (for_all || !target(w, t))
                return unexpected(error_at(w, "not a target here (expected NODE:, attr:N=V or pattern:RE first)"));
            plan.push_back({t, w, {}});
        } else if (w.text.front() == ',' || w.text.back() == ',' || is_pair(w)) {
            return unexpected(error_at(w, "not a list of devices (expected DEVICE[,DEVICE...])"));
        } else {
            for (size_t i = for_all ? 0 : plan.size() - 1; i < plan.size(); ++i) plan[i].devices.push_back(w.text);
        }
    }
    for (const auto& p : plan)
        if (p.devices.empty()) return unexpected(error_at(p.at, "a target without devices (expected DEVICE[,...])"));
    while (xmlNode* old = section->children) b.remove(old);
    for (const auto& p : plan) {
        for (size_t i = 0; i < p.devices.size(); ++i) {
            xmlNode* l = add_child(section, b.element("fencing-level", b.new_id("fencing")));
            for (const auto& [name, value] : p.target) set_attr(l, name.c_str(), value);
            set_attr(l, "index", std::to_string(i + 1));
            set_attr(l, "devices", p.devices[i]);
        }
    }
    return {};
}

namespace {

// attributes / meta blocks of an alert or a recipient
bool alert_sets(reader& r, builder& b, xmlNode* owner) {
    if (!r.peek()) return false;
    std::string id = get_attr(owner, "id");
    if (r.peek()->text == "attributes") {
        r.take();
        read_nvpairs(r, b, owner, "instance_attributes", id + "-instance_attributes");
        return true;
    }
    if (r.peek()->text == "meta") {
        r.take();
        read_nvpairs(r, b, owner, "meta_attributes", id + "-meta_attributes");
        return true;
    }
    return false;
}

result alert_select(reader& r, builder& b, xmlNode* alert) {
    xmlNode* select = add_child(alert, b.element("select"));
    for (const word* w = r.peek(); w; w = r.peek()) {
        if (w->text == "nodes" || w->text == "fencing" || w->text == "resources") {
            add_child(select, b.element(("select_" + r.take().text).c_str()));
        } else if (w->text == "attributes") {
            r.take();
            xmlNode* attrs = add_child(select, b.element("select_attributes"));
            if (!r.peek() || r.peek()->text != "{")
                return unexpected(error_at(r.done() ? r.end() : *r.peek(), "missing '{' (expected { NAME... })"));
            r.take();
            for (;;) {
                auto a = r.need("'}' (expected { NAME... })");
                if (!a) return unexpected(a.error());
                if (a->text == "}") break;
                xmlNode* e = add_child(attrs, b.element("attribute", b.new_id(get_attr(alert, "id") + "-" + a->text)));
                set_attr(e, "name", a->text);
            }
        } else {
            break;
        }
    }
    if (!select->children)
        return unexpected(error_at(r.done() ? r.end() : *r.peek(),
                                   "nothing selected (expected nodes, fencing, resources or attributes { ... })"));
    return {};
}

result alert_recipient(reader& r, builder& b, xmlNode* alert) {
    bool braces = r.peek() && r.peek()->text == "{";
    if (braces) r.take();
    auto to = r.need("the recipient");
    if (!to) return unexpected(to.error());
    xmlNode* rec = add_child(alert, b.element("recipient", b.new_id(get_attr(alert, "id") + "-recipient")));
    set_attr(rec, "value", to->text);
    while (alert_sets(r, b, rec)) {
    }
    if (braces) {
        auto close = r.need("'}'");
        if (!close) return unexpected(close.error());
        if (close->text != "}")
            return unexpected(error_at(*close, "unexpected word (expected attributes, meta or '}')"));
    }
    return {};
}

}  // namespace

// alert ID PATH [description=TEXT] [attributes ...] [meta ...] [select ...] [to [{] RECIPIENT ... [}]]...
result read_alert(reader& r, builder& b) {
    auto id = r.need("the alert's id");
    if (!id) return unexpected(id.error());
    if (auto ok = b.claim_id(*id, "alert"); !ok) return ok;
    auto path = r.need("the alert agent's path");
    if (!path) return unexpected(path.error());
    if (is_pair(*path)) return unexpected(error_at(*path, "not a path (expected the alert agent's path)"));
    xmlNode* a = b.element("alert", id->text);
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> hold(a, xmlFreeNode);
    if (r.peek() && is_pair(*r.peek()) && split_pair(*r.peek()).first == "description")
        set_attr(a, "description", split_pair(r.take()).second);
    set_attr(a, "path", path->text);
    while (!r.done()) {
        if (alert_sets(r, b, a)) continue;
        const word& w = r.take();
        if (w.text == "select") {
            if (auto ok = alert_select(r, b, a); !ok) return ok;
        } else if (w.text == "to") {
            if (auto ok = alert_recipient(r, b, a); !ok) return ok;
        } else {
            return unexpected(error_at(w, "unknown keyword (expected attributes, meta, select or to)"));
        }
    }
    b.place(hold.release(), "alerts");
    return {};
}

}  // namespace holdfast::tools::crmp
