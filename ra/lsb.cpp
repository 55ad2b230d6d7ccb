// LSB init scripts (see lsb.hpp).
#include "ra/lsb.hpp"

#include <cstdlib>
#include <sstream>

#include "ra/ocf.hpp"

namespace holdfast::ra {
namespace {

std::string xml_text(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else if (c == '&')
            out += "&amp;";
        else
            out += c;
    }
    return out;
}

// The value of "# Key: value" in the LSB header (continuation lines of
// Description start with "#" and two spaces or a tab, per the LSB spec).
std::string header_field(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string line, value;
    bool inside = false, in_field = false;
    while (std::getline(in, line)) {
        if (line.rfind("### BEGIN INIT INFO", 0) == 0) inside = true;
        if (line.rfind("### END INIT INFO", 0) == 0) break;
        if (!inside) continue;
        const std::string prefix = "# " + key + ":";
        if (line.rfind(prefix, 0) == 0) {
            value = line.substr(prefix.size());
            in_field = true;
        } else if (const auto text = line.find_first_not_of("# \t");
                   in_field && text != std::string::npos && (line.rfind("#  ", 0) == 0 || line.rfind("#\t", 0) == 0)) {
            value += " " + line.substr(text);
        } else {
            in_field = false;
        }
    }
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
}

}  // namespace

std::string lsb_root() {
    const char* env = std::getenv("HOLDFAST_LSB_DIR");
    return env && *env ? env : "/etc/init.d";
}

std::string lsb_script_path(const std::string& type) { return lsb_root() + "/" + type; }

std::string lsb_verb(const std::string& action) {
    if (action == "monitor" || action == "status") return "status";
    if (action == "start" || action == "stop" || action == "restart") return action;
    return "";
}

int lsb_to_ocf(const std::string& action, int status) {
    if (lsb_verb(action) == "status") {
        switch (status) {
            case 0: return static_cast<int>(ocf_rc::success);
            case 1:  // dead, pid file remains
            case 2:  // dead, lock file remains
            case 3: return static_cast<int>(ocf_rc::not_running);
            case 150: return static_cast<int>(ocf_rc::not_installed);  // LSB's application-specific codes
            case 151: return static_cast<int>(ocf_rc::insufficient_priv);
            default: return static_cast<int>(ocf_rc::error);
        }
    }
    return status >= 0 && status <= 7 ? status : static_cast<int>(ocf_rc::error);
}

std::string lsb_meta_data(const std::string& type, const std::string& script_text) {
    const std::string shortdesc = header_field(script_text, "Short-Description");
    std::string longdesc = header_field(script_text, "Description");
    if (longdesc.empty()) longdesc = shortdesc;
    std::string out = "<?xml version=\"1.0\"?>\n<resource-agent name=\"" + xml_text(type) + "\" version=\"1.0\">\n";
    out += "  <version>1.1</version>\n";
    out += "  <longdesc lang=\"en\">" + xml_text(longdesc) + "</longdesc>\n";
    out += "  <shortdesc lang=\"en\">" + xml_text(shortdesc) + "</shortdesc>\n";
    out += "  <parameters/>\n  <actions>\n";
    for (const char* a : {"start", "stop", "status", "restart"})
        out += std::string("    <action name=\"") + a + "\" timeout=\"15s\"/>\n";
    out += "    <action name=\"monitor\" timeout=\"15s\" interval=\"15s\"/>\n";
    out += "    <action name=\"meta-data\" timeout=\"5s\"/>\n  </actions>\n</resource-agent>\n";
    return out;
}

}  // namespace holdfast::ra
