// HTML for the administrator's console (docs/console.md): every piece of text that came from a
// request, a certificate or the store goes through escape(), which makes it printable (no
// control or bidi-override characters, text/clean.h) and then inert HTML. Pages are built as
// strings from these few pieces; nothing here knows the authority.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xrca::console {

/** `text` as HTML text or a quoted attribute value: printable, then & < > " ' escaped. */
std::string escape(std::string_view text);

/** `value` percent-encoded for a URL's query or path segment (unreserved characters kept). */
std::string url_encode(std::string_view value);

/** What every page shows around its body: who is signed in, and the session's CSRF token. */
struct Frame {
    std::string title;
    std::string current;    ///< the navigation entry to mark: "overview", "certificates", …
    std::string principal;  ///< the signed-in admin principal; empty on the sign-in page
    std::string csrf;       ///< the token every form of the page carries
};

/** The whole document: head, navigation, sign-out form, `body` (already HTML). */
std::string layout(const Frame& frame, const std::string& body);

/** The hidden field every form carries. */
std::string csrf_field(const std::string& csrf);

/**
 * The opening of a POST form to `page` (the page it belongs to) with its CSRF field and, when
 * given, the hidden field `action`; `multipart` for a form that uploads a file.
 */
std::string post_form(const std::string& page, const std::string& css_class, const std::string& id,
                      const std::string& csrf, const std::string& action, bool multipart = false);

/** A table: `head` as column titles (escaped), `rows` as cells of HTML (escaped by the caller). */
std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                  const std::string& empty_text);

/** A definition list of label and HTML value pairs (labels escaped). */
std::string fields(const std::vector<std::pair<std::string, std::string>>& rows);

/** A notice box: kind "ok", "error" or "warning"; `text` is escaped. */
std::string notice(const std::string& kind, const std::string& text);

/** <option> elements for a select, `selected` marked; values and labels escaped. */
std::string options(const std::vector<std::pair<std::string, std::string>>& values_and_labels,
                    const std::string& selected);

}  // namespace xrca::console
