// Issue 16 item 7: the CLI's file writes. A write never goes through a link planted beside the
// file, leaves no temporary file behind, and gives the mode asked for.
#include "cli/files.h"

#include "ca/errors.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>

namespace xrca::cli {
namespace {

class Files : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-files-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string m_dir;
};

TEST_F(Files, AWriteReplacesTheFileWholeAndLeavesNothingBeside) {
    const auto path = m_dir + "/out.xml";
    write_file_atomically(path, "first");
    write_file_atomically(path, "second", true);
    EXPECT_EQ(read_file(path, 100), "second");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "owner_only";
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(m_dir)) ++entries;
    EXPECT_EQ(entries, 1u) << "no temporary file left";
}

TEST_F(Files, ALinkPlantedWhereTheOldTemporaryNameWasIsNotFollowed) {
    // The name the writer used to pick (PATH.tmp-PID) now points elsewhere; the write must not
    // create or truncate the link's target.
    const auto path = m_dir + "/out.xml";
    const auto victim = m_dir + "/victim";
    std::ofstream(victim) << "precious";
    std::filesystem::create_symlink(victim, path + ".tmp-" + std::to_string(::getpid()));
    std::filesystem::create_symlink(m_dir + "/created-through-link", path + ".tmp-" + std::to_string(::getpid() + 1));
    write_file_atomically(path, "document");
    EXPECT_EQ(read_file(path, 100), "document");
    EXPECT_EQ(read_file(victim, 100), "precious");
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/created-through-link"));
}

TEST_F(Files, AWriteIntoAMissingDirectoryFailsClearly) {
    try {
        write_file_atomically(m_dir + "/no/such/dir/out.xml", "x");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Storage);
        EXPECT_NE(std::string(e.what()).find("cannot create a temporary file beside"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace xrca::cli
