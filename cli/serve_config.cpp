// serve's settings (see serve_config.h).
#include "cli/serve_config.h"

#include "ca/errors.h"
#include "cli/command_table.h"
#include "cli/files.h"
#include "cli/options.h"
#include "store/factory.h"
#include "text/clean.h"

#include <sys/stat.h>

#include <cstdlib>
#include <ostream>
#include <stdexcept>

namespace xrca::cli {
namespace {

using Kind = ConfigKey::Kind;

constexpr const char* k_default_config = "/etc/xrca/xrca.conf";
// Generous for a configuration file; a bigger one is not one.
constexpr std::size_t k_max_config_bytes = std::size_t{1024} * 1024;

/** Settings a running server keeps until it restarts (the store, the keys, the sockets). */
const std::vector<const char*>& restart_only_keys() {
    static const std::vector<const char*> keys = {
        "listen",          "store",         "password-file",  "pin-file",    "signing-engine", "clc-key-pool",
        "clc-key-threads", "warm-key-pool", "anonymous-rate", "min-free-mb", "warn-slc-days",  "admin-listen",
    };
    return keys;
}

/** What `key` is given as: its values, or for a flag whether it is present (read as declared). */
std::vector<std::string> values_of(Args args, const std::string& key) {
    for (const auto& k : serve_config_keys()) {
        if (k.name != key) continue;
        if (k.kind == ConfigKey::Kind::Flag) return {args.flag("--" + key) ? "true" : "false"};
        if (k.kind == ConfigKey::Kind::Single) {
            const auto v = args.option("--" + key);
            return v ? std::vector<std::string>{*v} : std::vector<std::string>{};
        }
    }
    return args.options("--" + key);
}

}  // namespace

const std::vector<ConfigKey>& serve_config_keys() {
    // serve's declared options are the keys, so the file cannot drift from the command line;
    // plus `store`, the global option a service most needs to name.
    static const std::vector<ConfigKey> keys = [] {
        std::vector<ConfigKey> k = {{"store"}};
        const CommandSpec* serve = find_command("serve");
        if (serve == nullptr) throw std::logic_error("serve is not declared");
        for (const Option* o : options_for(*serve, "")) {
            if (o->name == "--config" || o->name.rfind("--", 0) != 0) continue;
            const auto kind = o->is_flag()    ? ConfigKey::Kind::Flag
                              : o->repeatable ? ConfigKey::Kind::Repeatable
                                              : ConfigKey::Kind::Single;
            k.push_back({o->name.substr(2), kind});
        }
        return k;
    }();
    return keys;
}

std::optional<std::string> serve_config_path(Args& args) {
    if (auto given = args.option("--config")) return given;
    const char* env = std::getenv("XRCA_CONFIG");
    if (env && *env) return std::string(env);
    struct stat st {};
    if (::stat(k_default_config, &st) == 0) return std::string(k_default_config);
    return std::nullopt;
}

MergedSettings merge_config(const Args& command_line, const std::optional<std::string>& path, std::ostream& err) {
    MergedSettings merged{command_line, std::nullopt};
    if (!path) return merged;
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0)
        throw Error(ErrorKind::Usage, "the configuration file " + text::printable(*path) + " does not exist");
    // It names the key password's file and the TLS key: whoever may rewrite it may point the
    // service at files of their choosing.
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        err << "xrca: warning: " << text::printable(*path)
            << " may be changed by users other than its owner (chmod go-w)\n";
    }
    const auto entries = parse_config(read_file(*path, k_max_config_bytes), *path, serve_config_keys());
    std::vector<std::string> extra;
    for (const auto& e : entries) {
        if (e.key == "store") {
            if (store::locator_holds_password(e.value)) {
                throw Error(ErrorKind::Usage, *path + ":" + std::to_string(e.line) +
                                                  ": the store URI holds a password; put it in ~/.pgpass or "
                                                  "PGPASSFILE, or give the whole URI in $XRCA_STORE");
            }
            merged.store = e.value;
            continue;
        }
        if (command_line.has("--" + e.key)) continue;  // the command line replaces the file's values
        if (e.value == "false" && e.key == "warm-key-pool") continue;
        extra.push_back("--" + e.key);
        if (e.key != "warm-key-pool") extra.push_back(e.value);
    }
    Args with = command_line;
    with.append(extra);
    merged.args = std::move(with);
    return merged;
}

LiveSettings read_live_settings(Args& args) {
    LiveSettings s;
    auto& options = s.server;
    const auto listen = args.options("--listen");
    if (!listen.empty()) {
        options.listen.clear();
        for (const auto& where : listen) {
            try {
                options.listen.push_back(enrollment::ListenAddress::parse(where));
            } catch (const std::invalid_argument& e) {
                throw Error(ErrorKind::Usage, std::string("--listen: ") + e.what());
            }
        }
    }
    std::vector<enrollment::AddressRange> trusted;
    for (const auto& proxy : args.options("--trusted-proxy")) {
        const auto range = enrollment::AddressRange::parse(proxy);
        if (!range) {
            throw Error(ErrorKind::Usage, "--trusted-proxy takes an IP address or a CIDR range (10.0.0.0/8), not '" +
                                              text::printable(proxy) + "'");
        }
        trusted.push_back(*range);
    }
    options.trusted_proxies = enrollment::TrustedProxies(std::move(trusted));
    if (const auto format = args.option("--log-format")) {
        const auto parsed = enrollment::parse_request_log_format(*format);
        if (!parsed) throw Error(ErrorKind::Usage, "--log-format takes text, json or none");
        s.log_format = *parsed;
    }
    if (const auto n = number_option(args, "--threads", 1, 256)) options.threads = static_cast<unsigned>(*n);
    if (const auto n = number_option(args, "--per-address-connections", 1, 10000))
        options.per_address_connection_limit = static_cast<unsigned>(*n);
    if (const auto n = number_option(args, "--request-deadline", 1, 3600))
        options.request_deadline_seconds = static_cast<unsigned>(*n);
    const auto tls_cert = args.option("--tls-cert");
    const auto tls_key = args.option("--tls-key");
    if (tls_cert.has_value() != tls_key.has_value())
        throw Error(ErrorKind::Usage, "HTTPS needs both --tls-cert and --tls-key");
    if (tls_cert) {
        options.tls_certificate_pem = read_file(*tls_cert, k_max_pem_bytes);
        options.tls_key_pem = read_file(*tls_key, k_max_pem_bytes);
        if (options.tls_certificate_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            throw Error(ErrorKind::Usage, "--tls-cert " + *tls_cert + " holds no PEM certificate");
        if (options.tls_key_pem.find("PRIVATE KEY-----") == std::string::npos)
            throw Error(ErrorKind::Usage, "--tls-key " + *tls_key + " holds no PEM private key");
    }
    return s;
}

std::vector<std::string> restart_only_changes(const MergedSettings& before, const MergedSettings& after) {
    std::vector<std::string> changes;
    for (const char* key : restart_only_keys()) {
        const bool differ = std::string(key) == "store" ? before.store != after.store
                                                        : values_of(before.args, key) != values_of(after.args, key);
        if (differ) changes.push_back(std::string(key) + " changed; it needs a restart");
    }
    return changes;
}

}  // namespace xrca::cli
