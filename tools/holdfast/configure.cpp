// holdfast configure: change and show holdfastd's configuration, crm-like.
// Every change is one cib::change sent as a cib_change request; the daemon
// answers once it is applied.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cib/secrets.hpp"
#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/crm_parse.hpp"
#include "tools/holdfast/crm_text.hpp"
#include "tools/holdfast/daemon_call.hpp"
#include "tools/holdfast/output_format.hpp"
#include "tools/holdfast/verify.hpp"
#include "tools/holdfast/xml_json.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* configure_usage =
    "usage: holdfast configure load replace|update FILE [--socket NAME]   (FILE: CIB XML or crm text)\n"
    "       holdfast configure primitive|rsc_template|group|clone|ms|location|colocation|order|rsc_ticket|\n"
    "                          rsc_defaults|op_defaults|fencing_topology|alert|node ... [--socket NAME]\n"
    "       holdfast configure delete ID... [--socket NAME]\n"
    "       holdfast configure rename OLD NEW [--socket NAME]\n"
    "       holdfast configure property NAME=VALUE [NAME=VALUE...] [--socket NAME]\n"
    "       holdfast configure property --delete NAME [--socket NAME]\n"
    "       holdfast configure show [--xml] [--output-as=text|xml|json] [--socket NAME]\n"
    "       holdfast configure verify [--output-as=text|xml|json] [--socket NAME]\n"
    "       holdfast configure edit [--socket NAME]   ($VISUAL, $EDITOR or vi on the crm text)\n";

int usage_error(const std::string& what) {
    std::fprintf(stderr, "holdfast configure: %s\n%s", what.c_str(), configure_usage);
    return exit_usage;
}

struct doc_deleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

std::string dump(xmlDoc* doc, xmlNode* n) {
    std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buf(xmlBufferCreate(), xmlBufferFree);
    xmlNodeDump(buf.get(), doc, n, 0, 1);
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())), xmlBufferLength(buf.get()));
}

// The file's root element as text, checked locally so that a file that is not
// XML, or not a CIB or configuration, is reported here with its line and
// nothing reaches the daemon.
expected<std::string, std::string> read_configuration_file(const std::string& file) {
    std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctxt) return unexpected(std::string("out of memory"));
    doc_ptr doc(xmlCtxtReadFile(ctxt.get(), file.c_str(), nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS));
    if (!doc) {
        const xmlError* e = xmlCtxtGetLastError(ctxt.get());
        std::string msg = e && e->message ? e->message : "cannot read the file";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        if (e && e->line > 0) return unexpected(file + ":" + std::to_string(e->line) + ": " + msg);
        return unexpected(file + ": " + msg);
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    std::string name = root ? reinterpret_cast<const char*>(root->name) : "";
    if (name != "cib" && name != "configuration")
        return unexpected(file + ": expected a <cib> or <configuration> element, not <" + name + ">");
    return dump(doc.get(), root);
}

int send_one(const char* cmd, const std::string& ipc, cib::change c) {
    auto r = send_change(ipc, std::move(c));
    return r ? 0 : report(cmd, r.error());
}

// crm text applied to the daemon's configuration (to an empty one for a
// replace) and sent as one replace-configuration change; a parse error
// sends nothing. `where` prefixes errors ("FILE: ").
int apply_crm(const std::string& cmd, const std::string& ipc, const std::string& text, const std::string& where,
              bool replace, crm_mode mode) {
    std::optional<cib::document> read;
    if (!replace) {
        auto doc = query_cib(cmd.c_str(), ipc);
        if (!doc) return doc.error();
        read = std::move(*doc);
    }
    auto parsed = parse_crm_configuration(text, read ? configuration_of(*read) : "", mode);
    if (!parsed) {
        std::fprintf(stderr, "holdfast %s: %s%s\n", cmd.c_str(), where.c_str(), parsed.error().c_str());
        return exit_error;
    }
    // edited from what was read: refused if the configuration changed meanwhile
    if (read) return replace_read_configuration(cmd.c_str(), ipc, *read, std::move(*parsed));
    return send_one(cmd.c_str(), ipc, cib::change::replace_configuration(std::move(*parsed)));
}

// configure delete ID... / rename OLD NEW: the daemon's configuration edited
// here and sent back whole.
int configure_edit(const args& a, const std::string& ipc) {
    if (a[0] == "delete" && a.size() < 2) return usage_error("delete needs the id of an object");
    if (a[0] == "rename" && a.size() != 3) return usage_error("rename needs the old and the new id");
    std::string cmd = "configure " + a[0];
    auto doc = query_cib(cmd.c_str(), ipc);
    if (!doc) return doc.error();
    std::string base = configuration_of(*doc);
    auto edited =
        a[0] == "delete" ? delete_crm_objects(base, args(a.begin() + 1, a.end())) : rename_crm_object(base, a[1], a[2]);
    if (!edited) {
        std::fprintf(stderr, "holdfast %s: %s\n", cmd.c_str(), edited.error().c_str());
        return exit_error;
    }
    return replace_read_configuration(cmd.c_str(), ipc, *doc, std::move(*edited));
}

int configure_load(const args& a, const std::string& ipc) {
    if (a.size() != 3) return usage_error("load needs replace|update and a FILE");
    if (a[1] != "replace" && a[1] != "update") return usage_error("unknown load method '" + a[1] + "'");
    std::ifstream in(a[2]);
    std::stringstream text;
    if (in) text << in.rdbuf();
    if (in && text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
        std::fprintf(stderr, "holdfast configure load: %s: empty (expected crm configure text or XML)\n", a[2].c_str());
        return exit_error;
    }
    if (in && looks_like_crm_text(text.str()))
        return apply_crm("configure load", ipc, text.str(), a[2] + ": ", a[1] == "replace", crm_mode::update);
    auto xml = read_configuration_file(a[2]);
    if (!xml) {
        std::fprintf(stderr, "holdfast configure load: %s\n", xml.error().c_str());
        return exit_error;
    }
    auto c = a[1] == "replace" ? cib::change::replace_configuration(std::move(*xml))
                               : cib::change::update_configuration(std::move(*xml));
    return send_one("configure load", ipc, std::move(c));
}

int configure_property(const args& a, const std::string& ipc) {
    if (a.size() == 3 && a[1] == "--delete")
        return send_one("configure property", ipc, cib::change::delete_property(a[2]));
    if (a.size() < 2) return usage_error("property needs NAME=VALUE");
    for (size_t i = 1; i < a.size(); ++i) {  // all well-formed before any is sent
        auto eq = a[i].find('=');
        if (eq == std::string::npos || eq == 0) return usage_error("not NAME=VALUE: '" + a[i] + "'");
    }
    for (size_t i = 1; i < a.size(); ++i) {
        auto eq = a[i].find('=');
        int rc =
            send_one("configure property", ipc, cib::change::set_property(a[i].substr(0, eq), a[i].substr(eq + 1)));
        if (rc != 0) return rc;
    }
    return exit_ok;
}

// text: crm shell statements; xml: the <configuration> section; json: that
// section through xml_to_json
int configure_show(const args& a, const std::string& ipc) {
    output_format f = output_format::text;
    for (size_t i = 1; i < a.size(); ++i) {
        std::string error;
        if (a[i] == "--xml")
            f = output_format::xml;
        else if (!take_output_option(a, i, f, error))
            return usage_error("unknown show option '" + a[i] + "'");
        if (!error.empty()) return usage_error(error);
    }
    auto doc = query_cib("configure show", ipc);
    if (!doc) return doc.error();
    // secrets masked (cib/secrets.hpp): loading this text back would set them to "*****",
    // which `configure load` refuses for a secret parameter; masked before JSON, which
    // the masker cannot read
    std::string out =
        cib::mask_secrets(f == output_format::text ? format_crm_configuration(*doc) : configuration_of(*doc) + "\n");
    if (f == output_format::json) {
        auto json = xml_to_json(out);
        if (!json) return report("configure show", {daemon::errc::bad_request, json.error()});
        out = std::move(*json);
    }
    std::fputs(out.c_str(), stdout);
    return flushed_stdout();
}

int configure_verify(const args& a, const std::string& ipc) {
    output_format f = output_format::text;
    for (size_t i = 1; i < a.size(); ++i) {
        std::string bad;
        if (!take_output_option(a, i, f, bad)) return usage_error("verify takes no argument '" + a[i] + "'");
        if (!bad.empty()) return usage_error(bad);
    }
    auto xml = ask_daemon(ipc, daemon::request_type::cib_query);
    if (!xml) return report("configure verify", xml.error());
    // the same loading, checks and documents `holdfast verify -x` gives a file
    return report_verify("configure verify", cib::load_string(*xml, {}, "<holdfastd>"), "<holdfastd>", false, f);
}

// An argument as one crm word: a value with blanks or quotes is quoted again
// (the shell took the operator's quotes off).
std::string crm_word(const std::string& arg) {
    auto plain = [](const std::string& v) { return !v.empty() && v.find_first_of(" \t\n\"'\\#") == std::string::npos; };
    auto quoted = [](const std::string& v) {
        std::string out = "\"";
        for (char c : v) out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
        return out + "\"";
    };
    if (plain(arg)) return arg;
    auto eq = arg.find('=');
    if (eq != std::string::npos && eq > 0 && plain(arg.substr(0, eq)))
        return arg.substr(0, eq + 1) + quoted(arg.substr(eq + 1));
    return quoted(arg);
}

bool is_crm_object(const std::string& word) {
    for (const char* k : {"primitive", "rsc_template", "group", "clone", "ms", "location", "colocation", "order",
                          "rsc_ticket", "rsc_defaults", "op_defaults", "fencing_topology", "alert", "node"})
        if (word == k) return true;
    return false;
}

// `configure primitive ...`: the arguments as one crm statement, which must
// make a new object.
int configure_object(const args& a, const std::string& ipc) {
    std::string line;
    for (const auto& w : a) line += (line.empty() ? "" : " ") + crm_word(w);
    return apply_crm("configure " + a[0], ipc, line + "\n", "", false, crm_mode::create);
}

}  // namespace

int run_configure(const args& in) {
    std::string ipc = default_ipc_name();
    args a;
    for (size_t i = 0; i < in.size(); ++i)
        if (!take_ipc_option(in, i, ipc)) a.push_back(in[i]);
    if (a.empty()) return usage_error("missing subcommand");
    if (a[0] == "load") return configure_load(a, ipc);
    if (a[0] == "property") return configure_property(a, ipc);
    if (a[0] == "show") return configure_show(a, ipc);
    if (a[0] == "verify") return configure_verify(a, ipc);
    if (is_crm_object(a[0])) return configure_object(a, ipc);
    if (a[0] == "delete" || a[0] == "rename") return configure_edit(a, ipc);
    if (a[0] == "edit") return run_configure_edit(a, ipc);
    return usage_error("unknown subcommand '" + a[0] + "'");
}

}  // namespace holdfast::tools
