#pragma once
// The CIB on disk: DIR/cib.xml, written atomically with a digest, read back
// with damage detected.
//
// File format: the first line is an XML comment holding the SHA-256 of every
// byte after it, then the CIB as document::to_string() writes it (without
// the XML declaration, so the file is still one well-formed XML document that
// crm_verify -x and cibadmin read):
//     <!--holdfast-cib sha256=<64 lowercase hex>-->
//     <cib ...>...</cib>
// One file, so a crash between writing the CIB and writing its digest cannot
// make a good copy look damaged. A file with no digest line at all is a CIB
// an operator put there (Pacemaker's own cib.xml, for one): it is taken when
// it reads and validates.
//
// save(): DIR is created (0750) if missing; the bytes go to a temporary file
// in DIR (0600), which is fsynced, renamed over cib.xml, then DIR is fsynced.
// A failure at any step leaves the previous cib.xml as it was.
// load(): errc::absent when there is no cib.xml (a fresh node); errc::corrupt
// when it is truncated, fails its digest, does not parse or does not validate:
// the file is then moved to cib.xml.corrupt-<n> (the lowest n not taken;
// never overwritten) and the message names it. Other I/O trouble is errc::io
// and moves nothing.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "cib/cib.hpp"
#include "cib/error.hpp"
#include "cib/expected.hpp"

namespace holdfast::cib {

// An owned file descriptor, closed on destruction.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    ~unique_fd();
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// The file-system calls the store makes, each returning 0 / a value or an
// errno, so a test can make any one of them fail. posix_file_system() is the
// real one.
class file_system {
public:
    virtual ~file_system() = default;
    virtual int make_dir(const std::string& path, unsigned mode) = 0;  // EEXIST when present
    virtual expected<unique_fd, int> open_dir(const std::string& path) = 0;
    // A new file that must not exist yet (O_EXCL), open for writing.
    virtual expected<unique_fd, int> create(const std::string& path, unsigned mode) = 0;
    virtual int write(int fd, std::string_view bytes) = 0;  // all of them, or an errno
    virtual int fsync(int fd) = 0;
    virtual int rename(const std::string& from, const std::string& to) = 0;
    // Like rename, but EEXIST instead of replacing `to`.
    virtual int rename_noreplace(const std::string& from, const std::string& to) = 0;
    virtual int unlink(const std::string& path) = 0;
    virtual expected<std::string, int> read(const std::string& path) = 0;  // ENOENT when absent
};

file_system& posix_file_system();

struct store_options {
    file_system* fs = nullptr;  // null: posix_file_system()
    load_options load{};        // how load() checks the file
};

inline constexpr const char* cib_file_name = "cib.xml";

expected<void, error> save(const document& doc, const std::string& dir, const store_options& opts = {});
expected<document, error> load(const std::string& dir, const store_options& opts = {});

// The exact bytes save() writes for a document (header line + CIB).
std::string stored_form(const document& doc);

}  // namespace holdfast::cib
