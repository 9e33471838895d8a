// Which runs of xrca go without Botan's locked pool (cli/locked_memory.h): only those that hold
// no secret, whatever the global options before the command.
#include "cli/locked_memory.h"

#include <gtest/gtest.h>

#include <vector>

namespace xrca::cli {
namespace {

bool needs(std::vector<const char*> args) {
    args.insert(args.begin(), "xrca");
    return needs_locked_memory(static_cast<int>(args.size()), args.data());
}

TEST(LockedMemory, CommandsThatHoldNoSecretGoWithout) {
    EXPECT_FALSE(needs({"status"}));
    EXPECT_FALSE(needs({"status", "--json"}));
    EXPECT_FALSE(needs({"--store", "postgresql:///xrca", "status"}));
    EXPECT_FALSE(needs({"--data=dir", "--store", "dir", "anchor", "--fingerprint"}));
    EXPECT_FALSE(needs({"--password-file", "pw", "chain"}));
    for (const char* command : {"verify", "show", "export-key", "completion"}) EXPECT_FALSE(needs({command}));
    EXPECT_FALSE(needs({}));
    EXPECT_FALSE(needs({"--version"}));
    EXPECT_FALSE(needs({"--store", "dir", "--help"}));
}

TEST(LockedMemory, CommandsThatMayHoldAKeyOrPasswordKeepIt) {
    for (const char* command : {"init", "serve", "issue", "enroll", "client", "revoke", "log", "principal", "trust",
                                "backup", "restore", "export-cluster-key", "process", "import", "request"}) {
        EXPECT_TRUE(needs({command})) << command;
    }
    // The value of a global option is not the command.
    EXPECT_TRUE(needs({"--store", "status", "serve"}));
    EXPECT_TRUE(needs({"--pin-file", "verify", "issue", "rac"}));
    // A word that names a command only after another command's name.
    EXPECT_TRUE(needs({"client", "status"}));
}

TEST(LockedMemory, AnUnknownGlobalOptionKeepsIt) {
    EXPECT_TRUE(needs({"--frobnicate", "status"}));
    EXPECT_TRUE(needs({"--statusx"}));
}

}  // namespace
}  // namespace xrca::cli
