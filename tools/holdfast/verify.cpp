// holdfast verify: is this CIB something Holdfast (and Pacemaker) will accept?
// Checks well-formedness, the schema named by validate-with, and what the
// schema cannot say (cib::check_semantics). Silent and 0 when all is well.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cib/cib.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/exit_codes.hpp"
#include "tools/holdfast/record_doc.hpp"
#include "tools/holdfast/verify.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* verify_usage = "usage: holdfast verify (-x FILE | -p) [-V] [--output-as=text|xml|json]\n";

int print_problems(const std::vector<cib::error>& problems, output_format f) {
    record_list l{"problems", "problem", "", {}};
    for (const auto& p : problems)
        l.records.push_back({{text_field("kind", cib::to_string(p.code)), text_field("file", p.file),
                              number_field("line", p.line), text_field("message", p.message)},
                             {}});
    std::fputs((f == output_format::xml ? records_xml(l) : records_json(l)).c_str(), stdout);
    const int flushed = flushed_stdout();
    return problems.empty() ? flushed : exit_error;
}

}  // namespace

int run_verify(const args& a) {
    std::string file;
    bool pipe = false, verbose = false;
    output_format format = output_format::text;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& flag = a[i];
        std::string format_error;
        if (take_output_option(a, i, format, format_error)) {
            if (format_error.empty()) continue;
            std::fprintf(stderr, "holdfast verify: %s\n%s", format_error.c_str(), verify_usage);
            return exit_usage;
        }
        if ((flag == "-x" || flag == "--xml-file") && i + 1 < a.size())
            file = a[++i];
        else if (flag.rfind("--xml-file=", 0) == 0)
            file = flag.substr(11);
        else if (flag == "-p" || flag == "--xml-pipe")
            pipe = true;
        else if (flag == "-V" || flag == "--verbose")
            verbose = true;
        else {
            std::fprintf(stderr, "holdfast verify: unknown or incomplete option '%s'\n%s", flag.c_str(), verify_usage);
            return exit_usage;
        }
    }
    if (file.empty() == !pipe) {
        std::fprintf(stderr, "holdfast verify: give exactly one of -x FILE or -p\n%s", verify_usage);
        return exit_usage;
    }
    expected<cib::document, cib::error> doc = [&] {
        if (!pipe) return cib::load_file(file);
        std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        return cib::load_string(text, {}, "<stdin>");
    }();
    return report_verify("verify", doc, pipe ? "<stdin>" : file, verbose, format);
}

int report_verify(const char* cmd, const expected<cib::document, cib::error>& doc, const std::string& name,
                  bool verbose, output_format f) {
    if (!doc) {
        if (f != output_format::text) return print_problems({doc.error()}, f);
        std::fprintf(stderr, "holdfast %s: %s\n", cmd, doc.error().to_string().c_str());
        return exit_error;
    }
    auto problems = cib::check_semantics(doc->model());
    for (auto& p : problems) p.file = name;
    if (f != output_format::text) return print_problems(problems, f);
    for (auto& p : problems) {
        std::fprintf(stderr, "holdfast %s: %s\n", cmd, p.to_string().c_str());
    }
    if (problems.empty() && verbose) std::fprintf(stderr, "holdfast %s: %s is valid\n", cmd, name.c_str());
    return problems.empty() ? exit_ok : exit_error;
}

}  // namespace holdfast::tools
