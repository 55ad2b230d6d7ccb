// holdfast verify: is this CIB something Holdfast (and Pacemaker) will accept?
// Checks well-formedness, the schema named by validate-with, and what the
// schema cannot say (cib::check_semantics). Silent and 0 when all is well.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include "cib/cib.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/verify.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* verify_usage = "usage: holdfast verify (-x FILE | -p) [-V]\n";

}  // namespace

int run_verify(const args& a) {
    std::string file;
    bool pipe = false, verbose = false;
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string& flag = a[i];
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
            return 2;
        }
    }
    if (file.empty() == !pipe) {
        std::fprintf(stderr, "holdfast verify: give exactly one of -x FILE or -p\n%s", verify_usage);
        return 2;
    }
    expected<cib::document, cib::error> doc = [&] {
        if (!pipe) return cib::load_file(file);
        std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        return cib::load_string(text, {}, "<stdin>");
    }();
    return report_verify("verify", doc, pipe ? "<stdin>" : file, verbose);
}

int report_verify(const char* cmd, const expected<cib::document, cib::error>& doc, const std::string& name,
                  bool verbose) {
    if (!doc) {
        std::fprintf(stderr, "holdfast %s: %s\n", cmd, doc.error().to_string().c_str());
        return 1;
    }
    auto problems = cib::check_semantics(doc->model());
    for (auto& p : problems) {
        p.file = name;
        std::fprintf(stderr, "holdfast %s: %s\n", cmd, p.to_string().c_str());
    }
    if (problems.empty() && verbose) std::fprintf(stderr, "holdfast %s: %s is valid\n", cmd, name.c_str());
    return problems.empty() ? 0 : 1;
}

}  // namespace holdfast::tools
