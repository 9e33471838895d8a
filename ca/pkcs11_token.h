// One PKCS#11 token, logged in as its user, and the sessions the authority's threads sign in.
//
// A PKCS#11 session runs one operation at a time and is not to be shared between threads, so
// idle sessions are pooled: a caller takes one for an operation (a Session lease) and gives it
// back; concurrent callers each get their own, and the pool grows to the number of threads that
// ever signed at once. The user's login belongs to the application, not to a session: it holds
// while any session is open, so the token keeps one session of its own, never lent out, for as
// long as it lives.
#pragma once

#include "ca/key_protection.h"
#include "ca/pkcs11_module.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace xrca::ca {

class Pkcs11Token {
public:
    /**
     * Finds the token `label` in the module at `module_path` and logs its user in with `pin`.
     * Error(Unavailable) naming the module or the token when either cannot be reached,
     * Error(KeyUnavailable) "the PIN does not open token …" for a wrong PIN. Nothing on the token changes either way.
     */
    static std::shared_ptr<Pkcs11Token> open(const std::string& module_path, const std::string& label,
                                             const Password& pin);
    ~Pkcs11Token();
    Pkcs11Token(const Pkcs11Token&) = delete;
    Pkcs11Token& operator=(const Pkcs11Token&) = delete;

    /** A session taken from the pool for one operation; back to the pool when it ends. */
    class Session {
    public:
        Session(Session&& other) noexcept;
        Session& operator=(Session&&) = delete;
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;
        /** Back to the pool, or closed if an exception is leaving (its state is then unknown). */
        ~Session();
        [[nodiscard]] CK_SESSION_HANDLE handle() const noexcept { return m_handle; }

    private:
        friend class Pkcs11Token;
        Session(Pkcs11Token& token, CK_SESSION_HANDLE handle);
        Pkcs11Token* m_token;
        CK_SESSION_HANDLE m_handle;
        int m_exceptions;  ///< exceptions in flight when it was taken
    };
    [[nodiscard]] Session session();

    [[nodiscard]] CK_FUNCTION_LIST& api() const noexcept { return m_module->api(); }
    [[nodiscard]] const std::string& module_path() const noexcept { return m_module->path(); }
    [[nodiscard]] const std::string& label() const noexcept { return m_label; }

    /** Error(Storage) naming this token and `what` unless `rv` is CKR_OK. */
    void check(CK_RV rv, const char* what) const { check_pkcs11(rv, what, m_label); }

    /** The objects matching `match` (C_FindObjects). */
    [[nodiscard]] std::vector<CK_OBJECT_HANDLE> find(Session& session, std::vector<CK_ATTRIBUTE> match) const;
    /** One attribute's value; Error(Storage) when the token will not give it. */
    [[nodiscard]] std::vector<std::uint8_t> attribute(Session& session, CK_OBJECT_HANDLE object,
                                                      CK_ATTRIBUTE_TYPE type) const;

private:
    Pkcs11Token(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, std::string label);
    CK_SESSION_HANDLE open_session() const;

    std::shared_ptr<Pkcs11Module> m_module;
    CK_SLOT_ID m_slot;
    std::string m_label;
    CK_SESSION_HANDLE m_login_session = CK_INVALID_HANDLE;
    std::mutex m_mutex;
    std::vector<CK_SESSION_HANDLE> m_idle;
};

}  // namespace xrca::ca
