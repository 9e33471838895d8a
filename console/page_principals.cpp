// The principals page (who may call the service, and who may sign in here) and the trust page
// (trusted SPC and RAC issuers, exclusions).
#include "console/html.h"
#include "console/pages.h"

namespace xrca::console {
namespace {

std::string code(const std::string& text) { return "<code>" + escape(text) + "</code>"; }

std::string remove_button(const std::string& csrf, const std::string& action, const std::string& page,
                          const std::vector<std::pair<std::string, std::string>>& hidden, const std::string& id) {
    std::string out = post_form(page, "inline", "", csrf, action);
    for (const auto& [name, value] : hidden)
        out += "<input type=\"hidden\" name=\"" + escape(name) + "\" value=\"" + escape(value) + "\">";
    return out + "<button type=\"submit\" class=\"danger\" id=\"" + escape(id) + "\">remove</button></form>";
}

}  // namespace

std::string principals_page(const PrincipalsView& v, const std::optional<Outcome>& outcome) {
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    if (v.new_token) {
        body += "<p>The bearer token of <strong>" + escape(v.new_token->first) +
                "</strong> follows. It is shown only now and stored only as a hash:</p><p class=\"token\" "
                "id=\"new-token\">" +
                escape(v.new_token->second) + "</p>";
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : v.principals) {
        std::string detail;
        if (!p.email.empty()) detail += escape(p.email) + " ";
        if (!p.user_id.empty()) detail += code(p.user_id);
        if (!p.cluster_guid.empty()) detail += " bound to " + code(p.cluster_guid);
        for (const auto& g : p.may_certify) detail += " may certify " + code(g);
        rows.push_back({"<span class=\"principal-name\">" + escape(p.name) + "</span>", escape(p.role), detail,
                        escape(p.created),
                        remove_button(v.csrf, "remove", "/admin/principals", {{"name", p.name}}, "remove-" + p.name)});
    }
    body += table({"name", "role", "identity", "added", ""}, rows, "no principals yet");
    body += "<h2>Add a principal</h2>" + post_form("/admin/principals", "stacked", "add-principal", v.csrf, "add") +
            "<label>name<input name=\"name\" id=\"name\" required maxlength=\"64\"></label>"
            "<label>role<select name=\"role\" id=\"role\">" +
            options({{"user", "user"},
                     {"server", "server"},
                     {"enroll", "enroll"},
                     {"sub-enroll", "sub-enroll"},
                     {"admin", "admin"}},
                    "user") +
            "</select></label>"
            "<label>email (user principals)<input name=\"email\" id=\"email\" maxlength=\"254\"></label>"
            "<label>user ID (a SID or GUID; default: derived from the email)<input name=\"user_id\" "
            "id=\"user_id\"></label>"
            "<button type=\"submit\" id=\"add\">add</button></form>";
    return body;
}

std::string trust_page(const TrustView& v, const std::optional<Outcome>& outcome) {
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    body += "<h2>Trusted issuers</h2>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : v.trust) {
        rows.push_back({code(t.fingerprint), escape(t.purpose), escape(t.label), escape(t.added),
                        remove_button(v.csrf, "remove-trust", "/admin/trust", {{"fingerprint", t.fingerprint}},
                                      "remove-" + t.fingerprint)});
    }
    body += table({"key", "purpose", "label", "added", ""}, rows, "no keys trusted besides this authority's own");
    body += post_form("/admin/trust", "stacked", "add-trust", v.csrf, "add-trust", true) +
            "<label>purpose<select name=\"purpose\" id=\"purpose\">" +
            options({{"spc-issuer", "SPC issuer"}, {"rac-issuer", "RAC issuer"}}, "spc-issuer") +
            "</select></label><label>label<input name=\"label\" id=\"label\" maxlength=\"200\"></label>"
            "<label>public key (&lt;PUBLICKEY&gt; file) or certificate<input type=\"file\" name=\"key\" id=\"key\" "
            "required></label><button type=\"submit\" id=\"trust\">trust</button></form>";

    body += "<h2>Exclusions</h2>";
    rows.clear();
    for (const auto& e : v.exclusions) {
        rows.push_back({escape(e.kind), code(e.value), escape(e.reason), escape(e.added),
                        remove_button(v.csrf, "remove-exclusion", "/admin/trust",
                                      {{"kind", e.kind}, {"value", e.value}}, "remove-" + e.value)});
    }
    body += table({"kind", "value", "reason", "added", ""}, rows, "nothing is excluded");
    body += post_form("/admin/trust", "stacked", "exclude-key", v.csrf, "exclude-rac-key", true) +
            "<label>refuse RACs for this key (&lt;PUBLICKEY&gt; file or certificate)<input type=\"file\" "
            "name=\"key\" required></label><label>reason<input name=\"reason\" maxlength=\"200\"></label>"
            "<button type=\"submit\">exclude</button></form>";
    body += post_form("/admin/trust", "stacked", "min-spc", v.csrf, "min-spc-version") +
            "<label>minimum SPC (client) version, e.g. 6.0.6000.16386<input name=\"version\" required "
            "maxlength=\"40\"></label><label>reason<input name=\"reason\" maxlength=\"200\"></label>"
            "<button type=\"submit\">set</button></form>";
    return body;
}

}  // namespace xrca::console
