#pragma once
// cib's error values: one enum for the module, plus where and what.
#include <string>

namespace holdfast::cib {

enum class errc {
    io,                  // file missing or unreadable
    malformed_xml,       // not well-formed XML
    unknown_schema,      // validate-with names no schema we have
    schema_invalid,      // fails the RelaxNG schema
    duplicate_id,        // two elements share an id
    dangling_reference,  // a constraint, id-ref or set names something missing
    bad_value,           // a score, interval or similar does not parse
    bad_change,          // a CIB change that is malformed or cannot apply as asked
    not_found,           // a change names an element that does not exist
    not_unique,          // a change's name matches more than one element
    old_data,            // a change would move the version backwards
    absent,              // no stored CIB (a fresh node)
    corrupt,             // the stored CIB is damaged (moved aside, see the message)
    permission_denied,   // the CIB's ACLs do not let the user do it (cib/acl.hpp)
};

const char* to_string(errc e);

struct error {
    errc code = errc::io;
    std::string message;  // one line, says what is wrong
    std::string file;     // may be empty (string input)
    int line = 0;         // 0 when unknown

    // "FILE:LINE: message" (parts omitted when unknown): what tools print.
    std::string to_string() const;
};

}  // namespace holdfast::cib
