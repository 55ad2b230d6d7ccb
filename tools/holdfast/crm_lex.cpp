// The words of crm text: statements end at a newline unless a backslash ends
// the line; words split at blanks; "..." (with \" and \\) and '...' quote;
// a line whose first non-blank character is `#` is a comment (only there:
// `#uname` is a rule's attribute).
#include <cctype>
#include <string>

#include "tools/holdfast/crm_parse_parts.hpp"

namespace holdfast::tools::crmp {
namespace {

// The length of the character at s[i], 0 when it is not one XML may hold:
// bad or overlong UTF-8, surrogates, U+FFFE/U+FFFF, control characters.
size_t char_length(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    if (b < 0x80) return b >= 0x20 || b == '\t' || b == '\n' || b == '\r' ? 1 : 0;
    size_t n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    char32_t cp = b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    bool bad = overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF;
    return bad ? 0 : n;
}

// What XML cannot carry is refused before anything is parsed.
expected<void, std::string> check_bytes(std::string_view text) {
    int line = 1;
    for (size_t i = 0; i < text.size();) {
        size_t n = char_length(text, i);
        if (n == 0)
            return unexpected("line " + std::to_string(line) +
                              ": not UTF-8 text or a control character (expected crm configure text)");
        if (text[i] == '\n') ++line;
        i += n;
    }
    return {};
}

class lexer {
public:
    explicit lexer(std::string_view t) : t_(t) {}
    expected<std::vector<statement>, std::string> run();

private:
    void end_word();
    void end_statement();
    bool continuation() const;  // a backslash, blanks, then the end of the line
    bool line_is_blank_before() const;
    expected<void, std::string> quoted(char q);

    std::string_view t_;
    size_t i_ = 0;
    int line_ = 1;
    bool in_word_ = false;
    word w_;
    statement s_;
    size_t rest_from_ = 0;  // where the first word of the statement ended
    std::vector<statement> out_;
};

void lexer::end_word() {
    if (!in_word_) return;
    w_.index = static_cast<int>(s_.words.size()) + 1;
    s_.words.push_back(std::move(w_));
    if (s_.words.size() == 1) rest_from_ = i_;
    w_ = word{};
    in_word_ = false;
}

void lexer::end_statement() {
    end_word();
    if (s_.words.empty()) return;
    std::string rest;  // the raw text, continuations taken out
    for (size_t k = rest_from_; k < i_ && k < t_.size(); ++k) {
        if (t_[k] == '\\' && k + 1 < t_.size() && t_[k + 1] == '\n') {
            ++k;
            rest += ' ';
        } else {
            rest += t_[k];
        }
    }
    s_.rest = std::move(rest);
    out_.push_back(std::move(s_));
    s_ = statement{};
}

bool lexer::continuation() const {
    size_t k = i_ + 1;
    while (k < t_.size() && (t_[k] == ' ' || t_[k] == '\t' || t_[k] == '\r')) ++k;
    return k >= t_.size() || t_[k] == '\n';
}

bool lexer::line_is_blank_before() const {
    for (size_t k = i_; k > 0 && t_[k - 1] != '\n'; --k)
        if (t_[k - 1] != ' ' && t_[k - 1] != '\t') return false;
    return true;
}

expected<void, std::string> lexer::quoted(char q) {
    word start = w_;
    start.index = static_cast<int>(s_.words.size()) + 1;
    for (++i_; i_ < t_.size(); ++i_) {
        char c = t_[i_];
        if (c == q) return {};
        if (c == '\n') ++line_;
        if (q == '"' && c == '\\' && i_ + 1 < t_.size()) c = t_[++i_];
        w_.text += c;
    }
    return unexpected(error_at(start, "unterminated quote (expected a closing " + std::string(1, q) + ")"));
}

expected<std::vector<statement>, std::string> lexer::run() {
    for (; i_ < t_.size(); ++i_) {
        char c = t_[i_];
        if (c == '\n') {
            end_statement();
            ++line_;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            end_word();
        } else if (c == '\\' && continuation()) {
            end_word();
            i_ = t_.find('\n', i_);
            if (i_ == std::string_view::npos) i_ = t_.size();
            ++line_;
        } else if (c == '#' && !in_word_ && line_is_blank_before()) {
            while (i_ + 1 < t_.size() && t_[i_ + 1] != '\n') ++i_;
        } else {
            if (!in_word_) w_.line = line_;
            in_word_ = true;
            if (c == '"' || c == '\'') {
                if (auto q = quoted(c); !q) return unexpected(q.error());
            } else {
                w_.text += c == '\\' && i_ + 1 < t_.size() ? t_[++i_] : c;
            }
        }
    }
    end_statement();
    return std::move(out_);
}

}  // namespace

expected<std::vector<statement>, std::string> split(std::string_view text) {
    if (auto ok = check_bytes(text); !ok) return unexpected(ok.error());
    return lexer(text).run();
}

std::string error_at(const word& w, const std::string& what) {
    std::string shown;
    for (char c : w.text.substr(0, 60))
        shown += (std::isprint(static_cast<unsigned char>(c)) || (c & 0x80) != 0) ? c : '?';
    if (w.text.size() > 60) shown += "...";
    std::string where = "line " + std::to_string(w.line) + ", word " + std::to_string(w.index);
    return where + (w.past_end ? " (end of line)" : " \"" + shown + "\"") + ": " + what;
}

word reader::end() const {
    word w;
    const word& last = s_.words.back();
    w.line = last.line;
    w.index = static_cast<int>(s_.words.size()) + 1;
    w.past_end = true;
    return w;
}

expected<word, std::string> reader::need(const std::string& what) {
    if (done()) return unexpected(error_at(end(), "missing " + what));
    return take();
}

bool is_pair(const word& w) {
    auto eq = w.text.find('=');
    return eq != std::string::npos && eq > 0;
}

std::pair<std::string, std::string> split_pair(const word& w) {
    auto eq = w.text.find('=');
    return {w.text.substr(0, eq), w.text.substr(eq + 1)};
}

bool valid_id(std::string_view s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        bool ok = std::isalpha(c) || c == '_' || c >= 0x80 || (i > 0 && (std::isdigit(c) || c == '-' || c == '.'));
        if (!ok) return false;
    }
    return true;
}

bool looks_like_score(const std::string& s) {
    std::string t = s;
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) t = t.substr(1);
    if (t == "inf" || t == "INFINITY" || t == "infinity") return true;
    if (t.empty() || t.size() > 18) return false;
    for (char c : t)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

expected<std::string, std::string> score_value(const word& w, const std::string& text) {
    if (!looks_like_score(text))
        return unexpected(error_at(w, "not a score (expected an integer, inf or -inf, then ':')"));
    if (text == "inf" || text == "+inf") return std::string("INFINITY");
    if (text == "-inf") return std::string("-INFINITY");
    return text;
}

}  // namespace holdfast::tools::crmp

namespace holdfast::tools {

bool looks_like_crm_text(std::string_view text) {
    size_t at = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // after a UTF-8 BOM
    at = text.find_first_not_of(" \t\r\n", at);
    return at == std::string_view::npos || text[at] != '<';
}

}  // namespace holdfast::tools
