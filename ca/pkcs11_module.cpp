// Loading, initialising and unloading PKCS#11 modules (see pkcs11_module.h).
#include "ca/pkcs11_module.h"

#include "ca/errors.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

namespace xrca::ca {
namespace {

// Modules loaded by this process, by path: shared, so that C_Initialize and C_Finalize each run once.
std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}
std::map<std::string, std::weak_ptr<Pkcs11Module>>& registry() {
    static std::map<std::string, std::weak_ptr<Pkcs11Module>> r;
    return r;
}

// A token label as the module reports it: 32 bytes, padded with blanks.
std::string unpadded(const unsigned char* label, std::size_t size) {
    std::string s(reinterpret_cast<const char*>(label), size);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

}  // namespace

Pkcs11Module::Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* api, bool finalize)
    : m_path(std::move(path)), m_handle(handle), m_api(api), m_finalize(finalize) {}

Pkcs11Module::~Pkcs11Module() {
    if (m_finalize) (void)m_api->C_Finalize(nullptr);
    (void)::dlclose(m_handle);
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::string& path) {
    std::lock_guard<std::mutex> lock(registry_mutex());
    if (auto existing = registry()[path].lock()) return existing;

    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(ErrorKind::Unavailable, "there is no PKCS#11 module " + path + " (" +
                                                std::generic_category().message(errno) + "); check --pkcs11-module");
    }
    // dlerror() describes the failure of the last dl call of any thread: the registry's lock
    // keeps this process's loads one at a time.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();  // NOLINT(concurrency-mt-unsafe): serialised by the registry's lock
        throw Error(ErrorKind::Unavailable,
                    "cannot load the PKCS#11 module " + path + ": " + (why ? why : "unknown reason"));
    }
    using GetFunctionList = CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR);
    auto get = reinterpret_cast<GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST* api = nullptr;
    if (!get || get(&api) != CKR_OK || !api) {
        (void)::dlclose(handle);
        throw Error(ErrorKind::NotFound, path + " is not a PKCS#11 module (it has no usable C_GetFunctionList)");
    }
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    const CK_RV rv = api->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        (void)::dlclose(handle);
        throw Error(ErrorKind::Storage, "the PKCS#11 module " + path + " did not initialise: C_Initialize returned " +
                                            pkcs11_return_name(rv));
    }
    std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(path, handle, api, rv == CKR_OK));
    registry()[path] = module;
    return module;
}

CK_SLOT_ID Pkcs11Module::find_token(const std::string& label) const {
    CK_ULONG count = 0;
    check_pkcs11(m_api->C_GetSlotList(CK_TRUE, nullptr, &count), "C_GetSlotList", label);
    std::vector<CK_SLOT_ID> slots(count);
    if (count > 0) check_pkcs11(m_api->C_GetSlotList(CK_TRUE, slots.data(), &count), "C_GetSlotList", label);
    slots.resize(count);
    std::vector<std::string> seen;
    for (const auto slot : slots) {
        CK_TOKEN_INFO info{};
        if (m_api->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
        const auto found = unpadded(info.label, sizeof info.label);
        if (found == label) return slot;
        seen.push_back(found);
    }
    std::string known;
    for (const auto& s : seen) known += (known.empty() ? "" : ", ") + ("'" + s + "'");
    throw Error(ErrorKind::Unavailable,
                "the PKCS#11 module " + m_path + " has no token labelled '" + label + "'" +
                    (known.empty() ? " (it shows no token at all)" : " (it has " + known + ")"));
}

std::string pkcs11_return_name(CK_RV rv) {
    switch (rv) {
        case CKR_OK: return "CKR_OK";
        case CKR_HOST_MEMORY: return "CKR_HOST_MEMORY";
        case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
        case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
        case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
        case CKR_ATTRIBUTE_SENSITIVE: return "CKR_ATTRIBUTE_SENSITIVE";
        case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
        case CKR_ATTRIBUTE_VALUE_INVALID: return "CKR_ATTRIBUTE_VALUE_INVALID";
        case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
        case CKR_DEVICE_MEMORY: return "CKR_DEVICE_MEMORY";
        case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
        case CKR_ENCRYPTED_DATA_INVALID: return "CKR_ENCRYPTED_DATA_INVALID";
        case CKR_ENCRYPTED_DATA_LEN_RANGE: return "CKR_ENCRYPTED_DATA_LEN_RANGE";
        case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
        case CKR_KEY_TYPE_INCONSISTENT: return "CKR_KEY_TYPE_INCONSISTENT";
        case CKR_KEY_FUNCTION_NOT_PERMITTED: return "CKR_KEY_FUNCTION_NOT_PERMITTED";
        case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
        case CKR_MECHANISM_PARAM_INVALID: return "CKR_MECHANISM_PARAM_INVALID";
        case CKR_OBJECT_HANDLE_INVALID: return "CKR_OBJECT_HANDLE_INVALID";
        case CKR_OPERATION_ACTIVE: return "CKR_OPERATION_ACTIVE";
        case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
        case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
        case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
        case CKR_SESSION_CLOSED: return "CKR_SESSION_CLOSED";
        case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
        case CKR_SESSION_COUNT: return "CKR_SESSION_COUNT";
        case CKR_TEMPLATE_INCOMPLETE: return "CKR_TEMPLATE_INCOMPLETE";
        case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
        case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
        case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
        case CKR_TOKEN_WRITE_PROTECTED: return "CKR_TOKEN_WRITE_PROTECTED";
        case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
        case CKR_USER_ALREADY_LOGGED_IN: return "CKR_USER_ALREADY_LOGGED_IN";
        case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
        case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
        case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
        case CKR_CRYPTOKI_ALREADY_INITIALIZED: return "CKR_CRYPTOKI_ALREADY_INITIALIZED";
        default: break;
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (CK_RV v = rv; v != 0 || hex.empty(); v >>= 4U) hex.insert(hex.begin(), digits[v & 0xfU]);
    return "CKR 0x" + hex;
}

void check_pkcs11(CK_RV rv, const char* what, const std::string& token) {
    if (rv == CKR_OK) return;
    throw Error(ErrorKind::Storage,
                "the PKCS#11 token '" + token + "' failed: " + what + " returned " + pkcs11_return_name(rv));
}

}  // namespace xrca::ca
