// The whole-document reader (see dom_revocation_reader.h), as xrml/revocation.cpp had it.
#include "support/dom_revocation_reader.h"

#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/strict_xml.h"

namespace xrca::test {
namespace {

using namespace xrml;

XrmlObject read_revoked_object(const XmlElement& e) {
    XrmlObject o;
    o.type = e.optional_attr("type").value_or("");
    const auto id = e.required("ID");
    o.id = {id.optional_attr("type").value_or(""), id.text()};
    if (revocation_id_value(o.id.value).empty()) id.fail(FormatReason::BadValue, "an empty ID revokes nothing");
    if (const auto name = e.optional("NAME")) o.name = name->text();
    return o;
}

RevokeType known_type(const XmlElement& revoke) {
    const auto category = revoke.attr("category");
    const auto type_name = revoke.attr("type");
    for (const auto type : {RevokeType::LicenseId, RevokeType::LicenseHash, RevokeType::IssuerKey, RevokeType::IssuerId,
                            RevokeType::ContentId, RevokeType::PrincipalId, RevokeType::PrincipalKey}) {
        if (category == revoke_category(type) && type_name == revoke_type_name(type)) return type;
    }
    revoke.fail(FormatReason::Unsupported, "unknown REVOKE category/type " + category + "/" + type_name);
}

}  // namespace

RevocationList read_revocation_list_with_dom(std::string_view text, std::size_t max_bytes) {
    ReadLimits limits;
    limits.max_input_bytes = max_bytes;
    auto set = read_documents(text, limits);
    if (set.documents.size() != 1) {
        throw FormatError(FormatReason::BadValue,
                          "a revocation list file holds one document, not " + std::to_string(set.documents.size()));
    }
    RevocationList list{std::move(set.documents.front()), {}};
    if (list.document.kind() != names::revocation_list) {
        throw FormatError(FormatReason::BadValue,
                          "the document is a " + list.document.description() + ", not a " + names::revocation_list);
    }
    const auto dom = XmlDocument::parse_checked(list.document.raw.text);
    const auto revocations = dom.root().required("BODY").required("REVOCATIONLIST");
    for (const auto& revoke : revocations.all("REVOKE")) {
        RevokeEntry e;
        e.type = known_type(revoke);
        switch (e.type) {
            case RevokeType::LicenseHash: {
                const auto digest = revoke.required("DIGEST");
                const auto algorithm = digest.required("ALGORITHM").text();
                if (algorithm != "SHA1" && algorithm != "SHA-1")
                    digest.fail(FormatReason::Unsupported, "revocation hashes are SHA-1");
                e.sha1 = base64_decode(digest.required("VALUE").text(), "a revoked license hash");
                if (e.sha1.size() != 20) digest.fail(FormatReason::BadValue, "a SHA-1 digest is 20 bytes");
                break;
            }
            case RevokeType::IssuerKey:
            case RevokeType::PrincipalKey: e.key = read_public_key_element(revoke.required("PUBLICKEY")); break;
            case RevokeType::LicenseId:
            case RevokeType::IssuerId:
            case RevokeType::ContentId:
            case RevokeType::PrincipalId: e.object = read_revoked_object(revoke.required("OBJECT")); break;
        }
        list.entries.push_back(std::move(e));
    }
    return list;
}

}  // namespace xrca::test
