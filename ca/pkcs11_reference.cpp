// The stored reference to a token key (see pkcs11_reference.h).
#include "ca/pkcs11_reference.h"

#include "ca/errors.h"

#include <array>
#include <string_view>

namespace xrca::ca {
namespace {

constexpr std::string_view k_header = "xrca-pkcs11-key 1";
constexpr std::size_t k_max_object_label = 128;
constexpr std::size_t k_max_id = 64;
constexpr std::size_t k_max_path = 4096;

bool printable(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) return false;
    }
    return true;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // upper case is not what we write, so not what we read
}

// Why `r` cannot be stored, or empty when it can.
std::string problem(const Pkcs11Reference& r) {
    if (r.module.empty() || r.module.front() != '/' || r.module.size() > k_max_path || !printable(r.module))
        return "the module path is not an absolute path";
    if (r.token.empty() || r.token.size() > k_max_token_label || !printable(r.token))
        return "the token label is empty, longer than 32 bytes or holds control characters";
    if (r.object.empty() || r.object.size() > k_max_object_label || !printable(r.object))
        return "the object label is empty, too long or holds control characters";
    if (r.id.empty() || r.id.size() > k_max_id) return "the object ID is empty or longer than 64 bytes";
    return {};
}

}  // namespace

void check_module_path(const std::string& path) {
    if (path.empty() || path.front() != '/' || path.size() > k_max_path || !printable(path))
        throw Error(ErrorKind::Usage, "--pkcs11-module must be the absolute path of a PKCS#11 module (a .so file)");
}

void check_token_label(const std::string& label) {
    if (label.empty() || label.size() > k_max_token_label || !printable(label))
        throw Error(ErrorKind::Usage,
                    "--pkcs11-token must be a token label of 1 to 32 bytes without control characters");
}

std::vector<std::uint8_t> write_pkcs11_reference(const Pkcs11Reference& r) {
    if (const auto why = problem(r); !why.empty()) throw Error(ErrorKind::Internal, "a token reference: " + why);
    const std::string text = std::string(k_header) + "\nmodule " + r.module + "\ntoken " + r.token + "\nobject " +
                             r.object + "\nid " + hex(r.id) + "\n";
    return {text.begin(), text.end()};
}

Pkcs11Reference read_pkcs11_reference(const std::vector<std::uint8_t>& stored, const std::string& key_name) {
    const auto refuse = [&](const std::string& why) {
        return Error(ErrorKind::Storage, "the stored reference to the token key " + key_name + " is damaged: " + why);
    };
    std::string_view text(reinterpret_cast<const char*>(stored.data()), stored.size());
    static constexpr std::array<std::string_view, 5> names{"", "module ", "token ", "object ", "id "};
    std::array<std::string_view, 5> values{};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto end = text.find('\n');
        if (end == std::string_view::npos) throw refuse("it ends early");
        const auto line = text.substr(0, end);
        text.remove_prefix(end + 1);
        if (i == 0) {
            if (line != k_header) throw refuse("it is not a version 1 reference");
            continue;
        }
        if (line.substr(0, names[i].size()) != names[i])
            throw refuse("line " + std::to_string(i + 1) + " is not the '" + std::string(names[i]) + "…' line");
        values[i] = line.substr(names[i].size());
    }
    if (!text.empty()) throw refuse("it has more than five lines");
    Pkcs11Reference r{std::string(values[1]), std::string(values[2]), std::string(values[3]), {}};
    const auto id = values[4];
    if (id.size() % 2 != 0) throw refuse("the ID is not hex");
    for (std::size_t i = 0; i < id.size(); i += 2) {
        const int high = hex_digit(id[i]), low = hex_digit(id[i + 1]);
        if (high < 0 || low < 0) throw refuse("the ID is not lower-case hex");
        r.id.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    if (const auto why = problem(r); !why.empty()) throw refuse(why);
    return r;
}

}  // namespace xrca::ca
