// cib/: loading, schema checking, semantic checks and writing back.
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cib/cib.hpp"
#include "cib/values.hpp"

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
