// The administrator's console (docs/console.md): HTML pages under /admin/ for an `admin`
// principal, on a listener of its own. The router here does the security: sessions and their
// cookie, the CSRF token every POST must carry, the headers every response carries (CSP
// without unsafe-inline, no framing), and sign-in with an admin principal's token. The pages'
// data and actions come from ca::Authority and the store interfaces the CLI uses (actions.cpp);
// every action is logged by the authority with the admin principal as the caller.
//
// Threading: handle() is called concurrently by the HTTP server's threads; the authority and
// the store are thread-safe, the session table locks on its own.
#pragma once

#include "ca/authority.h"
#include "console/form.h"
#include "console/html.h"
#include "console/pages.h"
#include "console/sessions.h"
#include "enrollment/http_server.h"
#include "enrollment/service.h"
#include "store/store.h"

#include <botan/system_rng.h>

#include <chrono>
#include <optional>
#include <string>

namespace xrca::console {

struct ConsoleOptions {
    /** A session ends after this long without a request (OWASP: 15 to 30 minutes for admins). */
    std::chrono::seconds idle{15 * 60};
};

class Console {
public:
    Console(ca::Authority& authority, store::Store& store, enrollment::Service& service, ConsoleOptions options = {});
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    /** Thread-safe; never throws (errors become pages with their status). */
    enrollment::HttpResponse handle(const enrollment::HttpRequest& request);

    /** One request as the pages' controllers see it: signed in, its form read and its CSRF token checked. */
    struct Call {
        const enrollment::HttpRequest& http;
        SessionView session;
        ca::Caller caller;  ///< "admin:NAME", with the request's address and user agent
        Form form;          ///< a POST's fields; empty for a GET
        [[nodiscard]] bool post() const { return http.method == "POST"; }
        [[nodiscard]] std::string query(const std::string& name) const;
    };

private:
    enrollment::HttpResponse route(const enrollment::HttpRequest& request);
    enrollment::HttpResponse sign_in(const enrollment::HttpRequest& request, const SessionView& session,
                                     const Form& form);
    /** The admin principal a signed-in session names, if it still exists with that role. */
    std::optional<store::PrincipalRecord> admin(const std::string& name);

    // The pages (actions.cpp): each renders its page, after doing what a POST asked.
    enrollment::HttpResponse overview(Call& call);
    enrollment::HttpResponse certificates(Call& call);
    enrollment::HttpResponse certificate(Call& call, const std::string& id,
                                         const std::optional<Outcome>& outcome = std::nullopt, int status = 200);
    enrollment::HttpResponse principals(Call& call);
    enrollment::HttpResponse trust(Call& call);
    enrollment::HttpResponse revocation(Call& call);
    enrollment::HttpResponse log(Call& call);
    enrollment::HttpResponse activity(Call& call);

    ca::Authority& m_authority;
    store::Store& m_store;
    enrollment::Service& m_service;
    Botan::System_RNG m_rng;
    SessionTable m_sessions;
};

/** An HTML page response: `body` in the layout, with `status`. */
enrollment::HttpResponse page(int status, const Frame& frame, const std::string& body);
/** The status and the text a refusal of the authority shows (internal details stay in the log). */
std::pair<int, std::string> refusal(const std::exception& e);

}  // namespace xrca::console
