// A PKCS#11 module (the .so of a token vendor, SoftHSM2, …), loaded once per process and path.
//
// A module keeps process-wide state (C_Initialize once, login per token and application), so
// every user of the same path shares one Pkcs11Module: the last one to let go finalizes and
// unloads it. The module is initialised with CKF_OS_LOCKING_OK: it may be called from any
// thread, and it locks with the OS's primitives itself.
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>

namespace xrca::ca {

class Pkcs11Module {
public:
    /**
     * The module at `path`, loaded and initialised (or the one already loaded). Error(Unavailable)
     * naming the path when there is no such file or it cannot be loaded (the key store cannot be
     * reached), Error(NotFound) when it is not a PKCS#11 module; nothing else happens then.
     */
    static std::shared_ptr<Pkcs11Module> load(const std::string& path);

    ~Pkcs11Module();
    Pkcs11Module(const Pkcs11Module&) = delete;
    Pkcs11Module& operator=(const Pkcs11Module&) = delete;

    /** The module's functions. */
    [[nodiscard]] CK_FUNCTION_LIST& api() const noexcept { return *m_api; }
    [[nodiscard]] const std::string& path() const noexcept { return m_path; }

    /** The slot holding the token labelled `label`; Error(Unavailable) naming the label and the module. */
    [[nodiscard]] CK_SLOT_ID find_token(const std::string& label) const;

private:
    Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* api, bool finalize);

    std::string m_path;
    void* m_handle;
    CK_FUNCTION_LIST* m_api;
    bool m_finalize;  ///< false when someone else in the process initialised the module first
};

/** The CKR_ name of a return value ("CKR_PIN_INCORRECT"), or its number in hex. */
std::string pkcs11_return_name(CK_RV rv);

/** Error(Storage) "the token LABEL failed: WHAT returned CKR_…" unless `rv` is CKR_OK. */
void check_pkcs11(CK_RV rv, const char* what, const std::string& token);

}  // namespace xrca::ca
