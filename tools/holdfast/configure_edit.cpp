// holdfast configure edit: crmsh's `configure edit`. The daemon's
// configuration as crm text (configure show's printer) in a temporary file,
// $VISUAL / $EDITOR / vi on it, then the text parsed and the result checked
// as the daemon would check it (schema, semantics), and sent as one replace
// that holdfastd applies only if the configuration is still the one read: an
// edit never overwrites a change made while the editor ran.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "tools/holdfast/change_call.hpp"
#include "tools/holdfast/commands.hpp"
#include "tools/holdfast/crm_parse.hpp"
#include "tools/holdfast/crm_text.hpp"
#include "tools/holdfast/daemon_call.hpp"

namespace holdfast::tools {
namespace {

constexpr const char* cmd = "configure edit";

int fail(const std::string& what) {
    std::fprintf(stderr, "holdfast %s: %s\n", cmd, what.c_str());
    return exit_error;
}

// A temporary file, removed at the end.
struct temp_file {
    std::string path;
    temp_file() {
        const char* dir = std::getenv("TMPDIR");
        std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/holdfast-edit-XXXXXX.crm";
        int fd = mkstemps(tmpl.data(), 4);
        if (fd < 0) return;
        close(fd);
        path = tmpl;
    }
    ~temp_file() {
        if (!path.empty()) unlink(path.c_str());
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
};

std::string editor() {
    for (const char* var : {"VISUAL", "EDITOR"})
        if (const char* e = std::getenv(var); e && *e) return e;
    return "vi";
}

// The editor on the file, through the shell as crmsh runs it (EDITOR may
// hold arguments: "emacs -nw"); true when it exited 0.
bool run_editor(const std::string& file) {
    const std::string script = editor() + " \"$1\"";
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", script.c_str(), "sh", file.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool write_text(const std::string& file, const std::string& text) {
    std::ofstream out(file, std::ios::trunc);
    out << text;
    return static_cast<bool>(out.flush());
}

std::optional<std::string> read_text(const std::string& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Asked only on a terminal; anything but n/N is yes.
bool again() {
    if (!isatty(STDIN_FILENO)) return false;
    std::fputs("Edit again? [Y/n] ", stderr);
    char line[64];
    if (!std::fgets(line, sizeof line, stdin)) return false;
    return line[0] != 'n' && line[0] != 'N';
}

// The edited text as a configuration the daemon will take, or the one-line
// reason it will not ("line 3, word 2 ...", the schema's or a check's).
expected<std::string, std::string> checked(cib::document& read, const std::string& text) {
    auto parsed = parse_crm_configuration(text, "", crm_mode::update);
    if (!parsed) return unexpected(parsed.error());
    auto tried = cib::dry_run(read, cib::change::replace_configuration(*parsed));
    if (!tried) return unexpected(tried.error().to_string());
    return std::move(*parsed);
}

}  // namespace

int run_configure_edit(const args& a, const std::string& ipc) {
    if (a.size() != 1) return fail("edit takes no arguments (it edits the whole configuration)");
    auto doc = query_cib(cmd, ipc);
    if (!doc) return doc.error();
    const std::string original = format_crm_configuration(*doc);
    temp_file file;
    if (file.path.empty() || !write_text(file.path, original)) return fail("cannot write a temporary file");
    for (;;) {
        if (!run_editor(file.path)) return fail("the editor (" + editor() + ") failed; nothing changed");
        auto text = read_text(file.path);
        if (!text) return fail("cannot read back " + file.path);
        if (*text == original) return exit_ok;  // nothing edited, nothing sent
        auto config = checked(*doc, *text);
        if (config) return replace_read_configuration(cmd, ipc, *doc, std::move(*config));
        std::fprintf(stderr, "holdfast %s: %s\n", cmd, config.error().c_str());
        if (!again()) return exit_error;
    }
}

}  // namespace holdfast::tools
