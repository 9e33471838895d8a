// The certificates pages: search (what `xrca certs list` filters by), one certificate's detail
// with its verdict and download, and the confirmation a revocation needs.
#include "console/html.h"
#include "console/pages.h"

#include "ca/certificate_kinds.h"
#include "xrml/templates.h"

namespace xrca::console {
namespace {

std::string code(const std::string& text) { return "<code>" + escape(text) + "</code>"; }

std::string link(const store::CertificateRecord& c) {
    return "<a href=\"/admin/certificates/" + url_encode(c.id) + "\"><code>" + escape(c.id) + "</code></a>";
}

std::string status_text(const store::ListedCertificate& row) {
    std::string out = escape(row.certificate.status);
    if (row.revoked) out += " <span class=\"badge bad\">revoked</span>";
    return out;
}

}  // namespace

std::string short_kind(const std::string& kind) {
    const char* name = ca::certificate_kind_short_name(kind);
    return name ? name : kind;
}

std::optional<std::string> kind_of(const std::string& short_name) { return ca::certificate_kind_of(short_name); }

std::string certificate_list_page(const CertificateListView& v, const std::optional<Outcome>& outcome) {
    const auto& q = v.query;
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    std::vector<std::pair<std::string, std::string>> kinds = {{"", "any"}};
    for (const auto& k : ca::k_certificate_kinds) kinds.emplace_back(k.short_name, k.short_name);
    body +=
        "<form class=\"filters\" method=\"get\" action=\"/admin/certificates\" id=\"certificate-search\">"
        "<label>kind<select name=\"kind\" id=\"kind\">" +
        options(kinds, q.kind) +
        "</select></label>"
        "<label>user (ID or email)<input name=\"user\" id=\"user\" value=\"" +
        escape(q.user) +
        "\"></label>"
        "<label>machine<input name=\"machine\" id=\"machine\" value=\"" +
        escape(q.machine) +
        "\"></label>"
        "<label>issued since<input type=\"date\" name=\"since\" id=\"since\" value=\"" +
        escape(q.since) +
        "\"></label>"
        "<label>issued before<input type=\"date\" name=\"until\" id=\"until\" value=\"" +
        escape(q.until) +
        "\"></label>"
        "<label>revoked<select name=\"revoked\" id=\"revoked\">" +
        options({{"", "either"}, {"yes", "revoked"}, {"no", "not revoked"}}, q.revoked) +
        "</select></label>"
        "<label>status<select name=\"status\" id=\"status\">" +
        options({{"issued", "issued"}, {"pending", "pending"}, {"abandoned", "abandoned"}, {"all", "all"}},
                q.status.empty() ? "issued" : q.status) +
        "</select></label>"
        "<button type=\"submit\" id=\"search\">search</button></form>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : v.rows) {
        const auto& c = row.certificate;
        rows.push_back({link(c), escape(short_kind(c.kind)), escape(c.subject), escape(c.machine.value_or("")),
                        escape(c.issued), status_text(row)});
    }
    body += "<div id=\"results\">" +
            table({"ID", "kind", "subject", "machine", "issued", "status"}, rows, "no certificates match") + "</div>";
    if (v.more) {
        body += "<p><a href=\"/admin/certificates?" + escape(v.next_page_query) + "\" id=\"next-page\">older…</a></p>";
    }
    return body;
}

std::string certificate_detail_page(const CertificateDetailView& v, const std::optional<Outcome>& outcome) {
    const auto& c = v.row.certificate;
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    std::vector<std::pair<std::string, std::string>> rows = {
        {"ID", code(c.id)},
        {"kind", escape(c.kind)},
        {"status", status_text(v.row)},
        {"subject", escape(c.subject)},
    };
    if (c.machine) rows.emplace_back("machine", escape(*c.machine));
    rows.emplace_back("issued", escape(c.issued));
    if (c.valid_from && c.valid_until)
        rows.emplace_back("valid", escape(*c.valid_from) + " to " + escape(*c.valid_until));
    rows.emplace_back("key", code(c.key_fingerprint));
    rows.emplace_back("issuer key", code(c.issuer_fingerprint));
    rows.emplace_back("license hash", code(c.license_hash));
    rows.emplace_back("request", code(c.request_id));
    rows.emplace_back("verdict", "<span id=\"verdict\" class=\"" + std::string(v.verified ? "ok" : "bad") + "\">" +
                                     escape(v.verdict) + "</span>");
    body += fields(rows);
    if (c.xrml) {
        body += "<p><a href=\"/admin/certificates/" + url_encode(c.id) +
                "?download=1\" id=\"download\" download>download the document</a></p>";
    }
    if (!v.row.revoked && c.status == "issued") {
        body += "<h2>Revoke</h2>" + post_form("/admin/certificates", "stacked", "", v.csrf, "revoke") +
                "<input type=\"hidden\" name=\"id\" value=\"" + escape(c.id) +
                "\"><label>reason<input name=\"reason\" id=\"reason\" maxlength=\"200\"></label>"
                "<button type=\"submit\" class=\"danger\" id=\"revoke\">revoke…</button></form>";
    }
    if (c.xrml) body += "<h2>Document</h2><pre>" + escape(*c.xrml) + "</pre>";
    return body;
}

std::string revocation_confirm_page(const RevocationConfirmView& v) {
    const auto& c = v.row.certificate;
    std::string body = notice("warning",
                              "Relying parties refuse what a revocation names from the next revocation list on, and "
                              "it cannot be undone. Confirm to revoke:");
    body += fields(
        {{"revoke", escape(v.preview.record.type) + " " + code(v.preview.record.value)}, {"reason", escape(v.reason)}});
    std::vector<std::vector<std::string>> rows;
    for (const auto& row : v.preview.certificates) {
        rows.push_back({link(row.certificate), escape(short_kind(row.certificate.kind)),
                        escape(row.certificate.subject), escape(row.certificate.issued),
                        row.revoked ? "revoked already" : ""});
    }
    body += "<h2>It names these certificates issued here</h2>" +
            table({"ID", "kind", "subject", "issued", ""}, rows, "none issued here");
    body += post_form("/admin/certificates", "inline", "", v.csrf, "revoke-confirmed") +
            "<input type=\"hidden\" name=\"id\" value=\"" + escape(c.id) +
            "\"><input type=\"hidden\" name=\"reason\" value=\"" + escape(v.reason) +
            "\"><button type=\"submit\" class=\"danger\" id=\"confirm-revoke\">yes, revoke it</button></form> "
            "<a href=\"/admin/certificates/" +
            url_encode(c.id) + "\" id=\"cancel-revoke\">cancel</a>";
    return body;
}

}  // namespace xrca::console
