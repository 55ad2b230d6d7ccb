// cib/: loading, schema checking, semantic checks and writing back.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cib/cib.hpp"
#include "cib/values.hpp"
#include "test/unit/status_compare.hpp"

namespace cib = holdfast::cib;

namespace {

std::string cib_with(const std::string& resources, const std::string& constraints = "",
                     const std::string& schema = "pacemaker-3.9") {
    return "<cib validate-with=\"" + schema +
           "\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">\n"
           "  <configuration>\n"
           "    <crm_config/>\n"
           "    <nodes><node id=\"1\" uname=\"node1\"/></nodes>\n"
           "    <resources>\n" +
           resources +
           "    </resources>\n"
           "    <constraints>\n" +
           constraints +
           "    </constraints>\n"
           "  </configuration>\n"
           "  <status/>\n"
           "</cib>\n";
}

const std::string dummy = "      <primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/>\n";

std::filesystem::path corpus() {
    if (const char* env = std::getenv("HOLDFAST_CORPUS")) return env;
    return std::filesystem::path(HOLDFAST_SOURCE_DIR) / ".." / "shared" / "pacemaker-scheduler";
}

}  // namespace

BOOST_AUTO_TEST_CASE(loads_a_valid_cib_into_the_model) {
    auto doc = cib::load_string(cib_with(dummy));
    BOOST_REQUIRE_MESSAGE(doc, (doc ? "" : doc.error().to_string()));
    BOOST_TEST(doc->model().resources.size() == 1u);
    BOOST_TEST(doc->model().resources[0].type == "Dummy");
    BOOST_TEST(doc->model().nodes[0].uname == "node1");
    BOOST_TEST(cib::check_semantics(doc->model()).empty());
}

BOOST_AUTO_TEST_CASE(malformed_xml_names_the_line) {
    auto doc = cib::load_string("<cib>\n<configuration>\n</cib>\n", {}, "bad.xml");
    BOOST_REQUIRE(!doc);
    BOOST_TEST(static_cast<int>(doc.error().code) == static_cast<int>(cib::errc::malformed_xml));
    BOOST_TEST(doc.error().line == 3);
    BOOST_TEST(doc.error().to_string().rfind("bad.xml:3:", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_schema_is_refused) {
    auto doc = cib::load_string(cib_with(dummy, "", "pacemaker-99.0"));
    BOOST_REQUIRE(!doc);
    BOOST_TEST(static_cast<int>(doc.error().code) == static_cast<int>(cib::errc::unknown_schema));
}

BOOST_AUTO_TEST_CASE(schema_invalid_names_element_and_line) {
    // A primitive without a type is not valid against the schema (line 6)
    auto doc = cib::load_string(cib_with("      <primitive id=\"d1\" class=\"ocf\" provider=\"pacemaker\"/>\n"));
    BOOST_REQUIRE(!doc);
    BOOST_TEST(static_cast<int>(doc.error().code) == static_cast<int>(cib::errc::schema_invalid));
    BOOST_TEST(doc.error().line == 6);
}

BOOST_AUTO_TEST_CASE(semantic_errors_are_found_with_lines) {
    auto doc = cib::load_string(cib_with(dummy,
                                         "      <rsc_location id=\"l1\" rsc=\"missing\" node=\"node1\" score=\"10\"/>\n"
                                         "      <rsc_location id=\"l2\" rsc=\"d1\" node=\"node1\" score=\"lots\"/>\n"),
                                {.validate = false});
    BOOST_REQUIRE(doc);
    auto errors = cib::check_semantics(doc->model());
    BOOST_REQUIRE(errors.size() == 2u);
    BOOST_TEST(static_cast<int>(errors[0].code) == static_cast<int>(cib::errc::dangling_reference));
    BOOST_TEST(errors[0].line == 9);
    BOOST_TEST(static_cast<int>(errors[1].code) == static_cast<int>(cib::errc::bad_value));
    BOOST_TEST(errors[1].line == 10);
}

BOOST_AUTO_TEST_CASE(duplicate_ids_are_found) {
    auto doc = cib::load_string(cib_with(dummy + dummy), {.validate = false});
    BOOST_REQUIRE(doc);
    auto errors = cib::check_semantics(doc->model());
    BOOST_REQUIRE(!errors.empty());
    BOOST_TEST(static_cast<int>(errors[0].code) == static_cast<int>(cib::errc::duplicate_id));
}

BOOST_AUTO_TEST_CASE(scores_parse_strictly) {
    BOOST_TEST(*cib::parse_score("INFINITY") == 1000000);
    BOOST_TEST(*cib::parse_score("-INFINITY") == -1000000);
    BOOST_TEST(*cib::parse_score("+20") == 20);
    BOOST_TEST(*cib::parse_score("5000000") == 1000000);
    BOOST_TEST(!cib::parse_score("12a"));
    BOOST_TEST(!cib::parse_score(""));
}

// Read without the histories' XML, a CIB gives the same model, the same
// errors for bad input, and refuses to be written back half.
BOOST_AUTO_TEST_CASE(streamed_load_keeps_history_in_the_model_only) {
    const std::string status =
        "  <status>\n"
        "    <node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\">\n"
        "      <transient_attributes id=\"1\"><instance_attributes id=\"t1\">\n"
        "        <nvpair id=\"t1-a\" name=\"probe_complete\" value=\"true\"/>\n"
        "      </instance_attributes></transient_attributes>\n"
        "      <lrm id=\"1\"><lrm_resources>\n"
        "        <lrm_resource id=\"d1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">\n"
        "          <lrm_rsc_op id=\"d1_last_0\" operation=\"start\" call-id=\"3\" rc-code=\"0\" op-status=\"0\"\n"
        "            interval=\"0\" on_node=\"node1\" op-digest=\"abc\" last-rc-change=\"17\"/>\n"
        "        </lrm_resource>\n"
        "      </lrm_resources></lrm>\n"
        "    </node_state>\n"
        "    <node_state id=\"2\" uname=\"node2\" in_ccm=\"false\"/>\n"
        "  </status>\n";
    std::string text = cib_with(dummy);
    text.replace(text.find("  <status/>\n"), 12, status);
    auto full = cib::load_string(text);
    auto streamed = cib::load_string(text, {.history_xml = false}, "s.xml");
    BOOST_REQUIRE(full);
    BOOST_REQUIRE_MESSAGE(streamed, (streamed ? "" : streamed.error().to_string()));
    BOOST_TEST(holdfast::test::first_status_difference(full->model(), streamed->model()) == "");
    const auto& ops = streamed->model().node_states.at(0).resources.at(0).ops;
    BOOST_TEST(ops.at(0).call_id == 3);
    BOOST_TEST(ops.at(0).op_digest == "abc");
    BOOST_TEST(streamed->model().node_states.at(0).transient_attributes.at(0).pairs.at(0).value == "true");
    BOOST_TEST(!streamed->model().node_states.at(1).has_lrm);
    BOOST_TEST(full->complete());
    BOOST_TEST(!streamed->complete());
    BOOST_TEST(!streamed->write_file("/nonexistent-dir/never-written.xml"));
    BOOST_TEST(!streamed->reload_model());

    auto bad = cib::load_string("<cib>\n<configuration>\n</cib>\n", {.history_xml = false}, "bad.xml");
    BOOST_REQUIRE(!bad);
    BOOST_TEST(static_cast<int>(bad.error().code) == static_cast<int>(cib::errc::malformed_xml));
    BOOST_TEST(bad.error().line == 3);
    std::string truncated = text.substr(0, text.find("</lrm_resources>"));
    BOOST_TEST(!cib::load_string(truncated, {.history_xml = false}));
    std::string invalid = text;
    invalid.replace(invalid.find("<crm_config/>"), 13, "<crm_config><bogus/></crm_config>");
    auto inv = cib::load_string(invalid, {.history_xml = false});
    BOOST_REQUIRE(!inv);
    BOOST_TEST(static_cast<int>(inv.error().code) == static_cast<int>(cib::errc::schema_invalid));
    BOOST_TEST(inv.error().line == 3);
}

BOOST_AUTO_TEST_CASE(write_and_reload_keeps_the_model) {
    auto doc = cib::load_string(cib_with(dummy));
    BOOST_REQUIRE(doc);
    auto again = cib::load_string(doc->to_string());
    BOOST_REQUIRE(again);
    BOOST_TEST(again->model().resources[0].id == "d1");
    BOOST_TEST(again->to_string() == doc->to_string());
}

// Every corpus CIB loads and validates (skips without the corpus).
BOOST_AUTO_TEST_CASE(every_corpus_cib_loads) {
    auto dir = corpus() / "xml";
    if (!std::filesystem::is_directory(dir)) {
        BOOST_TEST_MESSAGE("corpus not found at " << dir << ", skipping");
        return;
    }
    int loaded = 0, failed = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".xml") continue;
        auto doc = cib::load_file(entry.path().string());
        if (doc) {
            ++loaded;
            auto again = cib::load_string(doc->to_string());
            BOOST_TEST(again.has_value());
            // Read as a stream, without the histories' XML: the same model
            auto streamed = cib::load_file(entry.path().string(), {.history_xml = false});
            BOOST_REQUIRE_MESSAGE(streamed, entry.path().string());
            BOOST_TEST(!streamed->complete());
            BOOST_TEST(holdfast::test::first_status_difference(doc->model(), streamed->model()) == "",
                       entry.path().filename().string());
            BOOST_TEST(streamed->model().resources.size() == doc->model().resources.size());
        } else {
            ++failed;
            BOOST_TEST_MESSAGE(doc.error().to_string());
        }
    }
    BOOST_TEST_MESSAGE(loaded << " corpus CIBs loaded, " << failed << " refused");
    BOOST_TEST(failed == 0);
    BOOST_TEST(loaded >= 798);
}

// Template expansion: the template's ops are overridden by the primitive's op of
// the same name and role (Started counting as none), whatever the interval; its
// nvsets come first, so the primitive's own values win.
BOOST_AUTO_TEST_CASE(template_ops_yield_to_same_name_and_role) {
    const std::string rscs =
        "      <template id=\"t\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"><operations>"
        "<op id=\"t5\" name=\"monitor\" interval=\"5\"/><op id=\"ts\" name=\"monitor\" interval=\"7\" "
        "role=\"Stopped\"/></operations></template>\n"
        "      <primitive id=\"p\" template=\"t\"><operations><op id=\"p10\" name=\"monitor\" interval=\"10\" "
        "role=\"Started\"/></operations></primitive>\n";
    auto doc = cib::load_string(cib_with(rscs), cib::load_options{.validate = false});
    BOOST_REQUIRE(doc.has_value());
    const cib::resource* p = nullptr;
    for (const auto& r : doc->model().resources)
        if (r.id == "p") p = &r;
    BOOST_REQUIRE(p != nullptr);
    BOOST_REQUIRE(p->ops.size() == 2u);
    BOOST_TEST(p->ops[0].id == "p10");
    BOOST_TEST(p->ops[1].id == "ts");
}
