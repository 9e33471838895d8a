// The console's router: security headers, sessions, CSRF, sign-in (see console.h).
#include "console/console.h"

#include "ca/hierarchy.h"
#include "console/html.h"
#include "console/style.h"
#include "text/clean.h"

#include <algorithm>

namespace xrca::console {
namespace {

using enrollment::HttpRequest;
using enrollment::HttpResponse;
using enrollment::plain_response;

constexpr const char* k_cookie = "xrca_console";

/**
 * On every response. The CSP allows the console's own stylesheet and nothing else — no script,
 * no inline style, no other origin — and forms may post only here; the page may not be framed
 * (frame-ancestors, and X-Frame-Options for older browsers). Nothing is cached.
 */
void secure(HttpResponse& r) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Cache-Control", "no-store");
}

HttpResponse redirect(const std::string& location) {
    auto r = plain_response(303, "see " + location);
    r.headers.emplace_back("Location", location);
    return r;
}

void set_cookie(HttpResponse& r, const std::string& id, bool tls) {
    // No Max-Age: the browser forgets it when it closes; the server ends it after inactivity.
    r.headers.emplace_back("Set-Cookie", std::string(k_cookie) + "=" + id +
                                             "; Path=/admin/; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
}

void clear_cookie(HttpResponse& r, bool tls) {
    r.headers.emplace_back(
        "Set-Cookie",
        std::string(k_cookie) + "=; Path=/admin/; Max-Age=0; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : ""));
}

/** The value of cookie `name` in a Cookie header, or "". */
std::string cookie_value(const std::string& header, const std::string& name) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        const auto end = std::min(header.find(';', pos), header.size());
        auto pair = header.substr(pos, end - pos);
        while (!pair.empty() && pair.front() == ' ') pair.erase(0, 1);
        if (pair.size() > name.size() && pair.compare(0, name.size(), name) == 0 && pair[name.size()] == '=')
            return pair.substr(name.size() + 1);
        pos = end + 1;
    }
    return "";
}

ca::Caller caller_of(const HttpRequest& request, const std::string& principal) {
    ca::Caller c;
    c.principal = principal;
    c.address = request.remote_address;
    c.user_agent = text::log_field(request.header("user-agent"), 200);
    c.tls = request.tls;
    return c;
}

}  // namespace

HttpResponse page(int status, const Frame& frame, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = layout(frame, body);
    return r;
}

std::pair<int, std::string> refusal(const std::exception& e) {
    const auto* error = dynamic_cast<const Error*>(&e);
    if (!error) return {500, "internal error (the service's log has the detail)"};
    switch (error->kind()) {
        case ErrorKind::Malformed:
        case ErrorKind::Usage: return {400, e.what()};
        case ErrorKind::Unauthorized: return {403, e.what()};
        case ErrorKind::NotFound: return {404, e.what()};
        case ErrorKind::Conflict: return {409, e.what()};
        case ErrorKind::WrongState:
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked:
        case ErrorKind::UnsupportedVersion: return {422, e.what()};
        case ErrorKind::Busy:
        case ErrorKind::Unavailable: return {503, e.what()};
        case ErrorKind::Storage:
        case ErrorKind::KeyUnavailable:  // a server's fault, not the administrator's
        case ErrorKind::Internal: return {500, "internal error (the enrollment log has the detail)"};
    }
    return {500, "internal error"};
}

std::string Console::Call::query(const std::string& name) const {
    const auto it = http.query.find(name);
    return it == http.query.end() ? std::string() : it->second;
}

Console::Console(ca::Authority& authority, store::Store& store, enrollment::Service& service, ConsoleOptions options)
    : m_authority(authority), m_store(store), m_service(service), m_sessions(m_rng, options.idle) {}

HttpResponse Console::handle(const HttpRequest& request) {
    HttpResponse r;
    try {
        r = route(request);
    } catch (const std::exception& e) {
        const auto [status, text] = refusal(e);
        r = plain_response(status, text);
    }
    secure(r);
    return r;
}

std::optional<store::PrincipalRecord> Console::admin(const std::string& name) {
    // Read on every request: removing an admin principal ends its sessions at once.
    for (auto& p : m_authority.list_principals()) {
        if (p.name == name && p.role == "admin") return std::move(p);
    }
    return std::nullopt;
}

HttpResponse Console::route(const HttpRequest& request) {
    const auto& path = request.path;
    if (path == "/admin") return redirect("/admin/");
    if (path.rfind("/admin/", 0) != 0) return plain_response(404, "the console is under /admin/");
    if (request.method != "GET" && request.method != "POST") {
        auto r = plain_response(405, "the console answers GET and POST");
        r.headers.emplace_back("Allow", "GET, POST");
        return r;
    }
    if (path == "/admin/static/console.css") {
        HttpResponse r;
        r.content_type = "text/css; charset=utf-8";
        r.body = std::string(k_stylesheet);
        return r;
    }
    if (request.body_too_large) return plain_response(413, "the form is larger than 1 MiB");

    const auto cookie = cookie_value(request.header("cookie"), k_cookie);
    auto session = cookie.empty() ? std::nullopt : m_sessions.find(cookie);
    if (session) session->id = cookie;
    Form form;
    if (request.method == "POST") {
        try {
            form = parse_form(request.header("content-type"), request.body);
        } catch (const FormError& e) {
            return plain_response(400, e.what());
        }
        // Every form carries the session's token: a post another site makes the browser send has not got it.
        if (!session || !SessionTable::csrf_matches(*session, form.get("csrf")))
            return plain_response(
                403, "refused: the form's CSRF token is missing or is not this session's (reload the page)");
    }
    if (path == "/admin/login") {
        if (request.method == "POST") return sign_in(request, *session, form);
        if (session && !session->principal.empty()) return redirect("/admin/");
        const auto s = session ? *session : m_sessions.create("");
        auto r = page(200, Frame{"Sign in", "", "", s.csrf}, login_page(s.csrf, std::nullopt));
        if (!session) set_cookie(r, s.id, request.tls);
        return r;
    }
    if (path == "/admin/logout" && request.method == "POST") {
        m_sessions.remove(session->id);
        auto r = redirect("/admin/login");
        clear_cookie(r, request.tls);
        return r;
    }
    const auto who = session && !session->principal.empty() ? admin(session->principal) : std::nullopt;
    if (!who) {
        if (request.method == "POST") return plain_response(403, "sign in first (/admin/login)");
        return redirect("/admin/login");
    }
    Call call{request, *session, caller_of(request, "admin:" + who->name), std::move(form)};
    call.caller.account = who;
    if (path == "/admin/") return overview(call);
    if (path == "/admin/certificates") return certificates(call);
    if (path.rfind("/admin/certificates/", 0) == 0 && request.method == "GET")
        return certificate(call, path.substr(std::string("/admin/certificates/").size()));
    if (path == "/admin/principals") return principals(call);
    if (path == "/admin/trust") return trust(call);
    if (path == "/admin/revocation") return revocation(call);
    if (path == "/admin/log" && request.method == "GET") return log(call);
    if (path == "/admin/activity" && request.method == "GET") return activity(call);
    return page(404, Frame{"Not found", "", who->name, session->csrf},
                notice("error", "There is no console page at " + path + "."));
}

HttpResponse Console::sign_in(const HttpRequest& request, const SessionView& session, const Form& form) {
    auto caller = caller_of(request, "console");
    std::optional<store::PrincipalRecord> who;
    auto& audit = m_authority.audit();
    try {
        // One audited request: a refusal is logged by the audit, the sign-in by the entry below.
        audit.run("ConsoleSignIn", caller, "", [&] {
            who = m_authority.authenticate(form.get("token"));
            if (!who) throw Error(ErrorKind::Unauthorized, "refused a token that belongs to no principal");
            if (who->role != "admin") {
                throw Error(ErrorKind::Unauthorized,
                            "refused the " + who->role + " principal " + who->name + ": only admin principals sign in");
            }
            caller.principal = "admin:" + who->name;
            audit.append(audit.entry(ca::new_guid(m_rng), "ConsoleSignIn", caller, "", "", "accepted",
                                     "signed in to the administrator's console"));
            return 0;
        });
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Unauthorized) throw;
        return page(
            403, Frame{"Sign in", "", "", session.csrf},
            login_page(session.csrf, Outcome{"error", "Not signed in: that is not the token of an admin principal."}));
    }
    // A new session ID at sign-in: an ID someone planted before cannot become a signed-in one.
    m_sessions.remove(session.id);
    const auto fresh = m_sessions.create(who->name);
    auto r = redirect("/admin/");
    set_cookie(r, fresh.id, request.tls);
    return r;
}

}  // namespace xrca::console
