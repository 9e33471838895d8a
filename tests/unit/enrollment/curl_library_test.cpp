// Loading libcurl at run time: the library found and every function resolved, or a clear error
// naming what is missing and the package that brings it.
#include "enrollment/curl_library.h"
#include "ca/errors.h"

#include <gtest/gtest.h>

#include <string>

namespace xrca::enrollment {
namespace {

TEST(CurlLibrary, TheInstalledLibraryLoadsWithEveryFunction) {
    const auto& lib = curl_library();
    EXPECT_NE(lib.global_init, nullptr);
    EXPECT_NE(lib.easy_init, nullptr);
    EXPECT_NE(lib.easy_cleanup, nullptr);
    EXPECT_NE(lib.easy_setopt, nullptr);
    EXPECT_NE(lib.easy_perform, nullptr);
    EXPECT_NE(lib.easy_getinfo, nullptr);
    EXPECT_NE(lib.easy_strerror, nullptr);
    EXPECT_NE(lib.slist_append, nullptr);
    EXPECT_NE(lib.slist_free_all, nullptr);
    // The functions are libcurl's: a handle is made and its error text read.
    CURL* handle = lib.easy_init();
    ASSERT_NE(handle, nullptr);
    lib.easy_cleanup(handle);
    EXPECT_STREQ(lib.easy_strerror(CURLE_OK), "No error");
    EXPECT_EQ(&curl_library(), &lib) << "loaded once";
}

TEST(CurlLibrary, AMissingLibraryIsAStorageErrorNamingItAndThePackage) {
    try {
        (void)load_curl_library("libcurl-not-installed.so.4");
        FAIL() << "a library that does not exist was loaded";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Storage);
        const std::string what = e.what();
        EXPECT_NE(what.find("libcurl-not-installed.so.4"), std::string::npos) << what;
        EXPECT_NE(what.find("apt-get install libcurl4"), std::string::npos) << what;
    }
}

TEST(CurlLibrary, ALibraryWithoutCurlsFunctionsIsRefusedNamingTheFirstMissing) {
    // libc is loaded and has none of them.
    try {
        (void)load_curl_library("libc.so.6");
        FAIL() << "libc was taken for libcurl";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Storage);
        const std::string what = e.what();
        EXPECT_NE(what.find("curl_global_init"), std::string::npos) << what;
        EXPECT_NE(what.find("7.85 or later"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace xrca::enrollment
