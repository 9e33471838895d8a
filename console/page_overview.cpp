// The sign-in page and the overview: what `xrca status` and GET /healthz say, at a glance.
#include "console/html.h"
#include "console/pages.h"

namespace xrca::console {
namespace {

std::string card(const std::string& label, const std::string& value_html, const std::string& css = "") {
    return "<div class=\"card\"><div class=\"label\">" + escape(label) + "</div><div class=\"value" +
           (css.empty() ? "" : " " + css) + "\">" + value_html + "</div></div>";
}

std::string code(const std::string& text) {
    return text.empty() ? "<span class=\"muted\">(none)</span>" : "<code>" + escape(text) + "</code>";
}

std::int64_t days_between(xrml::Time from, xrml::Time to) { return (to.unix_seconds() - from.unix_seconds()) / 86400; }

}  // namespace

std::string login_page(const std::string& csrf, const std::optional<Outcome>& outcome) {
    std::string body = "<div class=\"login\">";
    if (outcome) body += notice(outcome->kind, outcome->text);
    body +=
        "<p>Sign in with the bearer token of an <code>admin</code> principal "
        "(<code>xrca principal add NAME --role admin</code>).</p>" +
        post_form("/admin/login", "stacked", "", csrf, "") +
        "<label>token<input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"off\" required></label>"
        "<button type=\"submit\" id=\"sign-in\">sign in</button></form></div>";
    return body;
}

std::string overview_page(const OverviewView& v) {
    const auto& s = v.status;
    std::string body = "<div class=\"cards\">";
    body += card("health", v.healthy ? "healthy" : "unhealthy", v.healthy ? "ok" : "bad");
    body += card("state", escape(v.decommissioned ? "decommissioned" : s.state),
                 s.state == "active" && !v.decommissioned ? "ok" : "warning");
    if (s.slc_validity) {
        const auto left = days_between(v.now, s.slc_validity->until);
        body += card("SLC days left", std::to_string(left), left < 30 ? "bad" : (left < 90 ? "warning" : "ok"));
    }
    std::int64_t issued = 0;
    for (const auto& [kind, n] : s.issued_by_kind) issued += n;
    body += card("certificates issued", std::to_string(issued));
    if (v.revocation_list) {
        if (const auto signed_at = xrml::Time::try_parse(v.revocation_list->signed_at)) {
            const auto minutes = (v.now.unix_seconds() - signed_at->unix_seconds()) / 60;
            body += card("revocation list age", std::to_string(minutes) + " min");
        }
    } else {
        body += card("revocation list age", "not yet signed", "warning");
    }
    body += card("CLC key pool", std::to_string(v.key_pool_ready) + " ready");
    body += "</div>";
    body += "<p class=\"muted\" id=\"health-text\">" + escape(v.health) + "</p>";

    body += "<h2>Authority</h2>";
    std::vector<std::pair<std::string, std::string>> rows = {
        {"role", escape(s.role)},
        {"name", escape(s.name)},
        {"GUID", code(s.guid)},
        {"URL", code(s.base_url)},
        {"extranet URL", code(s.extranet_url)},
        {"crypto mode", escape(s.crypto_mode.description())},
        {"revocation", escape(s.revocation)},
        {"trust anchor", code(s.anchor_fingerprint)},
        {"revocation list", code(v.revocation_list_url)},
    };
    if (!s.pending_request_id.empty())
        rows.emplace_back("pending request",
                          code(s.pending_request_id) + " for key " + code(s.pending_key_fingerprint));
    body += fields(rows);

    body += "<h2>SLC chain</h2>";
    std::vector<std::vector<std::string>> chain;
    for (const auto& c : v.chain) {
        std::string valid = "—", left = "—";
        if (c.validity) {
            valid = escape(c.validity->from.to_xrml()) + " to " + escape(c.validity->until.to_xrml());
            const auto days = days_between(v.now, c.validity->until);
            left = "<span class=\"" + std::string(days < 30 ? "bad" : (days < 90 ? "warning" : "ok")) + "\">" +
                   std::to_string(days) + "</span>";
        }
        chain.push_back({escape(c.kind), escape(c.name), code(c.key_fingerprint), valid, left});
    }
    body += table({"kind", "name", "key", "valid", "days left"}, chain, "no chain yet: the cluster awaits enrollment");

    body += "<h2>Where the keys live</h2>";
    std::vector<std::vector<std::string>> keys;
    for (const auto& k : s.keys) {
        keys.push_back({escape(k.name),
                        k.custody == store::KeyCustody::Pkcs11
                            ? "PKCS#11 token '" + escape(k.token) + "', object '" + escape(k.object) + "'"
                            : std::string("software (encrypted in the database)"),
                        code(k.fingerprint)});
    }
    body += table({"key", "custody", "fingerprint"}, keys, "no keys");

    body += "<h2>Counts</h2>";
    std::vector<std::vector<std::string>> counts;
    for (const auto& [kind, n] : s.issued_by_kind) counts.push_back({escape(short_kind(kind)), std::to_string(n)});
    counts.push_back({"pending issuances", std::to_string(s.pending)});
    counts.push_back({"escrowed user keys", std::to_string(s.user_keys)});
    counts.push_back({"trusted keys", std::to_string(s.trusted_keys)});
    counts.push_back({"revocations", std::to_string(v.revocations)});
    counts.push_back({"principals", std::to_string(v.principals)});
    counts.push_back({"log entries", std::to_string(s.log_entries)});
    body += table({"what", "how many"}, counts, "");
    return body;
}

}  // namespace xrca::console
