// cib/: the on-disk store (cib/store.hpp): round trip, a fresh node, damaged
// files kept aside, a failure at each step of a save leaving the previous
// file intact, and the stored file accepted by Pacemaker's crm_verify.
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cib/change.hpp"
#include "cib/store.hpp"
#include "test/unit/cib_test_util.hpp"

namespace cib = holdfast::cib;
namespace fs = std::filesystem;
using holdfast::test::load_ok;
using holdfast::test::temp_dir;
using holdfast::test::two_node_cib;

namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    BOOST_REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

void require_code(const cib::error& e, cib::errc code) {
    BOOST_TEST(static_cast<int>(e.code) == static_cast<int>(code), e.to_string());
}

// The real file system with one call made to fail (the nth call of that kind).
class failing_fs final : public cib::file_system {
public:
    failing_fs(std::string call, int nth = 1) : call_(std::move(call)), nth_(nth) {}

    int make_dir(const std::string& p, unsigned m) override {
        return fail("make_dir") ? EACCES : real().make_dir(p, m);
    }
    holdfast::expected<cib::unique_fd, int> open_dir(const std::string& p) override {
        if (fail("open_dir")) return holdfast::unexpected(EMFILE);
        return real().open_dir(p);
    }
    holdfast::expected<cib::unique_fd, int> create(const std::string& p, unsigned m) override {
        if (fail("create")) return holdfast::unexpected(ENOSPC);
        return real().create(p, m);
    }
    int write(int fd, std::string_view b) override {
        if (fail("write")) {
            // a short write: half the bytes reach the temporary file
            real().write(fd, b.substr(0, b.size() / 2));
            return ENOSPC;
        }
        return real().write(fd, b);
    }
    int fsync(int fd) override { return fail("fsync") ? EIO : real().fsync(fd); }
    int rename(const std::string& f, const std::string& t) override {
        return fail("rename") ? EXDEV : real().rename(f, t);
    }
    int rename_noreplace(const std::string& f, const std::string& t) override {
        return fail("rename_noreplace") ? EROFS : real().rename_noreplace(f, t);
    }
    int unlink(const std::string& p) override { return real().unlink(p); }
    holdfast::expected<std::string, int> read(const std::string& p) override {
        if (fail("read")) return holdfast::unexpected(EIO);
        return real().read(p);
    }

private:
    static cib::file_system& real() { return cib::posix_file_system(); }
    bool fail(const char* call) { return call_ == call && ++seen_ == nth_; }
    std::string call_;
    int nth_;
    int seen_ = 0;
};

cib::document saved_v1(const temp_dir& dir) {
    auto doc = load_ok(two_node_cib());
    auto r = cib::save(doc, dir.str());
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    return doc;
}

}  // namespace

BOOST_AUTO_TEST_CASE(store_round_trip_with_modes) {
    temp_dir top;
    const fs::path dir = top.path() / "state";  // missing: save creates it
    auto doc = load_ok(two_node_cib());
    auto r = cib::save(doc, dir.string());
    BOOST_REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    BOOST_TEST(mode_of(dir) == 0750u);
    BOOST_TEST(mode_of(dir / "cib.xml") == 0600u);
    BOOST_TEST(read_file(dir / "cib.xml") == cib::stored_form(doc));
    auto back = cib::load(dir.string());
    BOOST_REQUIRE_MESSAGE(back, (back ? "" : back.error().to_string()));
    BOOST_TEST(back->to_string() == doc.to_string());
    BOOST_TEST((cib::version(*back) == cib::version(doc)));
    // a second save replaces the first; nothing else is left in the directory
    BOOST_REQUIRE(cib::apply(doc, cib::change::set_property("cluster-name", "hf")));
    BOOST_REQUIRE(cib::save(doc, dir.string()));
    BOOST_TEST(cib::load(dir.string())->to_string() == doc.to_string());
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
    BOOST_TEST(mode_of(dir / "cib.xml") == 0600u);
}

BOOST_AUTO_TEST_CASE(store_absent_is_a_fresh_node) {
    temp_dir dir;
    auto r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::absent);
    BOOST_TEST(fs::is_empty(dir.path()));
}

BOOST_AUTO_TEST_CASE(store_corrupt_files_are_kept_aside_never_overwritten) {
    temp_dir dir;
    const fs::path file = dir.path() / "cib.xml";
    write_file(file, "this is not a CIB");
    auto r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(!fs::exists(file));
    BOOST_TEST(read_file(dir.path() / "cib.xml.corrupt-1") == "this is not a CIB");
    BOOST_TEST(r.error().message.find((dir.path() / "cib.xml.corrupt-1").string()) != std::string::npos);

    // a second damaged file goes to the next free name
    write_file(file, "");
    r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(read_file(dir.path() / "cib.xml.corrupt-1") == "this is not a CIB");
    BOOST_TEST(fs::exists(dir.path() / "cib.xml.corrupt-2"));
    BOOST_TEST(!fs::exists(file));
}

BOOST_AUTO_TEST_CASE(store_truncated_and_altered_files_fail_the_digest) {
    temp_dir dir;
    const fs::path file = dir.path() / "cib.xml";
    saved_v1(dir);
    const std::string good = read_file(file);

    write_file(file, good.substr(0, good.size() / 2));  // truncated
    auto r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(read_file(dir.path() / "cib.xml.corrupt-1") == good.substr(0, good.size() / 2));

    std::string altered = good;  // still well-formed and valid, but not what was written
    altered.replace(altered.find("epoch=\"7\""), 9, "epoch=\"8\"");
    write_file(file, altered);
    r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(fs::exists(dir.path() / "cib.xml.corrupt-2"));

    // No digest line at all: a CIB put there by hand (Pacemaker's, say) is
    // taken when it reads and validates, and corrupt when it does not
    const std::string plain = good.substr(good.find('\n') + 1);
    write_file(file, plain);
    r = cib::load(dir.str());
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->model().epoch == "7");
    write_file(file, plain.substr(0, plain.size() / 2));
    r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(fs::exists(dir.path() / "cib.xml.corrupt-3"));
}

BOOST_AUTO_TEST_CASE(store_schema_invalid_file_is_corrupt) {
    temp_dir dir;
    // a correct digest over a CIB the schema refuses (a primitive without a type)
    auto bad_cib = two_node_cib();
    bad_cib.replace(bad_cib.find(" type=\"Dummy\"/>"), 15, "/>");
    auto bad = cib::load_string(bad_cib, {.validate = false});
    BOOST_REQUIRE(bad);
    BOOST_REQUIRE(cib::save(*bad, dir.str()));
    auto r = cib::load(dir.str());
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::corrupt);
    BOOST_TEST(read_file(dir.path() / "cib.xml.corrupt-1") == cib::stored_form(*bad));
}

BOOST_AUTO_TEST_CASE(store_failure_at_each_step_keeps_the_old_file) {
    for (const char* call : {"make_dir", "create", "write", "fsync", "rename"}) {
        BOOST_TEST_CONTEXT("failing " << call) {
            temp_dir dir;
            auto doc = saved_v1(dir);
            const std::string before = read_file(dir.path() / "cib.xml");
            BOOST_REQUIRE(cib::apply(doc, cib::change::set_property("cluster-name", "hf")));
            failing_fs faulty(call);
            auto r = cib::save(doc, dir.str(), {.fs = &faulty});
            BOOST_REQUIRE(!r);
            require_code(r.error(), cib::errc::io);
            BOOST_TEST(read_file(dir.path() / "cib.xml") == before);
            auto back = cib::load(dir.str());
            BOOST_REQUIRE(back);
            BOOST_TEST((cib::version(*back) == cib::cib_version{0, 7, 3}));
            // no temporary file is left behind
            BOOST_TEST(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(store_directory_fsync_failure_is_reported) {
    temp_dir dir;
    auto doc = saved_v1(dir);
    BOOST_REQUIRE(cib::apply(doc, cib::change::set_property("cluster-name", "hf")));
    failing_fs faulty("fsync", 2);  // the first fsync is the file's, the second the directory's
    auto r = cib::save(doc, dir.str(), {.fs = &faulty});
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::io);
    // the new file is in place, though not known to be durable
    BOOST_TEST(cib::load(dir.str())->to_string() == doc.to_string());
}

BOOST_AUTO_TEST_CASE(store_read_error_moves_nothing) {
    temp_dir dir;
    saved_v1(dir);
    failing_fs faulty("read");
    auto r = cib::load(dir.str(), {.fs = &faulty});
    BOOST_REQUIRE(!r);
    require_code(r.error(), cib::errc::io);
    BOOST_TEST(fs::exists(dir.path() / "cib.xml"));
    BOOST_TEST(!fs::exists(dir.path() / "cib.xml.corrupt-1"));
}

BOOST_AUTO_TEST_CASE(store_stale_temporary_file_is_replaced) {
    temp_dir dir;
    write_file(dir.path() / ".cib.xml.tmp", "left by a crash");
    auto doc = saved_v1(dir);
    BOOST_TEST(cib::load(dir.str())->to_string() == doc.to_string());
    BOOST_TEST(!fs::exists(dir.path() / ".cib.xml.tmp"));
}

BOOST_AUTO_TEST_CASE(store_refuses_a_document_without_history) {
    temp_dir dir;
    auto doc = cib::load_string(two_node_cib(), {.history_xml = false});
    BOOST_REQUIRE(doc);
    BOOST_TEST(!cib::save(*doc, dir.str()));
    BOOST_TEST(!fs::exists(dir.path() / "cib.xml"));
}

BOOST_AUTO_TEST_CASE(stored_file_passes_crm_verify) {
    if (holdfast::test::crm_verify().empty()) {
        BOOST_TEST_MESSAGE("crm_verify is not installed: the oracle check is skipped");
        return;
    }
    temp_dir dir;
    saved_v1(dir);
    BOOST_TEST(holdfast::test::crm_verify_status((dir.path() / "cib.xml").string()) == 0);
}
