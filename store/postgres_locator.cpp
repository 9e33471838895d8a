// Parsing and describing PostgreSQL locators (see postgres_locator.h).
#include "store/postgres_locator.h"

#include "store/store.h"

#include <libpq-fe.h>

#include <memory>

namespace xrca::store::pg_detail {
namespace {

constexpr std::size_t k_max_identifier = 63;  // PostgreSQL's NAMEDATALEN - 1

bool plain_identifier(const std::string& name) {
    if (name.empty() || name.size() > k_max_identifier) return false;
    if (name[0] >= '0' && name[0] <= '9') return false;
    for (const char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return name.rfind("pg_", 0) != 0;  // pg_* schemas are PostgreSQL's own
}

struct OptionsDeleter {
    void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};
using Options = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

// The URI's options as libpq reads them; null (and no message quoting the URI) if it cannot.
Options parse_options(const std::string& uri) {
    char* error = nullptr;
    Options options(PQconninfoParse(uri.c_str(), &error));
    PQfreemem(error);
    return options;
}

std::string option(const Options& options, const char* keyword) {
    if (!options) return "";
    for (const auto* o = options.get(); o->keyword != nullptr; ++o) {
        if (std::string(o->keyword) == keyword && o->val != nullptr) return o->val;
    }
    return "";
}

}  // namespace

PgLocator parse_locator(const std::string& locator) {
    PgLocator out;
    const auto hash = locator.find('#');
    out.uri = locator.substr(0, hash);
    out.schema = k_default_schema;
    if (hash != std::string::npos) {
        const auto fragment = locator.substr(hash + 1);
        const std::string key = "schema=";
        if (fragment.rfind(key, 0) != 0) {
            throw StorageError("the PostgreSQL locator's fragment must be #schema=NAME, not #" + fragment);
        }
        out.schema = fragment.substr(key.size());
        if (!plain_identifier(out.schema)) {
            throw StorageError("the schema name '" + out.schema +
                               "' is not a plain identifier (a-z, 0-9 and _, not starting with a digit or pg_, "
                               "at most 63 characters)");
        }
    }
    return out;
}

std::string describe_locator(const PgLocator& locator) {
    const auto options = parse_options(locator.uri);
    if (!options) return "PostgreSQL database (an invalid URI), schema " + locator.schema;
    auto database = option(options, "dbname");
    auto host = option(options, "host");
    const auto port = option(options, "port");
    if (database.empty()) database = "(the user's default)";
    if (host.empty()) host = "the default socket";
    if (!port.empty()) host += " port " + port;
    return "PostgreSQL database " + database + " on " + host + ", schema " + locator.schema;
}

bool holds_password(const PgLocator& locator) { return !option(parse_options(locator.uri), "password").empty(); }

std::string redact(const PgLocator& locator, std::string text) {
    const auto password = option(parse_options(locator.uri), "password");
    if (password.empty()) return text;
    for (auto at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
        text.replace(at, password.size(), "***");
    }
    return text;
}

std::string quoted_schema(const std::string& schema) { return "\"" + schema + "\""; }

}  // namespace xrca::store::pg_detail
