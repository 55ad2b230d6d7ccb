// libFuzzer target: arbitrary bytes into the CIB loader and, when they load,
// through unpack and the scheduler. Any crash, hang or sanitizer report fails.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cib/cib.hpp"
#include "policy/policy.hpp"
#include "policy/unpack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The last byte chooses whether the schema is checked and whether the
    // histories are read as a stream, so every path is explored
    std::string_view text(reinterpret_cast<const char*>(data), size - 1);
    holdfast::cib::load_options opts;
    opts.validate = (data[size - 1] & 1) != 0;
    opts.history_xml = (data[size - 1] & 2) != 0;
    auto doc = holdfast::cib::load_string(text, opts, "fuzz");
    if (!doc) return 0;
    (void)holdfast::cib::check_semantics(doc->model());
    auto ws = holdfast::policy::unpack(doc->model(), 1700000000);
    if (holdfast::policy::unsupported_feature(ws)) return 0;
    (void)holdfast::policy::schedule(ws);
    return 0;
}
