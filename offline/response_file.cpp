// Writing and reading offline response files.
#include "offline/response_file.h"

#include "offline/request_file.h"
#include "xrml/builder.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/strict_xml.h"

namespace xrca::offline {

using xrml::FormatError;
using xrml::FormatReason;

std::string write_response_file(const std::string& request_id, ca::ClusterOperation operation,
                                const ca::IssuedChain& chain, xrml::Time issued) {
    xrml::XmlBuilder b;
    b.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    b.open("XrcaEnrollmentResponse", {{"format", k_format}});
    b.element("RequestId", {}, request_id);
    b.element("Operation", {}, ca::cluster_operation_name(operation));
    b.element("Issued", {}, issued.to_iso8601());
    b.open("LicensorCertificateChain");
    for (const auto& doc : chain.documents) b.element("string", {}, doc);
    b.close();
    b.close();
    return std::move(b).str() + "\n";
}

ReadResponse read_response_file(std::string_view bytes) {
    if (bytes.size() > k_max_response_bytes) {
        throw FormatError(FormatReason::TooLarge, "a response file of " + std::to_string(bytes.size()) +
                                                      " bytes is larger than the " +
                                                      std::to_string(k_max_response_bytes) + " accepted");
    }
    const auto text = xrml::decode_input(bytes).utf8;
    // keep_eol: the escaped XrML must come back character for character, CRs included.
    const auto doc = xrml::XmlDocument::parse(text, k_max_response_bytes, 8, true);
    const auto root = doc.root();
    if (root.name() != "XrcaEnrollmentResponse") {
        throw FormatError(FormatReason::NotXrml, "expected <XrcaEnrollmentResponse>, found <" + root.name() + ">");
    }
    if (root.attr("format") != k_format)
        root.fail(FormatReason::Unsupported, "unknown format '" + root.attr("format") + "'");
    ReadResponse out;
    out.request_id = root.required("RequestId").required_text();
    const auto operation = ca::parse_cluster_operation(root.required("Operation").required_text());
    if (!operation) root.fail(FormatReason::BadValue, "Operation must be Enroll or SubEnroll");
    out.operation = *operation;
    const auto chain = root.required("LicensorCertificateChain");
    for (const auto& s : chain.all("string")) {
        out.chain.push_back(s.required_text());
        ++out.documents;
    }
    if (out.documents == 0) chain.fail(FormatReason::MissingElement, "the chain is empty");
    return out;
}

}  // namespace xrca::offline
