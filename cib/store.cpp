// The CIB on disk: atomic replacement with a digest, damage detection and
// keeping a damaged file aside. The format is described in store.hpp.
#include "cib/store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace holdfast::cib {

unique_fd::~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
}

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
}

namespace {

class posix_fs final : public file_system {
public:
    int make_dir(const std::string& path, unsigned mode) override {
        if (::mkdir(path.c_str(), mode) != 0) return errno;
        // exactly this mode, whatever the umask
        return ::chmod(path.c_str(), mode) == 0 ? 0 : errno;
    }
    expected<unique_fd, int> open_dir(const std::string& path) override {
        unique_fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd) return unexpected(errno);
        return fd;
    }
    expected<unique_fd, int> create(const std::string& path, unsigned mode) override {
        unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (!fd) return unexpected(errno);
        if (::fchmod(fd.get(), mode) != 0) return unexpected(errno);
        return fd;
    }
    int write(int fd, std::string_view bytes) override {
        while (!bytes.empty()) {
            ssize_t n = ::write(fd, bytes.data(), bytes.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno;
            if (n == 0) return EIO;
            bytes.remove_prefix(static_cast<size_t>(n));
        }
        return 0;
    }
    int fsync(int fd) override { return ::fsync(fd) == 0 ? 0 : errno; }
    int rename(const std::string& from, const std::string& to) override {
        return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
    }
    int rename_noreplace(const std::string& from, const std::string& to) override {
        if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
        if (errno != EINVAL && errno != ENOSYS) return errno;
        // a file system without RENAME_NOREPLACE: link() refuses an existing name too
        if (::link(from.c_str(), to.c_str()) != 0) return errno;
        return ::unlink(from.c_str()) == 0 ? 0 : errno;
    }
    int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }
    expected<std::string, int> read(const std::string& path) override {
        unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return unexpected(errno);
        std::string out;
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return unexpected(errno);
            if (n == 0) return out;
            out.append(buf, static_cast<size_t>(n));
        }
    }
};

constexpr std::string_view header_start = "<!--holdfast-cib sha256=";
constexpr std::string_view header_end = "-->\n";
constexpr size_t hex_digest_size = 64;

std::string sha256_hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    static const char* digits = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        hex += digits[md[i] >> 4];
        hex += digits[md[i] & 0xf];
    }
    return hex;
}

error io_error(const std::string& what, const std::string& path, int err) {
    return error{errc::io, what + " " + path + ": " + std::strerror(err), path, 0};
}

// The CIB text without its XML declaration (the digest line goes first).
std::string body_of(const document& doc) {
    std::string text = doc.to_string();
    if (text.rfind("<?xml", 0) == 0) {
        size_t end = text.find("?>");
        if (end != std::string::npos) {
            end += 2;
            while (end < text.size() && (text[end] == '\n' || text[end] == '\r')) ++end;
            text.erase(0, end);
        }
    }
    return text;
}

// The body, or what is wrong with the file.
expected<std::string_view, std::string> verified_body(std::string_view file) {
    if (file.empty()) return unexpected(std::string("the file is empty"));
    if (file.substr(0, header_start.size()) != header_start ||
        file.size() < header_start.size() + hex_digest_size + header_end.size())
        return unexpected(std::string("the digest line is missing or truncated"));
    const std::string_view digest = file.substr(header_start.size(), hex_digest_size);
    if (file.substr(header_start.size() + hex_digest_size, header_end.size()) != header_end)
        return unexpected(std::string("the digest line is malformed"));
    const std::string_view body = file.substr(header_start.size() + hex_digest_size + header_end.size());
    if (sha256_hex(body) != digest)
        return unexpected(std::string("the content does not match its digest (truncated or altered)"));
    return body;
}

// Keeps a damaged file for inspection under the first free cib.xml.corrupt-<n>.
expected<std::string, error> move_aside(file_system& fs, const std::string& path) {
    for (int n = 1; n < 100000; ++n) {
        const std::string to = path + ".corrupt-" + std::to_string(n);
        const int err = fs.rename_noreplace(path, to);
        if (err == 0) return to;
        if (err != EEXIST) return unexpected(io_error("cannot move the corrupt CIB aside:", path, err));
    }
    return unexpected(error{errc::io, "cannot move the corrupt CIB aside: no free name", path, 0});
}

expected<void, error> write_temp(file_system& fs, const std::string& tmp, std::string_view bytes) {
    const int stale = fs.unlink(tmp);  // left by a crash during an earlier save
    if (stale != 0 && stale != ENOENT) return unexpected(io_error("cannot remove", tmp, stale));
    auto fd = fs.create(tmp, 0600);
    if (!fd) return unexpected(io_error("cannot create", tmp, fd.error()));
    if (int err = fs.write(fd->get(), bytes); err != 0) return unexpected(io_error("cannot write", tmp, err));
    if (int err = fs.fsync(fd->get()); err != 0) return unexpected(io_error("cannot fsync", tmp, err));
    return {};
}

}  // namespace

file_system& posix_file_system() {
    static posix_fs fs;
    return fs;
}

std::string stored_form(const document& doc) {
    const std::string body = body_of(doc);
    std::string out;
    out.reserve(body.size() + header_start.size() + hex_digest_size + header_end.size());
    out += header_start;
    out += sha256_hex(body);
    out += header_end;
    out += body;
    return out;
}

expected<void, error> save(const document& doc, const std::string& dir, const store_options& opts) {
    file_system& fs = opts.fs ? *opts.fs : posix_file_system();
    if (!doc.complete())
        return unexpected(error{errc::io, "cannot save a CIB read without its operation history", dir, 0});
    if (int err = fs.make_dir(dir, 0750); err != 0 && err != EEXIST)
        return unexpected(io_error("cannot create", dir, err));
    const std::string path = dir + "/" + cib_file_name;
    const std::string tmp = dir + "/." + cib_file_name + ".tmp";
    if (auto w = write_temp(fs, tmp, stored_form(doc)); !w) {
        fs.unlink(tmp);
        return w;
    }
    if (int err = fs.rename(tmp, path); err != 0) {
        fs.unlink(tmp);
        return unexpected(io_error("cannot rename " + tmp + " to", path, err));
    }
    // the rename itself is durable only once the directory is
    auto dfd = fs.open_dir(dir);
    if (!dfd) return unexpected(io_error("cannot open", dir, dfd.error()));
    if (int err = fs.fsync(dfd->get()); err != 0) return unexpected(io_error("cannot fsync", dir, err));
    return {};
}

expected<document, error> load(const std::string& dir, const store_options& opts) {
    file_system& fs = opts.fs ? *opts.fs : posix_file_system();
    const std::string path = dir + "/" + cib_file_name;
    auto text = fs.read(path);
    if (!text && text.error() == ENOENT) return unexpected(error{errc::absent, "no stored CIB at " + path, path, 0});
    if (!text) return unexpected(io_error("cannot read", path, text.error()));
    std::string problem;
    if (!text->empty() && std::string_view(*text).substr(0, header_start.size()) != header_start) {
        // No digest line at all: a CIB an operator put there (Pacemaker's
        // own cib.xml, say), taken if it reads and validates
        auto doc = load_string(*text, opts.load, path);
        if (doc) return doc;
        problem = doc.error().message;
    } else if (auto body = verified_body(*text); !body) {
        problem = body.error();
    } else {
        auto doc = load_string(*body, opts.load, path);
        if (doc) return doc;
        // lines in the error count from the body; the file has the digest line first
        problem = doc.error().message;
    }
    auto aside = move_aside(fs, path);
    if (!aside)
        return unexpected(error{errc::corrupt,
                                "stored CIB " + path + " is corrupt (" + problem +
                                    ") and could not be moved aside: " + aside.error().message,
                                path, 0});
    return unexpected(
        error{errc::corrupt, "stored CIB " + path + " is corrupt (" + problem + "); kept as " + *aside, path, 0});
}

}  // namespace holdfast::cib
