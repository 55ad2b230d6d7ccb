#include "daemon/history.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "cib/json_text.hpp"
#include "cib/secrets.hpp"
#include "cib/xml_text.hpp"
#include "daemon/log.hpp"

namespace holdfast::daemon {
namespace {

// A JSON string at `i` (its opening quote); `i` ends after the closing one.
// Only what cib::json_string writes, plus the usual short escapes.
std::optional<std::string> read_json_string(std::string_view s, size_t& i) {
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    std::string out;
    for (++i; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            ++i;
            return out;
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i >= s.size()) return std::nullopt;
        switch (s[i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'u': {
                if (i + 4 >= s.size()) return std::nullopt;
                const unsigned long v = std::strtoul(std::string(s.substr(i + 1, 4)).c_str(), nullptr, 16);
                if (v >= 0x80) return std::nullopt;  // never written
                out += static_cast<char>(v);
                i += 4;
                break;
            }
            default: out += s[i];
        }
    }
    return std::nullopt;
}

void skip_blanks(std::string_view s, size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

}  // namespace

std::string history_event::get(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string to_json_line(const history_event& e) {
    std::string out = "{\"time-ms\":" + std::to_string(e.time_ms) + ",\"kind\":";
    out += cib::json_string(e.kind);
    for (const auto& [k, v] : e.fields) {
        out += ',';
        out += cib::json_string(k);
        out += ':';
        out += cib::json_string(v);
    }
    return out + "}\n";
}

std::optional<history_event> parse_json_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    size_t i = 0;
    skip_blanks(line, i);
    if (i >= line.size() || line[i++] != '{') return std::nullopt;
    history_event e;
    bool have_time = false;
    for (bool first = true;; first = false) {
        skip_blanks(line, i);
        if (i < line.size() && line[i] == '}' && first) return std::nullopt;
        auto key = read_json_string(line, i);
        if (!key) return std::nullopt;
        skip_blanks(line, i);
        if (i >= line.size() || line[i++] != ':') return std::nullopt;
        skip_blanks(line, i);
        if (*key == "time-ms") {
            size_t b = i;
            while (i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == '-')) ++i;
            if (b == i) return std::nullopt;
            e.time_ms = std::atoll(std::string(line.substr(b, i - b)).c_str());
            have_time = true;
        } else {
            auto value = read_json_string(line, i);
            if (!value) return std::nullopt;
            if (*key == "kind")
                e.kind = std::move(*value);
            else
                e.fields.emplace_back(std::move(*key), std::move(*value));
        }
        skip_blanks(line, i);
        if (i < line.size() && line[i] == ',') {
            ++i;
            continue;
        }
        if (i < line.size() && line[i] == '}' && i + 1 == line.size() && have_time && !e.kind.empty()) return e;
        return std::nullopt;
    }
}

std::string to_xml(const history_event& e) {
    std::string out = "<event time-ms=\"" + std::to_string(e.time_ms) + "\" kind=\"" + cib::xml_attr(e.kind) + "\"";
    for (const auto& [k, v] : e.fields) out += " " + k + "=\"" + cib::xml_attr(v) + "\"";
    return out + "/>\n";
}

history_journal::history_journal(std::filesystem::path file, size_t max_bytes)
    : file_(std::move(file)), max_bytes_(max_bytes) {}

void history_journal::record(history_event e) {
    if (file_.empty()) return;  // a node without a state dir keeps no history
    if (e.time_ms == 0) e.time_ms = now_ms();
    for (auto& [k, v] : e.fields) v = cib::is_secret_param(k) ? std::string(cib::masked_value) : cib::mask_secrets(v);
    const std::string line = to_json_line(e);
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    ssize_t n = -1;
    if (fd >= 0) {
        n = ::write(fd, line.data(), line.size());
        ::close(fd);
    }
    if (n != static_cast<ssize_t>(line.size())) {
        if (!write_failed_)
            log_event(LOG_ERR, "history_write_failed", {{"file", file_.string()}, {"error", std::strerror(errno)}});
        write_failed_ = true;
        return;
    }
    write_failed_ = false;
    rotate_if_full();
}

void history_journal::rotate_if_full() {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file_, ec);
    if (ec || size < max_bytes_) return;
    std::filesystem::rename(file_, file_.string() + ".1", ec);
    if (ec) log_event(LOG_ERR, "history_rotate_failed", {{"file", file_.string()}, {"error", ec.message()}});
}

std::vector<history_event> history_journal::read(int64_t since_ms) const {
    std::vector<history_event> out;
    if (file_.empty()) return out;
    for (const std::string& path : {file_.string() + ".1", file_.string()}) {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line))
            if (auto e = parse_json_line(line); e && e->time_ms >= since_ms) out.push_back(std::move(*e));
    }
    return out;
}

}  // namespace holdfast::daemon
