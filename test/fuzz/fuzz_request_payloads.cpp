// libFuzzer target: the payload decoders holdfastd applies to client input
// after decode_request. The first byte picks the request type (as on the
// wire: 3 cib_change, 5 fence, 6 fence_history, 7 fence_confirm, 8 history); the rest
// is its payload. Any crash, hang or sanitizer report fails; so does an
// error that is not one line, an accepted fence payload that does not name
// a valid node and action, or an accepted change that does not serialise
// back to itself. An accepted change is also tried (cib::dry_run, as the
// daemon does before sending it to the cluster) on a small CIB, which must
// come out unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cib/change.hpp"
#include "cib/cib.hpp"
#include "daemon/protocol.hpp"
#include "daemon/request_payload.hpp"

namespace {

namespace hd = holdfast::daemon;
namespace cib = holdfast::cib;

constexpr const char* base_cib =
    "<cib validate-with=\"pacemaker-3.9\" epoch=\"3\" num_updates=\"1\" admin_epoch=\"0\"><configuration>"
    "<crm_config><cluster_property_set id=\"cib-bootstrap-options\"><nvpair id=\"o-sym\" "
    "name=\"symmetric-cluster\" value=\"true\"/></cluster_property_set></crm_config>"
    "<nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/></nodes>"
    "<resources><primitive id=\"d\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></resources>"
    "<constraints/></configuration><status><node_state id=\"1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" "
    "join=\"member\" expected=\"member\"/></status></cib>";

void one_line(const std::string& message) {
    if (message.empty() || message.find('\n') != std::string::npos) std::abort();
}

void check_node(const std::string& name) {
    if (name.empty() || name.size() > 255) std::abort();
    for (unsigned char c : name)
        if (c <= 0x20 || c == 0x7f) std::abort();
}

void fuzz_change(std::string_view payload) {
    auto c = cib::parse_change(payload);
    if (!c) return one_line(c.error().to_string());
    auto again = cib::parse_change(cib::serialize(*c));
    if (!again || !(*again == *c)) std::abort();
    cib::load_options opts;
    opts.validate = false;
    static auto doc = cib::load_string(base_cib, opts, "fuzz");
    if (!doc) std::abort();
    const std::string before = doc->to_string();
    (void)cib::dry_run(*doc, *c);
    if (doc->to_string() != before) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (!hd::valid_utf8(payload)) return 0;  // decode_request refuses it before any handler
    switch (static_cast<hd::request_type>(data[0])) {
        case hd::request_type::cib_change: fuzz_change(payload); break;
        case hd::request_type::fence: {
            auto f = hd::parse_fence_payload(payload);
            if (!f) return one_line(f.error()), 0;
            check_node(f->target);
            if (f->action != "reboot" && f->action != "off" && f->action != "on") std::abort();
            break;
        }
        case hd::request_type::history: {
            auto from = hd::parse_history_payload(payload);
            if (!from) return one_line(from.error()), 0;
            // accepted: decimal digits only, read as they are
            const std::string text(payload);
            if (text.find_first_not_of("0123456789") != std::string::npos ||
                *from != (text.empty() ? 0 : std::stoll(text)))
                std::abort();
            break;
        }
        case hd::request_type::fence_history:
        case hd::request_type::fence_confirm: {
            const bool optional = data[0] == static_cast<uint8_t>(hd::request_type::fence_history);
            auto n = hd::parse_node_payload(payload, optional);
            if (!n) return one_line(n.error()), 0;
            if (!(optional && n->empty())) check_node(*n);
            break;
        }
        default: break;
    }
    return 0;
}
