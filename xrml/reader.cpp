// Strict XrML reader over pugixml. Every accessor that decides anything is explicit about
// presence and uniqueness, and every error carries the element path (STYLE.md §8).
#include "xrml/reader.h"

#include "xrml/errors.h"
#include "xrml/strict_xml.h"

#include <algorithm>
#include <cctype>

namespace xrca::xrml {
namespace {

/** A `*.pub.xml` file holds one key: 64 KiB is far more than any RSA key needs. */
constexpr std::size_t k_max_public_key_file_bytes = std::size_t{64} * 1024;

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::uint64_t parse_decimal(const XmlElement& e, std::string_view text, const char* what) {
    const std::string t = trim(text);
    if (t.empty() || t.size() > 19 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        e.fail(FormatReason::BadValue, std::string(what) + " '" + t.substr(0, 24) + "' is not a decimal number");
    }
    return std::stoull(t);
}

std::vector<std::uint8_t> read_base64_value(const XmlElement& value, const char* what) {
    const auto encoding = value.attr("encoding");
    if (encoding != "base64") value.fail(FormatReason::BadValue, "encoding must be base64, not '" + encoding + "'");
    try {
        return base64_decode(value.text(), what);
    } catch (const FormatError& e) {
        value.fail(e.reason(), e.detail());
    }
}

Time read_time(const XmlElement& e) {
    try {
        return Time::parse(trim(e.text()));
    } catch (const FormatError& err) {
        e.fail(err.reason(), err.detail());
    }
}

TimeRange read_range(const XmlElement& e) {
    TimeRange r{read_time(e.required("FROM")), read_time(e.required("UNTIL"))};
    if (!(r.from < r.until)) e.fail(FormatReason::BadValue, "FROM must be before UNTIL");
    return r;
}

DigestAlgorithm read_digest_algorithm(const XmlElement& e) {
    const std::string name = trim(e.text());
    if (name == "SHA1" || name == "SHA-1") return DigestAlgorithm::Sha1;
    if (name == "SHA256" || name == "SHA-256") return DigestAlgorithm::Sha256;
    e.fail(FormatReason::Unsupported, "digest algorithm '" + name.substr(0, 32) + "' is not SHA1 or SHA256");
}

PublicKey read_public_key(const XmlElement& e) {
    const auto algorithm = trim(e.required("ALGORITHM").text());
    if (algorithm.rfind("RSA", 0) != 0)
        e.fail(FormatReason::Unsupported, "key algorithm '" + algorithm.substr(0, 32) + "' is not RSA");
    const auto exp_value = e.parameter("public-exponent").required("VALUE");
    const auto exponent = parse_decimal(exp_value, exp_value.text(), "public exponent");
    const auto mod_value = e.parameter("modulus").required("VALUE");
    const auto size = parse_decimal(mod_value, mod_value.attr("size"), "modulus size");
    const auto modulus = read_base64_value(mod_value, "modulus");
    try {
        return PublicKey::from_little_endian(modulus, exponent, static_cast<std::size_t>(size));
    } catch (const FormatError& err) {
        e.fail(err.reason(), err.detail());
    }
}

XrmlObject read_object(const XmlElement& e) {
    XrmlObject o;
    o.type = e.optional_attr("type").value_or("");
    const auto id = e.required("ID");
    o.id.type = id.attr("type");
    o.id.value = id.text();
    if (auto name = e.optional("NAME")) o.name = name->text();
    for (const auto& a : e.all("ADDRESS")) o.addresses.push_back({a.attr("type"), a.text()});
    return o;
}

EnablingBits read_enabling_bits(const XmlElement& e) {
    EnablingBits bits;
    bits.type = e.attr("type");
    const auto value = e.required("VALUE");
    bits.value = read_base64_value(value, "ENABLINGBITS value");
    bits.size_bits = static_cast<std::size_t>(parse_decimal(value, value.attr("size"), "ENABLINGBITS size"));
    if (bits.size_bits != bits.value.size() * 8) {
        value.fail(FormatReason::BadValue, "size attribute " + std::to_string(bits.size_bits) + " does not match " +
                                               std::to_string(bits.value.size() * 8) + " bits of value");
    }
    return bits;
}

// The hardware ID: opaque (see Digest), its length and size attribute not held to the algorithm.
Digest read_hardware_id(const XmlElement& e) {
    Digest d;
    d.algorithm = read_digest_algorithm(e.required("ALGORITHM"));
    const auto value = e.required("VALUE");
    d.value = read_base64_value(value, "digest value");
    if (d.value.empty()) value.fail(FormatReason::BadValue, "the hardware-ID digest is empty");
    if (d.value.size() > k_max_hardware_id_bytes) {
        value.fail(FormatReason::TooLarge,
                   "the hardware-ID digest is longer than " + std::to_string(k_max_hardware_id_bytes) + " bytes");
    }
    if (auto size = value.optional_attr("size"))
        d.declared_bits = static_cast<std::size_t>(parse_decimal(value, *size, "digest size"));
    return d;
}

Principal read_principal(const XmlElement& e) {
    Principal p;
    p.internal_id = e.optional_attr("internal-id");
    p.object = read_object(e.required("OBJECT"));
    if (auto key = e.optional("PUBLICKEY")) p.key = read_public_key(*key);
    if (auto digest = e.optional("DIGEST")) p.digest = read_hardware_id(*digest);
    for (const auto& s : e.all("SECURITYLEVEL")) p.security_levels.push_back({s.attr("name"), s.attr("value")});
    if (auto eb = e.optional("ENABLINGBITS")) p.enabling_bits = read_enabling_bits(*eb);
    return p;
}

DistributionPoint read_distribution_point(const XmlElement& e) {
    DistributionPoint d;
    d.object = read_object(e.required("OBJECT"));
    if (auto key = e.optional("PUBLICKEY")) d.key = read_public_key(*key);
    return d;
}

RefreshCondition read_refresh(const XmlElement& e) {
    RefreshCondition r;
    for (const auto& dp : e.all("DISTRIBUTIONPOINT")) r.points.push_back(read_distribution_point(dp));
    if (auto interval = e.optional("INTERVALTIME")) {
        r.has_interval = true;
        std::int64_t seconds = 0;
        bool any = false;
        const std::pair<const char*, std::int64_t> parts[] = {
            {"days", 86400}, {"hours", 3600}, {"minutes", 60}, {"seconds", 1}};
        for (const auto& [name, scale] : parts) {
            if (auto v = interval->optional_attr(name)) {
                const auto n = parse_decimal(*interval, *v, name);
                if (n > 100000) interval->fail(FormatReason::BadValue, std::string(name) + " is implausibly large");
                seconds += static_cast<std::int64_t>(n) * scale;
                any = true;
            }
        }
        if (any) r.interval_seconds = seconds;
    }
    return r;
}

void read_work(const XmlElement& work, Certificate& c) {
    if (auto obj = work.optional("OBJECT")) c.work_object = read_object(*obj);
    for (const auto& group : work.all("RIGHTSGROUP")) {
        for (const auto& list : group.all("RIGHTSLIST")) {
            for (const auto& right : list.all("RIGHT")) {
                const auto name = right.attr("name");
                c.rights.push_back(name);
                if (name != "ISSUE") continue;
                if (c.issue_right) right.fail(FormatReason::DuplicateElement, "a second ISSUE right");
                IssueRight issue;
                if (auto conditions = right.optional("CONDITIONLIST")) {
                    if (auto time = conditions->optional("TIME")) {
                        issue.range = read_range(time->required("RANGETIME"));
                    }
                    if (auto access = conditions->optional("ACCESS")) {
                        const auto principal = access->required("PRINCIPAL");
                        issue.principal = principal.attr("internal-id");
                        if (auto eb = principal.optional("ENABLINGBITS")) issue.enabling_bits = read_enabling_bits(*eb);
                    }
                }
                c.issue_right = std::move(issue);
            }
        }
    }
}

SignatureBlock read_signature(const XmlElement& e) {
    SignatureBlock s;
    s.algorithm = trim(e.required("ALGORITHM").text());
    if (s.algorithm != "RSA PKCS#1-V1.5") {
        e.fail(FormatReason::Unsupported,
               "signature algorithm '" + s.algorithm.substr(0, 40) + "' is not RSA PKCS#1-V1.5");
    }
    const auto digest = e.required("DIGEST");
    s.digest_algorithm = read_digest_algorithm(digest.required("ALGORITHM"));
    const auto digest_value = digest.required("VALUE");
    s.digest = read_base64_value(digest_value, "digest value");
    s.digest_size_bits =
        static_cast<std::size_t>(parse_decimal(digest_value, digest_value.attr("size"), "digest size"));
    if (s.digest_size_bits != digest_bits(s.digest_algorithm) || s.digest.size() * 8 != s.digest_size_bits) {
        digest_value.fail(FormatReason::BadValue,
                          "digest size does not match " + std::string(digest_algorithm_xrml_name(s.digest_algorithm)));
    }
    const auto value = e.required("VALUE");
    s.value = read_base64_value(value, "signature value");
    s.value_size_bits = static_cast<std::size_t>(parse_decimal(value, value.attr("size"), "signature size"));
    if (s.value.size() * 8 != s.value_size_bits) {
        value.fail(FormatReason::BadValue, "size attribute " + std::to_string(s.value_size_bits) + " does not match " +
                                               std::to_string(s.value.size() * 8) + " bits of signature");
    }
    return s;
}

}  // namespace

Certificate read_certificate_element(const XmlElement& xrml, RawDocument raw) {
    if (xrml.name() != "XrML") throw FormatError(FormatReason::NotXrml, "root element is not XrML");
    if (xrml.attr("version") != "1.2") xrml.fail(FormatReason::Unsupported, "only XrML version 1.2 is supported");

    Certificate c;
    const auto body = xrml.required("BODY");
    c.body_type = body.attr("type");
    c.body_version = body.attr("version");
    c.issued = read_time(body.required("ISSUEDTIME"));
    if (auto validity = body.optional("VALIDITYTIME")) c.validity = read_range(*validity);
    // Cloud RMS publishing licences have no DESCRIPTOR; where a decision needs the kind or ID,
    // its absence is refused there (or, for revocation by licence ID, matches nothing).
    if (auto descriptor = body.optional("DESCRIPTOR")) c.descriptor = read_object(descriptor->required("OBJECT"));
    const auto issuer = body.required("ISSUER");
    c.issuer = read_principal(issuer);
    if (!c.issuer.key) issuer.fail(FormatReason::MissingElement, "required element PUBLICKEY is missing");
    for (const auto& dp : body.all("DISTRIBUTIONPOINT")) c.distribution_points.push_back(read_distribution_point(dp));
    if (auto ip = body.optional("ISSUEDPRINCIPALS")) c.principal = read_principal(ip->required("PRINCIPAL"));
    if (auto fp = body.optional("FEDERATIONPRINCIPALS"))
        c.federation_principal = read_principal(fp->required("PRINCIPAL"));
    if (auto work = body.optional("WORK")) read_work(*work, c);
    if (auto conditions = body.optional("CONDITIONLIST")) {
        for (const auto& refresh : conditions->all("REFRESH")) c.refresh.push_back(read_refresh(refresh));
    }
    c.signature = read_signature(xrml.required("SIGNATURE"));
    c.raw = std::move(raw);
    return c;
}

Certificate read_certificate(RawDocument raw, const ReadLimits& limits) {
    const std::size_t index = raw.index;
    try {
        // The splitter already refused DTDs, undefined entities and deep nesting.
        (void)limits;
        const auto dom = XmlDocument::parse_checked(raw.text);
        return read_certificate_element(dom.root(), std::move(raw));
    } catch (const FormatError& e) {
        throw e.in_document(index);
    }
}

DocumentSet read_documents(std::string_view bytes, const ReadLimits& limits) {
    if (bytes.size() > limits.max_input_bytes) {
        throw FormatError(FormatReason::TooLarge, "input of " + std::to_string(bytes.size()) +
                                                      " bytes exceeds the limit of " +
                                                      std::to_string(limits.max_input_bytes));
    }
    auto decoded = decode_input(bytes);
    DocumentSet set;
    set.encoding = decoded.encoding;
    for (auto& raw : split_documents(decoded.utf8, limits))
        set.documents.push_back(read_certificate(std::move(raw), limits));
    return set;
}

PublicKey read_public_key_file(std::string_view bytes) {
    if (bytes.size() > k_max_public_key_file_bytes)
        throw FormatError(FormatReason::TooLarge, "a public key file is larger than 64 KiB");
    const auto decoded = decode_input(bytes);
    const auto dom = XmlDocument::parse(decoded.utf8, k_max_public_key_file_bytes, 16);
    return read_public_key_element(dom.root());
}

PublicKey read_public_key_element(const XmlElement& element) {
    if (element.name() != "PUBLICKEY") {
        throw FormatError(FormatReason::NotXrml, "expected a <PUBLICKEY> element, found <" + element.name() + ">",
                          element.path());
    }
    return read_public_key(element);
}

}  // namespace xrca::xrml
