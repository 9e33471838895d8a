// A logged-in token and its pool of sessions (see pkcs11_token.h).
#include "ca/pkcs11_token.h"

#include "ca/errors.h"

#include <exception>

namespace xrca::ca {

Pkcs11Token::Pkcs11Token(std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, std::string label)
    : m_module(std::move(module)), m_slot(slot), m_label(std::move(label)) {}

std::shared_ptr<Pkcs11Token> Pkcs11Token::open(const std::string& module_path, const std::string& label,
                                               const Password& pin) {
    if (pin.empty()) throw Error(ErrorKind::Usage, "the PIN of token '" + label + "' must not be empty");
    auto module = Pkcs11Module::load(module_path);
    const auto slot = module->find_token(label);
    std::shared_ptr<Pkcs11Token> token(new Pkcs11Token(std::move(module), slot, label));
    token->m_login_session = token->open_session();
    const auto& bytes = pin.bytes();
    // C_Login does not write through the pointer; the API just is not const-correct.
    auto* text = reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(bytes.data()));
    const CK_RV rv = token->api().C_Login(token->m_login_session, CKU_USER, text, bytes.size());
    switch (rv) {
        // Another user of the module in this process logged in already: the login is the
        // application's, so it holds for this token too (the PIN was checked then).
        case CKR_OK:
        case CKR_USER_ALREADY_LOGGED_IN: return token;
        case CKR_PIN_INCORRECT:
        case CKR_PIN_LEN_RANGE:
            throw Error(ErrorKind::KeyUnavailable, "the PIN does not open token '" + label + "' (" +
                                                       pkcs11_return_name(rv) + "); nothing was changed");
        case CKR_PIN_LOCKED:
            throw Error(ErrorKind::KeyUnavailable, "the user PIN of token '" + label +
                                                       "' is locked (CKR_PIN_LOCKED): its security officer must "
                                                       "unlock it; nothing was changed");
        case CKR_USER_PIN_NOT_INITIALIZED:
            throw Error(ErrorKind::KeyUnavailable,
                        "token '" + label +
                            "' has no user PIN yet: initialise it (e.g. softhsm2-util --init-token, "
                            "pkcs11-tool --init-pin)");
        default: token->check(rv, "C_Login"); return token;
    }
}

Pkcs11Token::~Pkcs11Token() {
    for (const auto s : m_idle) (void)api().C_CloseSession(s);
    // The last session of the application: the token logs its user out as it closes.
    if (m_login_session != CK_INVALID_HANDLE) (void)api().C_CloseSession(m_login_session);
}

CK_SESSION_HANDLE Pkcs11Token::open_session() const {
    CK_SESSION_HANDLE handle = CK_INVALID_HANDLE;
    check(api().C_OpenSession(m_slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &handle), "C_OpenSession");
    return handle;
}

Pkcs11Token::Session Pkcs11Token::session() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_idle.empty()) {
            const auto handle = m_idle.back();
            m_idle.pop_back();
            return {*this, handle};
        }
    }
    return {*this, open_session()};
}

Pkcs11Token::Session::Session(Pkcs11Token& token, CK_SESSION_HANDLE handle)
    : m_token(&token), m_handle(handle), m_exceptions(std::uncaught_exceptions()) {}

Pkcs11Token::Session::Session(Session&& other) noexcept
    : m_token(other.m_token), m_handle(other.m_handle), m_exceptions(other.m_exceptions) {
    other.m_token = nullptr;
}

Pkcs11Token::Session::~Session() {
    if (!m_token) return;
    // An operation that failed half-way may have left the session in a state nobody knows
    // (an operation still active): it is closed, and the next caller opens a fresh one.
    if (std::uncaught_exceptions() > m_exceptions) {
        (void)m_token->api().C_CloseSession(m_handle);
        return;
    }
    std::lock_guard<std::mutex> lock(m_token->m_mutex);
    m_token->m_idle.push_back(m_handle);
}

std::vector<CK_OBJECT_HANDLE> Pkcs11Token::find(Session& session, std::vector<CK_ATTRIBUTE> match) const {
    check(api().C_FindObjectsInit(session.handle(), match.data(), match.size()), "C_FindObjectsInit");
    std::vector<CK_OBJECT_HANDLE> found;
    CK_RV rv = CKR_OK;
    for (;;) {
        CK_OBJECT_HANDLE batch[16];
        CK_ULONG count = 0;
        rv = api().C_FindObjects(session.handle(), batch, 16, &count);
        if (rv != CKR_OK || count == 0) break;
        found.insert(found.end(), batch, batch + count);
    }
    const CK_RV final_rv = api().C_FindObjectsFinal(session.handle());
    check(rv, "C_FindObjects");
    check(final_rv, "C_FindObjectsFinal");
    return found;
}

std::vector<std::uint8_t> Pkcs11Token::attribute(Session& session, CK_OBJECT_HANDLE object,
                                                 CK_ATTRIBUTE_TYPE type) const {
    CK_ATTRIBUTE a{type, nullptr, 0};
    check(api().C_GetAttributeValue(session.handle(), object, &a, 1), "C_GetAttributeValue");
    std::vector<std::uint8_t> value(a.ulValueLen);
    a.pValue = value.data();
    check(api().C_GetAttributeValue(session.handle(), object, &a, 1), "C_GetAttributeValue");
    value.resize(a.ulValueLen);
    return value;
}

}  // namespace xrca::ca
