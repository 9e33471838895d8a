// The cluster key export file (see cluster_key_export.h).
#include "ca/cluster_key_export.h"

#include "ca/errors.h"

#include <botan/base64.h>
#include <botan/data_src.h>
#include <botan/hex.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/pbkdf.h>
#include <botan/pkcs8.h>
#include <botan/rng.h>
#include <botan/rsa.h>

#include <map>
#include <sstream>

namespace xrca::ca {
namespace {

constexpr const char* k_kdf = "PBKDF2(SHA-512)";
constexpr const char* k_mac_field = "hmac-sha256: ";
// What the password-check field is the HMAC of: it tells a wrong password from a changed file
// before any key is decrypted (a key blob's own PBKDF2 cost is only trusted once the HMAC holds).
constexpr const char* k_password_check = "xrca cluster key export: password check";
// An export names its own PBKDF2 cost; a file asking for more than this is refused rather than
// keeping the importer busy for hours.
constexpr std::size_t k_max_iterations = 10000000;
constexpr std::size_t k_min_iterations = 1000;

Error malformed(const std::string& what) {
    return Error(ErrorKind::Malformed, "not a usable cluster key export: " + what);
}

/** A value on one line: backslash, CR and LF escaped. */
std::string escape(const std::string& text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += c;
        }
    }
    return out;
}

std::string unescape(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (++i == text.size()) throw malformed("a value ends in a lone backslash");
        const char c = text[i];
        if (c == '\\') {
            out += '\\';
        } else if (c == 'n') {
            out += '\n';
        } else if (c == 'r') {
            out += '\r';
        } else {
            throw malformed("a value holds an unknown escape \\" + std::string(1, c));
        }
    }
    return out;
}

std::string base64(const std::vector<std::uint8_t>& bytes) { return Botan::base64_encode(bytes.data(), bytes.size()); }
std::string base64(const std::string& text) {
    return Botan::base64_encode(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

std::vector<std::uint8_t> from_base64(const std::string& field, const std::string& text) {
    try {
        const auto bytes = Botan::base64_decode(text);
        return {bytes.begin(), bytes.end()};
    } catch (const std::exception&) {
        throw malformed("the " + field + " field is not base64");
    }
}

Botan::secure_vector<std::uint8_t> mac_key(const Password& password, const std::vector<std::uint8_t>& salt,
                                           std::size_t iterations) {
    const auto pbkdf = Botan::PBKDF::create_or_throw(k_kdf);
    return pbkdf->derive_key(32, password.str(), salt.data(), salt.size(), iterations).bits_of();
}

std::string mac_of(const std::string& text, const Botan::secure_vector<std::uint8_t>& key) {
    auto hmac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
    hmac->set_key(key);
    hmac->update(text);
    return Botan::hex_encode(hmac->final(), false);
}

std::shared_ptr<const Botan::RSA_PrivateKey> open_key(const std::vector<std::uint8_t>& blob, const Password& password) {
    std::unique_ptr<Botan::Private_Key> key;
    try {
        Botan::DataSource_Memory source(blob);
        key = Botan::PKCS8::load_key(source, password.str());
    } catch (const std::exception&) {
        throw Error(ErrorKind::Unauthorized,
                    "the export password does not open the cluster key export (a wrong password, or the file was "
                    "altered); nothing was changed");
    }
    if (dynamic_cast<Botan::RSA_PrivateKey*>(key.get()) == nullptr) throw malformed("its key is not an RSA key");
    return std::shared_ptr<const Botan::RSA_PrivateKey>(static_cast<Botan::RSA_PrivateKey*>(key.release()));
}

}  // namespace

std::string write_cluster_key_export(const ClusterKeyExport& e, const Password& password,
                                     Botan::RandomNumberGenerator& rng, std::size_t iterations) {
    if (password.bytes().size() < 8)
        throw Error(ErrorKind::Usage, "the export password must have at least 8 characters");
    if (!e.key) throw Error(ErrorKind::Internal, "an export without its cluster key");
    const auto salt = rng.random_vec(16);
    const auto key = mac_key(password, {salt.begin(), salt.end()}, iterations);
    std::ostringstream out;
    out << k_cluster_key_export_format << '\n'
        << "role: " << e.role << '\n'
        << "guid: " << escape(e.guid) << '\n'
        << "name: " << escape(e.name) << '\n'
        << "url: " << escape(e.base_url) << '\n'
        << "crypto-mode: " << e.crypto_mode << '\n'
        << "revocation: " << e.revocation << '\n';
    for (const auto& authority : e.revocation_authorities) out << "revocation-authority: " << base64(authority) << '\n';
    out << "anchor: " << e.anchor_fingerprint << '\n'
        << "sku: " << escape(e.sku) << '\n'
        << "version: " << escape(e.version) << '\n'
        << "exported: " << e.exported << '\n';
    for (const auto& document : e.slc_chain) out << "slc: " << base64(document) << '\n';
    out << "kdf: " << k_kdf << '\n'
        << "kdf-iterations: " << iterations << '\n'
        << "kdf-salt: " << Botan::hex_encode(salt.data(), salt.size(), false) << '\n'
        << "password-check: " << mac_of(k_password_check, key) << '\n'
        << "cluster-key: " << base64(encrypt_private_key(*e.key, password, rng, iterations)) << '\n';
    if (e.previous_key) {
        out << "previous-cluster-key: " << base64(encrypt_private_key(*e.previous_key, password, rng, iterations))
            << '\n';
    }
    const auto body = out.str();
    return body + k_mac_field + mac_of(body, key) + '\n';
}

ClusterKeyExport read_cluster_key_export(const std::string& text, const Password& password) {
    if (text.rfind(std::string(k_cluster_key_export_format) + "\n", 0) != 0)
        throw malformed(std::string("it does not start with ") + k_cluster_key_export_format);
    // The HMAC line is the last; everything before it is what it covers.
    std::string trimmed = text;
    if (trimmed.empty() || trimmed.back() != '\n') throw malformed("it does not end with a line break (cut short?)");
    trimmed.pop_back();
    const auto mac_at = trimmed.rfind('\n');
    const auto body = trimmed.substr(0, mac_at + 1);
    const auto mac_line = trimmed.substr(mac_at + 1);
    if (mac_line.rfind(k_mac_field, 0) != 0) throw malformed("its last line is not its hmac-sha256 (cut short?)");
    const auto mac = mac_line.substr(std::string(k_mac_field).size());

    std::multimap<std::string, std::string> fields;
    std::istringstream lines(body);
    std::string line;
    std::getline(lines, line);  // the format line, checked above
    while (std::getline(lines, line)) {
        const auto colon = line.find(": ");
        if (colon == std::string::npos) throw malformed("a line is not 'name: value'");
        fields.emplace(line.substr(0, colon), line.substr(colon + 2));
    }
    static const std::map<std::string, bool> k_known = {{"role", true},
                                                        {"guid", true},
                                                        {"name", true},
                                                        {"url", true},
                                                        {"crypto-mode", true},
                                                        {"revocation", true},
                                                        {"anchor", true},
                                                        {"sku", true},
                                                        {"version", true},
                                                        {"exported", true},
                                                        {"kdf", true},
                                                        {"kdf-iterations", true},
                                                        {"kdf-salt", true},
                                                        {"password-check", true},
                                                        {"cluster-key", true},
                                                        {"slc", false},
                                                        {"revocation-authority", false},
                                                        {"previous-cluster-key", false}};
    for (const auto& [name, value] : fields) {
        const auto known = k_known.find(name);
        if (known == k_known.end()) throw malformed("unknown field '" + name + "'");
        if (fields.count(name) > 1 && name != "slc" && name != "revocation-authority")
            throw malformed("the field '" + name + "' is given twice");
    }
    for (const auto& [name, required] : k_known) {
        if (required && fields.count(name) == 0) throw malformed("the field '" + name + "' is missing");
    }
    const auto one = [&](const char* name) { return fields.find(name)->second; };
    if (one("kdf") != k_kdf) throw malformed("unknown key derivation " + one("kdf"));
    std::size_t iterations = 0;
    try {
        iterations = std::stoul(one("kdf-iterations"));
    } catch (const std::exception&) {
        throw malformed("kdf-iterations is not a number");
    }
    if (iterations < k_min_iterations || iterations > k_max_iterations)
        throw malformed("kdf-iterations " + one("kdf-iterations") + " is outside what xrca accepts");
    std::vector<std::uint8_t> salt;
    try {
        salt = Botan::hex_decode(one("kdf-salt"));
    } catch (const std::exception&) {
        throw malformed("kdf-salt is not hex");
    }

    // A wrong password is told as such; then the HMAC must hold before anything in the file,
    // the keys' encryption parameters above all, is trusted.
    const auto key = mac_key(password, salt, iterations);
    const auto equal = [](const std::string& a, const std::string& b) {
        return a.size() == b.size() &&
               Botan::constant_time_compare(reinterpret_cast<const std::uint8_t*>(a.data()),
                                            reinterpret_cast<const std::uint8_t*>(b.data()), a.size());
    };
    if (!equal(one("password-check"), mac_of(k_password_check, key))) {
        throw Error(ErrorKind::Unauthorized,
                    "the export password does not open the cluster key export (a wrong password, or the file was "
                    "altered); nothing was changed");
    }
    if (!equal(mac, mac_of(body, key))) {
        throw Error(ErrorKind::Malformed,
                    "the cluster key export was altered after it was written (its HMAC does not match); nothing was "
                    "changed");
    }
    ClusterKeyExport e;
    e.key = open_key(from_base64("cluster-key", one("cluster-key")), password);
    if (const auto previous = fields.find("previous-cluster-key"); previous != fields.end())
        e.previous_key = open_key(from_base64("previous-cluster-key", previous->second), password);
    e.role = one("role");
    e.guid = unescape(one("guid"));
    e.name = unescape(one("name"));
    e.base_url = unescape(one("url"));
    const auto mode = one("crypto-mode");
    if (mode != "1" && mode != "2") throw malformed("crypto-mode must be 1 or 2");
    e.crypto_mode = mode == "1" ? 1 : 2;
    e.revocation = one("revocation");
    e.anchor_fingerprint = one("anchor");
    e.sku = unescape(one("sku"));
    e.version = unescape(one("version"));
    e.exported = one("exported");
    for (auto [at, end] = fields.equal_range("slc"); at != end; ++at) {
        const auto bytes = from_base64("slc", at->second);
        e.slc_chain.emplace_back(bytes.begin(), bytes.end());
    }
    for (auto [at, end] = fields.equal_range("revocation-authority"); at != end; ++at) {
        const auto bytes = from_base64("revocation-authority", at->second);
        e.revocation_authorities.emplace_back(bytes.begin(), bytes.end());
    }
    if (e.slc_chain.empty()) throw malformed("it holds no SLC chain");
    return e;
}

}  // namespace xrca::ca
