// libcurl, loaded at the first online call rather than linked: only `xrca enroll` and
// `xrca client …` speak HTTP as a client, and linking it made every run of xrca (`status`
// included) load it and the eight libraries only it needs (HTTP/2, SSH, RTMP, PSL, Brotli,
// zstd…) before main(). docs/performance.md has the figures.
#pragma once

#include <curl/curl.h>

namespace xrca::enrollment {

/** The functions of libcurl the client calls, resolved from the loaded library. */
struct CurlLibrary {
    CURLcode (*global_init)(long flags) = nullptr;
    CURL* (*easy_init)() = nullptr;
    void (*easy_cleanup)(CURL* handle) = nullptr;
    CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...) = nullptr;
    CURLcode (*easy_perform)(CURL* handle) = nullptr;
    CURLcode (*easy_getinfo)(CURL* handle, CURLINFO info, ...) = nullptr;
    const char* (*easy_strerror)(CURLcode code) = nullptr;
    curl_slist* (*slist_append)(curl_slist* list, const char* text) = nullptr;
    void (*slist_free_all)(curl_slist* list) = nullptr;
};

/** The shared object name of the libcurl xrca is built against (Debian: package libcurl4). */
inline constexpr const char* k_curl_soname = "libcurl.so.4";

/**
 * Loads `soname` and resolves every function of CurlLibrary. Error(Storage) naming the library,
 * what the loader said and the package to install when it cannot be loaded or lacks a function.
 * The library stays loaded for the life of the process.
 */
CurlLibrary load_curl_library(const char* soname);

/** libcurl (k_curl_soname), loaded and globally initialised once per process; Error as above. */
const CurlLibrary& curl_library();

}  // namespace xrca::enrollment
