// Archive files of the enrollment log: writing them one entry at a time, and checking one on its
// own. The lines are flat JSON objects in a fixed order; a log field that is not valid UTF-8
// (stored before text was cleaned at the door) travels as base64 under "FIELD_b64", so the
// file stays valid UTF-8 and the entry keeps the exact bytes its hash covers.
#include "ca/log_archive.h"

#include "ca/errors.h"
#include "text/clean.h"
#include "xrml/encoding.h"
#include "xrml/public_key.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <cstdio>
#include <map>
#include <optional>

namespace xrca::ca {
namespace {

constexpr std::size_t k_max_line = 16 * 1024 * 1024;

// --- writing ---------------------------------------------------------------------------------

/** The character a JSON short escape (\n \r \t \b \f) stands for, or 0 for another letter. */
char short_escape(char e) noexcept {
    switch (e) {
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        case 'b': return '\b';
        case 'f': return '\f';
        default: return 0;
    }
}

/** One line: a flat JSON object, fields in the order added. */
class JsonLine {
public:
    JsonLine& text(std::string_view key, std::string_view value) {
        separate();
        text::append_json_string(m_out, key);
        m_out += ':';
        text::append_json_string(m_out, value);
        return *this;
    }
    /** A field that may hold any bytes: base64 under KEY_b64 unless it is valid UTF-8. */
    JsonLine& bytes(const std::string& key, const std::string& value) {
        if (text::is_valid_utf8(value)) return text(key, value);
        return text(key + "_b64", xrml::base64_encode(std::vector<std::uint8_t>(value.begin(), value.end())));
    }
    JsonLine& number(std::string_view key, std::int64_t value) {
        separate();
        text::append_json_string(m_out, key);
        m_out += ':';
        m_out += std::to_string(value);
        return *this;
    }
    std::string done() { return m_out + "}\n"; }

private:
    void separate() { m_out += m_out.size() == 1 ? "" : ","; }
    std::string m_out = "{";
};

std::string hex(const Botan::secure_vector<std::uint8_t>& digest) {
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

/** What the trailer's signature covers. */
std::string signed_text(const std::string& lines_sha256, const store::LogHead& to, std::int64_t entries) {
    return std::string(k_log_archive_format) + "\nlines-sha256=" + lines_sha256 +
           "\nend-seq=" + std::to_string(to.seq) + "\nend-hash=" + to.hash + "\nentries=" + std::to_string(entries) +
           "\n";
}

// --- reading ---------------------------------------------------------------------------------

/** A flat JSON object as the writer writes it: string and integer values, no whitespace. */
class ParsedLine {
public:
    /** Parses `line` (without its newline); false and `error` set if it is not such an object. */
    bool parse(std::string_view line, std::string& error) {
        m_text.clear();
        m_numbers.clear();
        std::size_t i = 0;
        const auto fail = [&](const std::string& what) {
            error = what + " at column " + std::to_string(i + 1);
            return false;
        };
        if (line.empty() || line[0] != '{') return fail("expected '{'");
        ++i;
        if (i < line.size() && line[i] == '}') return ++i == line.size() || fail("text after the object");
        for (;;) {
            std::string key;
            if (!string_at(line, i, key)) return fail("expected a string key");
            if (i >= line.size() || line[i] != ':') return fail("expected ':'");
            ++i;
            if (m_text.count(key) || m_numbers.count(key)) return fail("field \"" + key + "\" given twice");
            if (i < line.size() && line[i] == '"') {
                std::string value;
                if (!string_at(line, i, value)) return fail("bad string value");
                m_text.emplace(std::move(key), std::move(value));
            } else {
                const std::size_t start = i;
                if (i < line.size() && line[i] == '-') ++i;
                while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
                const auto digits = line.substr(start, i - start);
                if (digits.empty() || digits == "-" || digits.size() > 18) return fail("expected a string or a number");
                m_numbers.emplace(std::move(key), std::stoll(std::string(digits)));
            }
            if (i < line.size() && line[i] == ',') {
                ++i;
                continue;
            }
            if (i < line.size() && line[i] == '}') {
                ++i;
                break;
            }
            return fail("expected ',' or '}'");
        }
        if (i != line.size()) return fail("text after the object");
        return true;
    }

    [[nodiscard]] bool has(const std::string& key) const { return m_text.count(key) || m_numbers.count(key); }
    [[nodiscard]] std::optional<std::string> text(const std::string& key) const {
        const auto it = m_text.find(key);
        if (it == m_text.end()) return std::nullopt;
        return it->second;
    }
    [[nodiscard]] std::optional<std::int64_t> number(const std::string& key) const {
        const auto it = m_numbers.find(key);
        if (it == m_numbers.end()) return std::nullopt;
        return it->second;
    }
    /** A field written by JsonLine::bytes: KEY as text, or KEY_b64 decoded. */
    [[nodiscard]] std::optional<std::string> bytes(const std::string& key) const {
        if (auto t = text(key)) return t;
        const auto b = text(key + "_b64");
        if (!b) return std::nullopt;
        try {
            const auto raw = xrml::base64_decode(*b, key);
            return std::string(raw.begin(), raw.end());
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    [[nodiscard]] std::size_t size() const { return m_text.size() + m_numbers.size(); }

private:
    static int hex_digit(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }
    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    // Strings as the writer escapes them: \" \\ and \u00XX; raw text must be valid UTF-8.
    static bool string_at(std::string_view line, std::size_t& i, std::string& out) {
        if (i >= line.size() || line[i] != '"') return false;
        ++i;
        const std::size_t raw_start = i;
        while (i < line.size() && line[i] != '"') {
            const char c = line[i];
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c != '\\') {
                out += c;
                ++i;
                continue;
            }
            if (i + 1 >= line.size()) return false;
            const char e = line[i + 1];
            if (e == '"' || e == '\\' || e == '/') {
                out += e;
                i += 2;
            } else if (const char escaped = short_escape(e); escaped != 0) {
                out += escaped;
                i += 2;
            } else if (e == 'u' && i + 5 < line.size()) {
                std::uint32_t cp = 0;
                for (std::size_t k = 2; k < 6; ++k) {
                    const int d = hex_digit(line[i + k]);
                    if (d < 0) return false;
                    cp = cp * 16 + static_cast<std::uint32_t>(d);
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // the writer never needs surrogates
                append_utf8(out, cp);
                i += 6;
            } else {
                return false;
            }
        }
        if (i >= line.size()) return false;
        ++i;
        return text::is_valid_utf8(line.substr(raw_start, i - 1 - raw_start));
    }

    std::map<std::string, std::string> m_text;
    std::map<std::string, std::int64_t> m_numbers;
};

/** Reads lines of at most k_max_line bytes; the newline is not part of the line. */
class LineReader {
public:
    explicit LineReader(std::istream& in) : m_in(*in.rdbuf()) {}
    /** False at the end of the input (or when a line is too long: then `too_long`). */
    bool next(std::string& line) {
        line.clear();
        for (;;) {
            const auto c = m_in.sbumpc();
            if (c == std::char_traits<char>::eof()) {
                if (!line.empty()) m_unterminated = true;
                return !line.empty();
            }
            if (c == '\n') return true;
            if (line.size() >= k_max_line) {
                m_too_long = true;
                return false;
            }
            line += static_cast<char>(c);
        }
    }
    [[nodiscard]] bool too_long() const noexcept { return m_too_long; }
    [[nodiscard]] bool unterminated() const noexcept { return m_unterminated; }

private:
    std::streambuf& m_in;
    bool m_too_long = false;
    bool m_unterminated = false;
};

std::optional<store::LogEntry> entry_from(const ParsedLine& p) {
    store::LogEntry e;
    const auto seq = p.number("seq");
    if (!seq) return std::nullopt;
    e.seq = *seq;
    const std::pair<const char*, std::string*> fields[] = {
        {"request_id", &e.request_id}, {"time", &e.time},
        {"operation", &e.operation},   {"caller", &e.caller},
        {"inputs", &e.inputs},         {"certificate_id", &e.certificate_id},
        {"outcome", &e.outcome},       {"reason", &e.reason},
        {"prev_hash", &e.prev_hash},   {"hash", &e.hash},
    };
    for (const auto& [name, field] : fields) {
        auto v = p.bytes(name);
        if (!v) return std::nullopt;
        *field = std::move(*v);
    }
    if (p.size() != 11) return std::nullopt;
    return e;
}

bool verify_signature(const xrml::PublicKey& key, const std::string& algorithm, const std::string& text,
                      const std::vector<std::uint8_t>& signature) {
    for (const auto a : {xrml::DigestAlgorithm::Sha1, xrml::DigestAlgorithm::Sha256}) {
        if (algorithm != xrml::digest_algorithm_botan_name(a)) continue;
        try {
            Botan::PK_Verifier verifier(*key.botan_key(),
                                        std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(a) + ")");
            return verifier.verify_message(xrml::body_digest(text, a), signature);
        } catch (const std::exception&) {
            return false;
        }
    }
    return false;
}

}  // namespace

// --- LogArchiveWriter ----------------------------------------------------------------------

LogArchiveWriter::LogArchiveWriter(ArchiveOutput& out, const LogArchiveSummary& summary)
    : m_out(out),
      m_summary(summary),
      m_chain(summary.from),
      m_lines(Botan::HashFunction::create_or_throw("SHA-256")),
      m_file(Botan::HashFunction::create_or_throw("SHA-256")) {
    m_summary.to = summary.from;
    m_summary.entries = 0;
    line(JsonLine()
             .text("format", k_log_archive_format)
             .bytes("authority", summary.authority)
             .text("guid", summary.guid)
             .text("created", summary.created)
             .text("before", summary.before)
             .number("from_seq", summary.from.seq)
             .text("from_hash", summary.from.hash)
             .done());
}

LogArchiveWriter::~LogArchiveWriter() = default;

void LogArchiveWriter::line(const std::string& text) {
    m_lines->update(text);
    m_file->update(text);
    m_out.write(text);
}

void LogArchiveWriter::add(const store::LogEntry& e) {
    if (!m_chain.add(e)) {
        throw Error(ErrorKind::PolicyDenied, "the enrollment log is not intact (" +
                                                 m_chain.finish(std::nullopt).problem +
                                                 "): nothing was archived; see `xrca log --verify`");
    }
    if (m_summary.entries == 0) m_summary.first_time = e.time;
    m_summary.last_time = e.time;
    m_summary.to = {e.seq, e.hash};
    ++m_summary.entries;
    line(JsonLine()
             .number("seq", e.seq)
             .bytes("request_id", e.request_id)
             .bytes("time", e.time)
             .bytes("operation", e.operation)
             .bytes("caller", e.caller)
             .bytes("inputs", e.inputs)
             .bytes("certificate_id", e.certificate_id)
             .bytes("outcome", e.outcome)
             .bytes("reason", e.reason)
             .bytes("prev_hash", e.prev_hash)
             .bytes("hash", e.hash)
             .done());
}

LogArchiveSummary LogArchiveWriter::finish(Signer& signer) {
    const auto lines_sha256 = hex(m_lines->final());
    const auto signature = signer.sign_text(signed_text(lines_sha256, m_summary.to, m_summary.entries));
    const auto trailer = JsonLine()
                             .number("end_seq", m_summary.to.seq)
                             .text("end_hash", m_summary.to.hash)
                             .number("entries", m_summary.entries)
                             .text("lines_sha256", lines_sha256)
                             .text("digest_algorithm", xrml::digest_algorithm_botan_name(signer.digest_algorithm()))
                             .text("key_fingerprint", signer.public_key().fingerprint())
                             .text("key", xrml::build_public_key_element(signer.public_key()))
                             .text("signature", xrml::base64_encode(signature))
                             .done();
    m_file->update(trailer);
    m_out.write(trailer);
    m_summary.signer_fingerprint = signer.public_key().fingerprint();
    m_summary.sha256 = hex(m_file->final());
    return m_summary;
}

// --- verify_log_archive --------------------------------------------------------------------

LogArchiveCheck verify_log_archive(std::istream& in) {
    LogArchiveCheck out;
    auto& s = out.summary;
    const auto lines_hash = Botan::HashFunction::create_or_throw("SHA-256");
    const auto file_hash = Botan::HashFunction::create_or_throw("SHA-256");
    LineReader reader(in);
    std::string line;
    std::string error;
    ParsedLine p;
    std::int64_t number = 0;
    const auto refuse = [&](const std::string& problem) {
        out.ok = false;
        out.problem = "line " + std::to_string(number) + ": " + problem;
        return out;
    };
    const auto read = [&]() {
        if (!reader.next(line)) return false;
        ++number;
        file_hash->update(line);
        file_hash->update('\n');
        return true;
    };

    if (!read()) return refuse(reader.too_long() ? "a line longer than 16 MiB" : "the file is empty");
    if (!p.parse(line, error)) return refuse("the header is not a JSON object: " + error);
    if (p.text("format") != std::string(k_log_archive_format)) {
        return refuse(std::string("the header does not name the format ") + k_log_archive_format);
    }
    const auto from_seq = p.number("from_seq");
    const auto from_hash = p.text("from_hash");
    const auto authority = p.bytes("authority");
    if (!from_seq || !from_hash || !authority || !p.text("guid") || !p.text("created") || !p.text("before")) {
        return refuse("the header lacks one of authority, guid, created, before, from_seq, from_hash");
    }
    s.authority = *authority;
    s.guid = *p.text("guid");
    s.created = *p.text("created");
    s.before = *p.text("before");
    s.from = {*from_seq, *from_hash};
    s.to = s.from;
    lines_hash->update(line);
    lines_hash->update('\n');

    store::LogChainCheck chain(s.from);
    for (;;) {
        if (!read()) {
            return refuse(reader.too_long() ? "a line longer than 16 MiB"
                                            : "the file ends without its signed trailer: it was cut short");
        }
        if (!p.parse(line, error)) return refuse("not a JSON object: " + error);
        if (p.has("signature")) break;
        const auto e = entry_from(p);
        if (!e) return refuse("not a log entry (a field is missing, unknown or not readable)");
        if (!chain.add(*e)) return refuse(chain.finish(std::nullopt).problem);
        if (s.entries == 0) s.first_time = e->time;
        s.last_time = e->time;
        s.to = {e->seq, e->hash};
        ++s.entries;
        lines_hash->update(line);
        lines_hash->update('\n');
    }

    // The trailer: the end and count it declares, the hash of the lines before it, the signature.
    const auto end_seq = p.number("end_seq");
    const auto end_hash = p.text("end_hash");
    const auto entries = p.number("entries");
    const auto lines_sha256 = p.text("lines_sha256");
    const auto algorithm = p.text("digest_algorithm");
    const auto fingerprint = p.text("key_fingerprint");
    const auto key_text = p.text("key");
    const auto signature = p.text("signature");
    if (!end_seq || !end_hash || !entries || !lines_sha256 || !algorithm || !fingerprint || !key_text ||
        p.size() != 8) {
        return refuse(
            "the trailer is not end_seq, end_hash, entries, lines_sha256, digest_algorithm, "
            "key_fingerprint, key, signature");
    }
    if (s.entries == 0) return refuse("the archive holds no entries");
    if (*end_seq != s.to.seq || *end_hash != s.to.hash || *entries != s.entries) {
        return refuse("the trailer says it ends at entry " + std::to_string(*end_seq) + " after " +
                      std::to_string(*entries) + " entries, but the entries end at " + std::to_string(s.to.seq) +
                      " after " + std::to_string(s.entries) + ": entries were removed or added");
    }
    if (*lines_sha256 != hex(lines_hash->final())) {
        return refuse(
            "the SHA-256 of the lines before the trailer differs from the signed one: the header or an "
            "entry's text was changed");
    }
    xrml::PublicKey key;
    try {
        key = xrml::read_public_key_file(*key_text);
    } catch (const std::exception& e) {
        return refuse(std::string("the trailer's key is not a <PUBLICKEY>: ") + e.what());
    }
    // The trailer is outside the signed hash: each of its fields must be the one form the
    // writer writes, so that no byte of it can change without the check failing.
    if (xrml::build_public_key_element(key) != *key_text) return refuse("the trailer's key is not written as signed");
    if (key.fingerprint() != *fingerprint) return refuse("the trailer's key does not have the fingerprint it names");
    std::vector<std::uint8_t> signature_bytes;
    try {
        signature_bytes = xrml::base64_decode(*signature, "signature");
    } catch (const std::exception&) {
        return refuse("the signature is not base64");
    }
    if (xrml::base64_encode(signature_bytes) != *signature) return refuse("the signature is not written as signed");
    if (!verify_signature(key, *algorithm, signed_text(*lines_sha256, s.to, s.entries), signature_bytes)) {
        return refuse("the signature does not verify with key " + key.fingerprint());
    }
    s.signer_fingerprint = key.fingerprint();
    if (read()) return refuse("text after the signed trailer");
    if (reader.too_long()) return refuse("a line longer than 16 MiB after the trailer");
    if (reader.unterminated()) return refuse("the trailer does not end with a newline");
    s.sha256 = hex(file_hash->final());
    out.ok = true;
    return out;
}

}  // namespace xrca::ca
