#pragma once
// Secret parameters (fence passwords, SNMP communities, API keys and tokens)
// and their masking: the one place that decides what is secret, used by every
// output of the CLI (configure show, cib show, history, report) and by
// holdfastd's log. Pure functions, no libxml2: masking must also work on
// text that is not a whole XML document (log lines, a crm configuration).
#include <optional>
#include <string>
#include <string_view>

namespace holdfast::cib {

// What a secret value is shown as.
inline constexpr std::string_view masked_value = "*****";

// Whether a parameter of this name holds a secret (case-insensitive, leading
// dashes ignored, so "--password" too): a name containing "passw" (passwd,
// password, snmp_priv_passwd) or "secret" (secret_key), ending in "token"
// (api_token), "apikey"/"api_key" or "private_key", or "community" (SNMP).
// Not any "*_key": the CIB's operation_key and status's op_key are none, nor
// is fence_scsi's "key" (a reservation key every node's sg_persist shows), nor
// fence_aws's access_key (an id; its secret_key is caught). "user"/"login" are
// not: an operator needs them to debug, and crmsh's report keeps them too.
bool is_secret_param(std::string_view name);

// The text with every secret value replaced by masked_value:
// - XML: the value attribute of an <nvpair> whose name attribute is secret,
//   and any attribute whose own name is secret (passwd="...");
// - text: NAME=VALUE where NAME is secret (VALUE quoted, or up to a blank,
//   ',', ';' or '&'), as fence agents' stdin and log fields write them;
// - crm shell text: NAME=VALUE is the form params take there too.
// Everything else is left byte for byte. Idempotent.
std::string mask_secrets(std::string_view text);

// The name of the first secret <nvpair> (or secret attribute) in an XML text
// whose value is masked_value: configuration read back from a masked
// `configure show`, which would overwrite the real secret with the mask.
std::optional<std::string> masked_secret_in(std::string_view xml);

}  // namespace holdfast::cib
