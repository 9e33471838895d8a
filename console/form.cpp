// Parsing posted forms (see form.h). RFC 7578 (multipart/form-data) and the WHATWG URL
// standard's application/x-www-form-urlencoded, as far as a browser sends them.
#include "console/form.h"

#include "text/clean.h"

#include <cctype>
#include <optional>

namespace xrca::console {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
            const int lo = hi >= 0 ? hex_value(in[i + 2]) : -1;
            if (lo < 0) throw FormError("a form field has a '%' not followed by two hexadecimal digits");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

void add(Form& form, std::map<std::string, std::string>& into, std::string name, std::string value) {
    if (form.fields.size() + form.files.size() >= k_max_form_fields)
        throw FormError("the form has more than " + std::to_string(k_max_form_fields) + " fields");
    into.emplace(std::move(name), std::move(value));
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/**
 * A parameter of a header value such as `form-data; name="token"; filename="a.xml"`, or nullopt.
 * Browsers quote names and escape a quote inside as %22, so quoted strings end at the next quote.
 */
std::optional<std::string> parameter(std::string_view header, std::string_view wanted) {
    std::size_t pos = header.find(';');
    while (pos != std::string_view::npos) {
        auto rest = header.substr(pos + 1);
        const auto eq = rest.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const auto name = lower(trim(rest.substr(0, eq)));
        rest = rest.substr(eq + 1);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        std::string value;
        std::size_t used = 0;
        if (!rest.empty() && rest.front() == '"') {
            const auto close = rest.find('"', 1);
            if (close == std::string_view::npos) throw FormError("a multipart header has an unterminated quoted value");
            value = std::string(rest.substr(1, close - 1));
            used = close + 1;
        } else {
            const auto end = rest.find(';');
            value = std::string(trim(rest.substr(0, end)));
            used = end == std::string_view::npos ? rest.size() : end;
        }
        if (name == wanted) return value;
        const auto next = rest.find(';', used);
        if (next == std::string_view::npos) return std::nullopt;
        pos = static_cast<std::size_t>(rest.data() - header.data()) + next;
    }
    return std::nullopt;
}

Form parse_multipart(std::string_view boundary, std::string_view body) {
    if (boundary.empty() || boundary.size() > 70)
        throw FormError("a multipart form needs a boundary of 1 to 70 characters");
    const std::string delimiter = "--" + std::string(boundary);
    Form form;
    auto at = body.find(delimiter);
    if (at == std::string_view::npos) throw FormError("the multipart form does not contain its boundary");
    while (true) {
        at += delimiter.size();
        if (body.substr(at, 2) == "--") return form;  // the closing delimiter
        if (body.substr(at, 2) != "\r\n") throw FormError("a multipart boundary is not followed by a line end");
        at += 2;
        const auto headers_end = body.find("\r\n\r\n", at);
        if (headers_end == std::string_view::npos) throw FormError("a multipart part has no end of its headers");
        std::optional<std::string> name, filename;
        auto headers = body.substr(at, headers_end - at);
        while (!headers.empty()) {
            const auto eol = headers.find("\r\n");
            const auto line = headers.substr(0, eol);
            headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
            const auto colon = line.find(':');
            if (colon == std::string_view::npos) throw FormError("a multipart header line has no ':'");
            if (lower(trim(line.substr(0, colon))) != "content-disposition") continue;
            const auto value = line.substr(colon + 1);
            if (lower(trim(value.substr(0, value.find(';')))) != "form-data")
                throw FormError("a multipart part is not form-data");
            name = parameter(value, "name");
            filename = parameter(value, "filename");
        }
        if (!name) throw FormError("a multipart part has no field name");
        const auto content_start = headers_end + 4;
        const auto next = body.find("\r\n" + delimiter, content_start);
        if (next == std::string_view::npos) throw FormError("a multipart part is not closed by the boundary");
        auto content = std::string(body.substr(content_start, next - content_start));
        if (filename) {
            add(form, form.files, text::valid_utf8(*name), std::move(content));
        } else {
            add(form, form.fields, text::valid_utf8(*name), text::valid_utf8(content));
        }
        at = next + 2;
    }
}

}  // namespace

std::string Form::get(const std::string& name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
}

Form parse_urlencoded(std::string_view body) {
    Form form;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = text::valid_utf8(percent_decode(pair.substr(0, eq)));
        auto value =
            eq == std::string_view::npos ? std::string() : text::valid_utf8(percent_decode(pair.substr(eq + 1)));
        add(form, form.fields, std::move(name), std::move(value));
    }
    return form;
}

Form parse_form(std::string_view content_type, std::string_view body) {
    const auto type = lower(trim(content_type.substr(0, content_type.find(';'))));
    if (type == "application/x-www-form-urlencoded") return parse_urlencoded(body);
    if (type == "multipart/form-data") {
        const auto boundary = parameter(content_type, "boundary");
        if (!boundary) throw FormError("a multipart form's Content-Type names no boundary");
        return parse_multipart(*boundary, body);
    }
    throw FormError("a form is posted as application/x-www-form-urlencoded or multipart/form-data, not '" +
                    text::printable(std::string(content_type.substr(0, 80))) + "'");
}

}  // namespace xrca::console
