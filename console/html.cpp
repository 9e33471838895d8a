// The console's HTML pieces (see html.h).
#include "console/html.h"

#include "text/clean.h"

namespace xrca::console {

std::string escape(std::string_view text) {
    const auto clean = text::printable(text);
    std::string out;
    out.reserve(clean.size());
    for (const char c : clean) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view value) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += k_hex[u >> 4];
            out += k_hex[u & 15];
        }
    }
    return out;
}

std::string csrf_field(const std::string& csrf) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(csrf) + "\">";
}

std::string post_form(const std::string& page, const std::string& css_class, const std::string& id,
                      const std::string& csrf, const std::string& action, bool multipart) {
    std::string out = "<form class=\"" + escape(css_class) + "\" method=\"post\" action=\"" + escape(page) + "\"";
    if (!id.empty()) out += " id=\"" + escape(id) + "\"";
    if (multipart) out += " enctype=\"multipart/form-data\"";
    out += ">" + csrf_field(csrf);
    if (!action.empty()) out += "<input type=\"hidden\" name=\"action\" value=\"" + escape(action) + "\">";
    return out;
}

std::string layout(const Frame& frame, const std::string& body) {
    static const std::vector<std::pair<const char*, const char*>> k_nav = {
        {"overview", "/admin/"},         {"certificates", "/admin/certificates"}, {"principals", "/admin/principals"},
        {"trust", "/admin/trust"},       {"revocation", "/admin/revocation"},     {"log", "/admin/log"},
        {"activity", "/admin/activity"},
    };
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>" +
        escape(frame.title) +
        " · xrca console</title><link rel=\"stylesheet\" href=\"/admin/static/console.css\"></head><body>"
        "<header><span class=\"brand\">xrca console</span>";
    if (!frame.principal.empty()) {
        out += "<nav>";
        for (const auto& [name, href] : k_nav) {
            out += "<a href=\"" + std::string(href) + "\"" + (frame.current == name ? " class=\"current\"" : "") + ">" +
                   name + "</a>";
        }
        out += "</nav>" + post_form("/admin/logout", "signout", "", frame.csrf, "") + "<span>" +
               escape(frame.principal) + "</span> <button type=\"submit\">sign out</button></form>";
    }
    out += "</header><main><h1>" + escape(frame.title) + "</h1>" + body + "</main></body></html>\n";
    return out;
}

std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                  const std::string& empty_text) {
    if (rows.empty()) return "<p class=\"empty\">" + escape(empty_text) + "</p>";
    std::string out = "<table><thead><tr>";
    for (const auto& h : head) out += "<th>" + escape(h) + "</th>";
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        out += "<tr>";
        for (const auto& cell : row) out += "<td>" + cell + "</td>";
        out += "</tr>";
    }
    return out + "</tbody></table>";
}

std::string fields(const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string out = "<dl>";
    for (const auto& [label, value] : rows) out += "<dt>" + escape(label) + "</dt><dd>" + value + "</dd>";
    return out + "</dl>";
}

std::string notice(const std::string& kind, const std::string& text) {
    return "<p class=\"notice " + escape(kind) + "\" role=\"status\">" + escape(text) + "</p>";
}

std::string options(const std::vector<std::pair<std::string, std::string>>& values_and_labels,
                    const std::string& selected) {
    std::string out;
    for (const auto& [value, label] : values_and_labels) {
        out += "<option value=\"" + escape(value) + "\"" + (value == selected ? " selected" : "") + ">" +
               escape(label) + "</option>";
    }
    return out;
}

}  // namespace xrca::console
