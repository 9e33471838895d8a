// Loading libcurl at run time (see curl_library.h).
#include "enrollment/curl_library.h"

#include "ca/errors.h"

#include <dlfcn.h>

#include <string>

namespace xrca::enrollment {
namespace {

std::string loader_error() {
    const char* text = ::dlerror();
    return text ? text : "unknown error";
}

// dlsym's object pointer to the function pointer type of `slot` (POSIX guarantees the round trip).
template <typename Function>
void resolve(void* library, const char* soname, const char* name, Function& slot) {
    void* symbol = ::dlsym(library, name);
    if (!symbol) {
        throw Error(ErrorKind::Storage, std::string(soname) + " has no " + name + " (" + loader_error() +
                                            "): online calls need libcurl 7.85 or later");
    }
    slot = reinterpret_cast<Function>(symbol);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): dlsym's contract
}

}  // namespace

CurlLibrary load_curl_library(const char* soname) {
    // RTLD_LOCAL: its symbols stay out of the global namespace; RTLD_NOW: a missing function
    // is found here, not in the middle of a call.
    void* library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        throw Error(ErrorKind::Storage, std::string("online calls need libcurl, and ") + soname +
                                            " could not be loaded (" + loader_error() +
                                            "): install it (Debian: apt-get install libcurl4)");
    }
    CurlLibrary lib;
    resolve(library, soname, "curl_global_init", lib.global_init);
    resolve(library, soname, "curl_easy_init", lib.easy_init);
    resolve(library, soname, "curl_easy_cleanup", lib.easy_cleanup);
    resolve(library, soname, "curl_easy_setopt", lib.easy_setopt);
    resolve(library, soname, "curl_easy_perform", lib.easy_perform);
    resolve(library, soname, "curl_easy_getinfo", lib.easy_getinfo);
    resolve(library, soname, "curl_easy_strerror", lib.easy_strerror);
    resolve(library, soname, "curl_slist_append", lib.slist_append);
    resolve(library, soname, "curl_slist_free_all", lib.slist_free_all);
    return lib;
}

const CurlLibrary& curl_library() {
    // A failed load throws out of the initialiser: the next call tries again.
    static const CurlLibrary lib = [] {
        auto loaded = load_curl_library(k_curl_soname);
        if (loaded.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error(ErrorKind::Internal, "libcurl could not initialise");
        return loaded;
    }();
    return lib;
}

}  // namespace xrca::enrollment
