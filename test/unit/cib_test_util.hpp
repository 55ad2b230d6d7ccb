#pragma once
// Helpers shared by the cib/ change and store tests.
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cib/cib.hpp"
#include "cib/xml.hpp"

namespace holdfast::test {

namespace cib = holdfast::cib;

// A CIB with two nodes, two resources and a constraint between them.
inline std::string two_node_cib() {
    return "<cib validate-with=\"pacemaker-3.9\" epoch=\"7\" num_updates=\"3\" admin_epoch=\"0\" "
           "crm_feature_set=\"3.16.1\">\n"
           "  <configuration>\n"
           "    <crm_config>\n"
           "      <cluster_property_set id=\"cib-bootstrap-options\">\n"
           "        <nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"/>\n"
           "      </cluster_property_set>\n"
           "    </crm_config>\n"
           "    <nodes>\n"
           "      <node id=\"1\" uname=\"node1\"/>\n"
           "      <node id=\"2\" uname=\"node2\"/>\n"
           "    </nodes>\n"
           "    <resources>\n"
           "      <primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n"
           "        <meta_attributes id=\"d1-meta\">\n"
           "          <nvpair id=\"d1-meta-target-role\" name=\"target-role\" value=\"Started\"/>\n"
           "        </meta_attributes>\n"
           "      </primitive>\n"
           "      <primitive id=\"d2\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>\n"
           "    </resources>\n"
           "    <constraints>\n"
           "      <rsc_colocation id=\"d2-with-d1\" rsc=\"d2\" with-rsc=\"d1\" score=\"INFINITY\"/>\n"
           "    </constraints>\n"
           "  </configuration>\n"
           "  <status/>\n"
           "</cib>\n";
}

inline cib::document load_ok(const std::string& text) {
    auto doc = cib::load_string(text);
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    return std::move(*doc);
}

// An attribute of the <cib> element.
inline std::string cib_attr(const cib::document& doc, const char* name) {
    return cib::xml::attr(xmlDocGetRootElement(static_cast<xmlDoc*>(doc.xml())), name);
}

// A fresh directory under TMPDIR, removed with everything in it.
class temp_dir {
public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "holdfast-cib-XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// Pacemaker's own checker, the oracle; "" when it is not installed.
inline std::string crm_verify() {
    for (const char* p : {"/usr/sbin/crm_verify", "/usr/bin/crm_verify"})
        if (std::filesystem::exists(p)) return p;
    return "";
}

// crm_verify -x FILE's exit status (0: accepted).
inline int crm_verify_status(const std::string& file) {
    const std::string cmd = crm_verify() + " -x '" + file + "' >/dev/null 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace holdfast::test
