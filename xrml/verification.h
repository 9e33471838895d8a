// Verdicts of signature and chain verification. These are values, not exceptions: a report
// names every document's verdict and the first failure of each chain.
#pragma once

#include <string>

namespace xrca::xrml {

/** Why a signature or a chain did not verify. */
enum class Failure {
    None,
    DigestMismatch,            ///< the DIGEST value is not the hash of the BODY text
    BadSignature,              ///< the RSA signature does not verify with the ISSUER key
    SignatureSize,             ///< signature size differs from the issuer key size
    UntrustedAnchor,           ///< the chain does not end at the pinned anchor
    IssuerMismatch,            ///< issuer key or ID does not match the next certificate's principal
    NoIssueRight,              ///< an issuing certificate lacks the ISSUE right (or binds another principal)
    IssuedOutsideIssuerRange,  ///< ISSUEDTIME outside the issuer's ISSUE RANGETIME
    NotYetValid,               ///< evaluation time before VALIDITYTIME FROM
    Expired,                   ///< evaluation time at or after VALIDITYTIME UNTIL
    ChainLoop,                 ///< a certificate would issue itself through the chain
};

/** Stable kebab-case name, for output and JSON. */
const char* failure_name(Failure failure) noexcept;

/** Which text of BODY the DIGEST matched (reference §2.5). */
enum class BodyForm {
    Exact,                 ///< the original characters
    WhitespaceNormalised,  ///< after removing whitespace-only text between tags
};

const char* body_form_name(BodyForm form) noexcept;

/** The verdict on one document's signature. */
struct SignatureVerdict {
    Failure failure = Failure::None;
    BodyForm form = BodyForm::Exact;
    std::string detail;  ///< human-readable, names what was compared
    [[nodiscard]] bool ok() const noexcept { return failure == Failure::None; }
};

}  // namespace xrca::xrml
