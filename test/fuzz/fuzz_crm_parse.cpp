// libFuzzer target: arbitrary bytes into the crm text parser. Any crash,
// hang or sanitizer report fails; so does an error that is not one line, or
// a success whose configuration is not well-formed XML. What parses is shown
// again as crm text and parsed again, so the renderer is explored too. An
// input that is XML is loaded as a CIB and its show output parsed: the
// scheduler corpus seeds the run without crm text derived from it checked in.
#include <libxml/parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cib/cib.hpp"
#include "tools/holdfast/crm_parse.hpp"
#include "tools/holdfast/crm_text.hpp"

namespace {

holdfast::cib::load_options unchecked() {
    holdfast::cib::load_options opts;
    opts.validate = false;
    return opts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string shown;
    if (!holdfast::tools::looks_like_crm_text(text)) {  // a CIB (the corpus seeds): its show output is parsed
        auto cib = holdfast::cib::load_string(text, unchecked(), "fuzz");
        if (!cib) return 0;
        shown = holdfast::tools::format_crm_configuration(*cib);
        text = shown;
    }
    auto parsed = holdfast::tools::parse_crm_configuration(text);
    if (!parsed) {
        if (parsed.error().empty() || parsed.error().find('\n') != std::string::npos) std::abort();
        return 0;
    }
    xmlDoc* check = xmlReadMemory(parsed->data(), static_cast<int>(parsed->size()), "fuzz", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!check) std::abort();
    xmlFreeDoc(check);
    auto doc = holdfast::cib::load_string(
        "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" "
        "admin_epoch=\"0\">" +
            *parsed + "<status/></cib>",
        unchecked(), "fuzz");
    if (!doc) return 0;
    (void)holdfast::tools::parse_crm_configuration(holdfast::tools::format_crm_configuration(*doc));
    return 0;
}
