// Chain building and verification (reference §2.6). Documents are linked by key: a document's
// ISSUER key (and OBJECT ID) must be the next document's issued principal. Every signature is
// verified; each issuer must hold the ISSUE right, and the child's ISSUEDTIME must lie in its
// RANGETIME ("issued while the issuer could issue" — the rule real chains need, §2.6 step 4);
// a leaf's VALIDITYTIME is checked against the evaluation time; the chain must end at the
// pinned anchor when one is given.
#pragma once

#include "xrml/certificate.h"
#include "xrml/verification.h"

#include <optional>
#include <string>
#include <vector>

namespace xrca::xrml {

/** What the verifier is asked to establish. */
struct ChainOptions {
    /** Fingerprint of the trust anchor (the root key, which travels in no document). */
    std::optional<std::string> anchor_fingerprint;
    /** The evaluation time for leaf VALIDITYTIME. */
    Time at;
    /**
     * Further acceptable anchors: a chain ends, trusted, at the first document signed by any of
     * these keys (a server's trusted SPC or RAC issuers, reference §2.6 step 5).
     */
    std::vector<std::string> trusted_fingerprints;
};

/** One leaf's chain, leaf first, and its first failure if any. */
struct ChainResult {
    std::size_t leaf = 0;
    std::vector<std::size_t> path;       ///< document indices, leaf first
    std::string top_issuer_fingerprint;  ///< the key that signed the last document in `path`
    bool anchored = false;               ///< an anchor was given and the chain ends at it
    Failure failure = Failure::None;
    std::optional<std::size_t> failed_document;
    std::string detail;
    [[nodiscard]] bool ok() const noexcept { return failure == Failure::None; }
};

/** The verdict on a set of documents: every signature, and every leaf's chain. */
struct VerificationReport {
    std::vector<SignatureVerdict> signatures;  ///< one per document, in input order
    std::vector<ChainResult> chains;           ///< one per leaf
    bool anchor_given = false;
    /** True only when every signature and every chain verified. */
    [[nodiscard]] bool ok() const noexcept;
};

/** Verifies every document and the chain of every leaf (a document that issued none of the others). */
VerificationReport verify_documents(const std::vector<Certificate>& documents, const ChainOptions& options);

/**
 * Verifies the chain that starts at `start` using the others as issuers; `signatures` are the
 * verdicts of verify_documents() or of verify_signature() per document.
 */
ChainResult verify_chain_from(const std::vector<Certificate>& documents, std::size_t start,
                              const std::vector<SignatureVerdict>& signatures, const ChainOptions& options);

/**
 * Convenience for callers holding an ordered chain (leaf first, as RMS transmits chains):
 * verifies every signature and the chain from document 0.
 */
ChainResult verify_ordered_chain(const std::vector<Certificate>& chain, const ChainOptions& options);

/** True when `child`'s ISSUER key and OBJECT ID are `issuer`'s issued principal. */
bool is_issued_by(const Certificate& child, const Certificate& issuer) noexcept;

}  // namespace xrca::xrml
