// Writing and reading offline request files.
#include "offline/request_file.h"

#include "protocol/cluster_parameters.h"
#include "protocol/fields.h"
#include "protocol/proof.h"
#include "xrml/builder.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/strict_xml.h"

namespace xrca::offline {

using protocol::trimmed_text;
using xrml::FormatError;
using xrml::FormatReason;

std::string write_request_body(const ca::PreparedRequest& r) {
    xrml::XmlBuilder b;
    b.open("Body");
    b.element("RequestId", {}, r.request_id);
    b.element("Operation", {}, ca::cluster_operation_name(r.operation));
    b.element("Created", {}, r.created.to_iso8601());
    protocol::write_crypto_mode(b, r.crypto_mode.value_or(ca::CryptoMode::mode2()));
    b.open(r.operation == ca::ClusterOperation::Enroll ? "EnrollParameters" : "SubEnrollParameters");
    protocol::write_parameters(b, r);
    b.close();  // parameters
    b.close();  // Body
    return std::move(b).str();
}

std::string write_request_file(const ca::SignedRequest& s) {
    xrml::XmlBuilder b;
    b.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    b.open("XrcaEnrollmentRequest", {{"format", k_format}});
    b.raw(s.body);
    protocol::write_proof(b, "ProofOfPossession", s.proof);
    if (s.renewal_proof) protocol::write_proof(b, "RenewalProof", *s.renewal_proof);
    b.close();
    return std::move(b).str() + "\n";
}

ReadRequest read_request_file(std::string_view bytes) {
    if (bytes.size() > k_max_request_bytes) {
        throw FormatError(FormatReason::TooLarge, "a request file of " + std::to_string(bytes.size()) +
                                                      " bytes is larger than the " +
                                                      std::to_string(k_max_request_bytes) + " accepted");
    }
    const auto text = xrml::decode_input(bytes).utf8;
    const auto doc = xrml::XmlDocument::parse(text, k_max_request_bytes, 16, true);
    const auto root = doc.root();
    if (root.name() != "XrcaEnrollmentRequest") {
        throw FormatError(FormatReason::NotXrml, "expected <XrcaEnrollmentRequest>, found <" + root.name() + ">");
    }
    if (root.attr("format") != k_format)
        root.fail(FormatReason::Unsupported, "unknown format '" + root.attr("format") + "'");

    ReadRequest out;
    auto& r = out.request;
    const auto body = root.required("Body");
    r.request_id = trimmed_text(body.required("RequestId"));
    const auto operation_text = trimmed_text(body.required("Operation"));
    const auto operation = ca::parse_cluster_operation(operation_text);
    if (!operation)
        body.fail(FormatReason::BadValue,
                  "Operation must be Enroll or SubEnroll, not '" + operation_text.substr(0, 32) + "'");
    r.operation = *operation;
    const auto created = body.required("Created");
    const auto t = xrml::Time::try_parse(trimmed_text(created));
    if (!t) created.fail(FormatReason::BadTime, "not a time");
    r.created = *t;
    r.crypto_mode = protocol::read_crypto_mode(body);

    protocol::read_parameters(
        body.required(r.operation == ca::ClusterOperation::Enroll ? "EnrollParameters" : "SubEnrollParameters"), r);
    out.proof = protocol::read_proof(root.required("ProofOfPossession"));
    // The proof covers the exact characters of <Body>…</Body> as they are in the file.
    out.proof.signed_text = std::string(xrml::first_child_text(xrml::root_element_text(text), "Body"));
    if (out.proof.signed_text.empty()) root.fail(FormatReason::MissingElement, "no Body to verify");
    if (const auto renewal = root.optional("RenewalProof")) {
        out.renewal_proof = protocol::read_proof(*renewal);
        out.renewal_proof->signed_text = out.proof.signed_text;
    }
    return out;
}

ca::ClusterRequest to_cluster_request(const ReadRequest& in) {
    return protocol::with_proof(in.request, in.proof, in.renewal_proof);
}

}  // namespace xrca::offline
