// The console's pages as controllers: each reads what its page shows through ca::Authority (and
// the store interfaces `xrca log` and `xrca status` use), does what a POST asked through the
// same authority operations as the CLI — logged with the admin principal as the caller — and
// renders the page (pages.h).
#include "console/console.h"
#include "console/html.h"

#include "text/clean.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>

namespace xrca::console {
namespace {

using enrollment::HttpResponse;

/** The newest log entries one page shows; the count says how many more matched. */
constexpr std::size_t k_log_rows = 200;
/** Certificates per page of a search. */
constexpr std::size_t k_certificate_rows = 50;

Frame frame(const Console::Call& call, const std::string& title, const std::string& current) {
    return Frame{title, current, call.caller.account ? call.caller.account->name : "", call.session.csrf};
}

/** Runs a POST's action, turning a refusal into the outcome shown (and the page's status). */
template <typename Fn>
std::optional<Outcome> act(int& status, Fn&& fn) {
    try {
        return Outcome{"ok", fn()};
    } catch (const std::exception& e) {
        auto [code, text] = refusal(e);
        status = code;
        return Outcome{"error", text};
    }
}

/** A key to trust or exclude, from an uploaded <PUBLICKEY> file or a certificate naming one (as `xrca trust add`). */
xrml::PublicKey uploaded_key(const Form& form) {
    const auto it = form.files.find("key");
    if (it == form.files.end() || it->second.empty()) throw Error(ErrorKind::Usage, "choose a key or certificate file");
    try {
        return xrml::read_public_key_file(it->second);
    } catch (const xrml::FormatError&) {
    }
    try {
        const auto set = xrml::read_documents(it->second);
        if (!set.documents.empty() && set.documents.front().principal && set.documents.front().principal->key)
            return *set.documents.front().principal->key;
    } catch (const xrml::FormatError&) {
    }
    throw Error(ErrorKind::Malformed, "the file is neither a <PUBLICKEY> file nor a certificate that names a key");
}

/** A date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM) from a form, as the store compares times. */
std::optional<std::string> time_field(const std::string& name, const std::string& value) {
    if (value.empty()) return std::nullopt;
    const auto t = xrml::Time::try_parse(value.size() == 10 ? value + "T00:00" : value);
    if (!t)
        throw Error(ErrorKind::Usage, name + " '" + value + "' is not a date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM)");
    return t->to_iso8601();
}

xrml::Time now() {
    return xrml::Time::from_unix(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

HttpResponse html(int status, const Frame& f, const std::string& body) { return page(status, f, body); }

}  // namespace

HttpResponse Console::overview(Call& call) {
    OverviewView v;
    v.status = m_authority.status();
    v.now = now();
    for (const auto& text : m_authority.own_chain()) {
        for (const auto& doc : xrml::read_documents(text).documents) {
            ChainEntry e;
            e.kind = doc.kind();
            if (doc.principal) {
                e.name = doc.principal->object.name.value_or(doc.principal->object.id.value);
                if (doc.principal->key) e.key_fingerprint = doc.principal->key->fingerprint();
            }
            e.validity = doc.validity;
            v.chain.push_back(std::move(e));
        }
    }
    const auto health = m_service.health();
    v.healthy = health.ok;
    v.health = health.text;
    v.revocation_list = m_store.published_revocation_list_head();
    v.revocation_list_url = m_authority.revocation_list_url();
    v.revocations = m_authority.list_revocations().size();
    v.key_pool_ready = m_authority.client_keys_ready();
    v.principals = m_authority.list_principals().size();
    v.decommissioned = m_authority.decommissioned();
    return html(200, frame(call, "Overview", "overview"), overview_page(v));
}

HttpResponse Console::certificates(Call& call) {
    int status = 200;
    std::optional<Outcome> outcome;
    if (call.post()) {
        const auto id = call.form.get("id");
        const auto action = call.form.get("action");
        const auto found = m_authority.find_certificate(id);
        if (!found) throw Error(ErrorKind::NotFound, "no certificate " + id + " was issued here");
        ca::RevocationRequest request;
        request.type = xrml::RevokeType::LicenseId;
        request.value = found->certificate.id;
        request.reason = text::capped(call.form.get("reason"), 200);
        if (action == "revoke") {
            // The confirmation step: what the revocation names, as `xrca revoke` shows before it asks.
            RevocationConfirmView v{*found, m_authority.preview_revocation(request), request.reason, call.session.csrf};
            return html(200, frame(call, "Revoke this certificate?", "certificates"), revocation_confirm_page(v));
        }
        if (action != "revoke-confirmed") throw Error(ErrorKind::Usage, "unknown action");
        outcome = act(status, [&] {
            const auto rec = m_authority.revoke(request, call.caller);
            return "Revoked " + rec.type + " " + rec.value +
                   "; it is in the next revocation list this authority signs.";
        });
        return certificate(call, found->certificate.id, outcome, status);
    }
    CertificateListView v;
    auto& q = v.query;
    q.kind = call.query("kind");
    q.user = call.query("user");
    q.machine = call.query("machine");
    q.since = call.query("since");
    q.until = call.query("until");
    q.revoked = call.query("revoked");
    q.status = call.query("status");
    store::CertificateFilter filter;
    try {
        if (!q.kind.empty()) {
            filter.kind = kind_of(q.kind);
            if (!filter.kind) throw Error(ErrorKind::Usage, "'" + q.kind + "' is not a certificate kind");
        }
        if (!q.user.empty()) filter.subject = q.user;
        if (!q.machine.empty()) filter.machine = q.machine;
        filter.issued_since = time_field("issued since", q.since);
        filter.issued_until = time_field("issued before", q.until);
        if (q.revoked == "yes" || q.revoked == "no") filter.revoked = q.revoked == "yes";
        if (q.status == "all") {
            filter.status = "";
        } else if (q.status == "pending" || q.status == "abandoned") {
            filter.status = q.status;
        }
        const auto before_issued = call.query("before_issued"), before_id = call.query("before_id");
        if (!before_issued.empty() && !before_id.empty()) filter.before = std::make_pair(before_issued, before_id);
        filter.limit = k_certificate_rows;
        v.rows = m_authority.list_certificates(filter);
    } catch (const Error& e) {
        const auto [code, text] = refusal(e);
        status = code;
        outcome = Outcome{"error", text};
    }
    if (v.rows.size() == k_certificate_rows) {
        v.more = true;
        const auto& last = v.rows.back().certificate;
        for (const auto& [name, value] :
             std::vector<std::pair<std::string, std::string>>{{"kind", q.kind},
                                                              {"user", q.user},
                                                              {"machine", q.machine},
                                                              {"since", q.since},
                                                              {"until", q.until},
                                                              {"revoked", q.revoked},
                                                              {"status", q.status},
                                                              {"before_issued", last.issued},
                                                              {"before_id", last.id}}) {
            if (!value.empty())
                v.next_page_query += (v.next_page_query.empty() ? "" : "&") + name + "=" + url_encode(value);
        }
    }
    return html(status, frame(call, "Certificates", "certificates"), certificate_list_page(v, outcome));
}

HttpResponse Console::certificate(Call& call, const std::string& id, const std::optional<Outcome>& outcome,
                                  int status) {
    const auto found = m_authority.find_certificate(id);
    if (!found) {
        return html(404, frame(call, "Certificate", "certificates"),
                    notice("error", "No certificate " + id + " was issued here."));
    }
    const auto& c = found->certificate;
    if (call.query("download") == "1") {
        if (!c.xrml) throw Error(ErrorKind::NotFound, "certificate " + c.id + " has no document: it is " + c.status);
        HttpResponse r;
        r.content_type = "application/xml; charset=utf-8";
        r.body = *c.xrml;
        // The ID is a GUID the authority made; anything else in it is replaced, not trusted in a header.
        std::string file;
        for (const char ch : c.id) file += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ? ch : '_';
        r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + ".xml\"");
        return r;
    }
    CertificateDetailView v{*found, "not issued: no document", false, call.session.csrf};
    if (c.xrml) {
        // The document's own verdict, as `xrca certs show` gives it; a stored text that does not
        // read is a verdict too, not a failure of the page.
        try {
            const auto doc = xrml::read_documents(*c.xrml).documents.front();
            const auto check = xrml::verify_signature(doc);
            v.verified = check.ok();
            v.verdict = check.ok() ? "signature verifies with issuer key " + doc.issuer.key->fingerprint()
                                   : "SIGNATURE DOES NOT VERIFY: " + check.detail;
        } catch (const xrml::FormatError& e) {
            v.verdict = std::string("THE STORED DOCUMENT DOES NOT READ: ") + e.what();
        }
    }
    return html(status, frame(call, "Certificate " + c.id, "certificates"), certificate_detail_page(v, outcome));
}

HttpResponse Console::principals(Call& call) {
    int status = 200;
    std::optional<Outcome> outcome;
    PrincipalsView v;
    if (call.post()) {
        const auto action = call.form.get("action");
        const auto name = call.form.get("name");
        outcome = act(status, [&]() -> std::string {
            if (action == "add") {
                const auto role = call.form.get("role");
                const auto token = m_authority.add_principal(name, role, call.form.get("email"),
                                                             call.form.get("user_id"), call.caller);
                v.new_token = std::make_pair(name, token);
                return "Added the " + role + " principal " + name + ".";
            }
            if (action == "remove") {
                m_authority.remove_principal(name, call.caller);
                return "Removed " + name + "; its token no longer works.";
            }
            throw Error(ErrorKind::Usage, "unknown action");
        });
    }
    v.principals = m_authority.list_principals();
    v.csrf = call.session.csrf;
    return html(status, frame(call, "Principals", "principals"), principals_page(v, outcome));
}

HttpResponse Console::trust(Call& call) {
    int status = 200;
    std::optional<Outcome> outcome;
    if (call.post()) {
        const auto action = call.form.get("action");
        outcome = act(status, [&]() -> std::string {
            if (action == "add-trust") {
                const auto purpose = call.form.get("purpose");
                if (purpose != "spc-issuer" && purpose != "rac-issuer")
                    throw Error(ErrorKind::Usage, "the purpose is spc-issuer or rac-issuer");
                const auto key = uploaded_key(call.form);
                m_authority.add_trust(
                    purpose == "spc-issuer" ? ca::TrustPurpose::SpcIssuer : ca::TrustPurpose::RacIssuer, key,
                    call.form.get("label"), call.caller);
                return "Now trusting " + key.fingerprint() + " as " + purpose + ".";
            }
            if (action == "remove-trust") {
                m_authority.remove_trust(call.form.get("fingerprint"), call.caller);
                return "No longer trusting " + call.form.get("fingerprint") + ".";
            }
            if (action == "exclude-rac-key") {
                const auto key = uploaded_key(call.form);
                m_authority.exclude_rac_key(key, call.form.get("reason"), call.caller);
                return "RACs for key " + key.fingerprint() + " are refused from now on.";
            }
            if (action == "min-spc-version") {
                m_authority.set_min_spc_version(call.form.get("version"), call.form.get("reason"), call.caller);
                return "SPCs older than " + call.form.get("version") + " are refused from now on.";
            }
            if (action == "remove-exclusion") {
                const auto kind = call.form.get("kind");
                if (kind != "rac-key" && kind != "min-spc-version")
                    throw Error(ErrorKind::Usage, "the exclusion kind is rac-key or min-spc-version");
                m_authority.remove_exclusion(
                    kind == "rac-key" ? ca::ExclusionKind::RacKey : ca::ExclusionKind::MinSpcVersion,
                    call.form.get("value"), call.caller);
                return "Removed the exclusion " + call.form.get("value") + ".";
            }
            throw Error(ErrorKind::Usage, "unknown action");
        });
    }
    TrustView v{m_authority.list_trust(), m_authority.list_exclusions(), call.session.csrf};
    return html(status, frame(call, "Trust and exclusions", "trust"), trust_page(v, outcome));
}

HttpResponse Console::revocation(Call& call) {
    int status = 200;
    std::optional<Outcome> outcome;
    if (call.post()) {
        outcome = act(status, [&]() -> std::string {
            if (call.form.get("action") != "publish") throw Error(ErrorKind::Usage, "unknown action");
            const auto before = m_store.published_revocation_list_head();
            (void)m_authority.current_revocation_list(call.caller);
            const auto after = m_store.published_revocation_list_head();
            if (after && (!before || before->id != after->id))
                return "Signed and published revocation list " + after->id + ".";
            return "The published list is current: nothing was revoked since it was signed.";
        });
    }
    RevocationView v;
    v.revocations = m_authority.list_revocations();
    std::reverse(v.revocations.begin(), v.revocations.end());
    v.published = m_store.published_revocation_list_head();
    v.url = m_authority.revocation_list_url();
    v.now = now();
    v.csrf = call.session.csrf;
    return html(status, frame(call, "Revocation", "revocation"), revocation_page(v, outcome));
}

HttpResponse Console::log(Call& call) {
    int status = 200;
    std::optional<Outcome> outcome;
    LogView v;
    auto& q = v.query;
    q.since = call.query("since");
    q.until = call.query("until");
    q.operation = call.query("operation");
    q.outcome = call.query("outcome");
    q.caller = call.query("caller");
    // Unless told otherwise the last day: a log of millions is read from where the filter starts.
    if (call.http.query.find("since") == call.http.query.end()) q.since = now().plus_seconds(-86400).to_xrml();
    try {
        const auto since = time_field("since", q.since).value_or("");
        const auto until = time_field("until", q.until);
        std::deque<store::LogEntry> newest;
        m_store.for_each_log(since, [&](const store::LogEntry& e) {
            if (until && e.time >= *until) return true;
            if (!q.operation.empty() && e.operation != q.operation) return true;
            if (!q.outcome.empty() && e.outcome != q.outcome) return true;
            if (!q.caller.empty() && e.caller.find(q.caller) == std::string::npos) return true;
            ++v.matched;
            newest.push_back(e);
            if (newest.size() > k_log_rows) newest.pop_front();
            return true;
        });
        v.entries.assign(newest.rbegin(), newest.rend());
        if (call.query("verify") == "1") v.check = m_store.verify_log();
    } catch (const Error& e) {
        const auto [code, text] = refusal(e);
        status = code;
        outcome = Outcome{"error", text};
    }
    return html(status, frame(call, "Enrollment log", "log"), log_page(v, outcome));
}

HttpResponse Console::activity(Call& call) {
    return html(200, frame(call, "Activity", "activity"), activity_page(m_service.metrics().activity()));
}

}  // namespace xrca::console
