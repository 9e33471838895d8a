// Chain building by key and the link rules of reference §2.6.
#include "xrml/chain.h"

#include "xrml/signature.h"

#include <algorithm>

namespace xrca::xrml {
namespace {

void fail(ChainResult& r, Failure failure, std::size_t document, std::string detail) {
    if (!r.ok()) return;  // keep the first failure
    r.failure = failure;
    r.failed_document = document;
    r.detail = std::move(detail);
}

std::string doc_name(const Certificate& c) {
    return "document " + std::to_string(c.index()) + " (" + (c.kind().empty() ? c.body_type : c.kind()) + ")";
}

// Whether `fingerprint` is a key the chain may end at. verify_chain_from stops its walk here and
// verify_ordered_chain stops verifying here: both must use this one definition.
bool is_anchor(const ChainOptions& options, const std::string& fingerprint) {
    return (options.anchor_fingerprint && fingerprint == *options.anchor_fingerprint) ||
           std::find(options.trusted_fingerprints.begin(), options.trusted_fingerprints.end(), fingerprint) !=
               options.trusted_fingerprints.end();
}

bool has_anchor(const ChainOptions& options) {
    return options.anchor_fingerprint.has_value() || !options.trusted_fingerprints.empty();
}

// The checks of one link: `issuer` issued `child`.
void check_link(ChainResult& r, const Certificate& child, const Certificate& issuer) {
    if (!issuer.issue_right) {
        fail(r, Failure::NoIssueRight, issuer.index(),
             doc_name(issuer) + " issued " + doc_name(child) + " but has no ISSUE right");
        return;
    }
    const auto& right = *issuer.issue_right;
    if (right.principal && issuer.principal->internal_id && *right.principal != *issuer.principal->internal_id) {
        fail(r, Failure::NoIssueRight, issuer.index(),
             doc_name(issuer) + ": the ISSUE right is granted to principal " + *right.principal +
                 ", not the issued one");
        return;
    }
    if (right.range && !right.range->contains(child.issued)) {
        fail(r, Failure::IssuedOutsideIssuerRange, child.index(),
             doc_name(child) + " was issued at " + child.issued.to_xrml() + ", outside its issuer's ISSUE range [" +
                 right.range->from.to_xrml() + ", " + right.range->until.to_xrml() + ")");
    }
}

}  // namespace

bool VerificationReport::ok() const noexcept {
    return std::all_of(signatures.begin(), signatures.end(), [](const auto& s) { return s.ok(); }) &&
           std::all_of(chains.begin(), chains.end(), [](const auto& c) { return c.ok(); });
}

bool is_issued_by(const Certificate& child, const Certificate& issuer) noexcept {
    return issuer.principal && issuer.principal->key && child.issuer.key &&
           *issuer.principal->key == *child.issuer.key && issuer.principal->object.id.same_as(child.issuer.object.id);
}

ChainResult verify_chain_from(const std::vector<Certificate>& documents, std::size_t start,
                              const std::vector<SignatureVerdict>& signatures, const ChainOptions& options) {
    ChainResult r;
    r.leaf = start;
    std::size_t current = start;
    while (true) {
        r.path.push_back(current);
        const Certificate& doc = documents[current];
        const auto& verdict = signatures[current];
        if (!verdict.ok()) fail(r, verdict.failure, current, doc_name(doc) + ": " + verdict.detail);
        r.top_issuer_fingerprint = doc.issuer.key->fingerprint();
        if (is_anchor(options, r.top_issuer_fingerprint)) {
            r.anchored = true;
            break;
        }
        // Candidates that issued `doc`; prefer one whose ISSUE range covers the issue time.
        std::optional<std::size_t> chosen;
        for (std::size_t j = 0; j < documents.size(); ++j) {
            if (j == current || !is_issued_by(doc, documents[j])) continue;
            const auto& right = documents[j].issue_right;
            const bool covers = right && (!right->range || right->range->contains(doc.issued));
            if (!chosen || (covers && !(documents[*chosen].issue_right && documents[*chosen].issue_right->range &&
                                        documents[*chosen].issue_right->range->contains(doc.issued)))) {
                chosen = j;
            }
        }
        if (!chosen) break;
        if (std::find(r.path.begin(), r.path.end(), *chosen) != r.path.end()) {
            fail(r, Failure::ChainLoop, *chosen, doc_name(documents[*chosen]) + " appears twice in the chain");
            break;
        }
        check_link(r, doc, documents[*chosen]);
        current = *chosen;
    }
    if (has_anchor(options) && !r.anchored) {
        fail(r, Failure::UntrustedAnchor, r.path.back(),
             "the chain ends at key " + r.top_issuer_fingerprint + ", which is not a trusted anchor");
    }
    const Certificate& leaf = documents[start];
    if (leaf.validity) {
        if (options.at < leaf.validity->from) {
            fail(r, Failure::NotYetValid, start,
                 doc_name(leaf) + " is valid from " + leaf.validity->from.to_xrml() + ", after the evaluation time " +
                     options.at.to_xrml());
        } else if (options.at >= leaf.validity->until) {
            fail(r, Failure::Expired, start,
                 doc_name(leaf) + " expired at " + leaf.validity->until.to_xrml() + ", before the evaluation time " +
                     options.at.to_xrml());
        }
    }
    return r;
}

VerificationReport verify_documents(const std::vector<Certificate>& documents, const ChainOptions& options) {
    VerificationReport report;
    report.anchor_given = has_anchor(options);
    report.signatures.reserve(documents.size());
    for (const auto& doc : documents) report.signatures.push_back(verify_signature(doc));
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const bool issued_another = std::any_of(documents.begin(), documents.end(), [&](const Certificate& other) {
            // Only a holder of the ISSUE right issues: a licence naming a server as its
            // principal (a publishing licence does) does not make it the server's issuer.
            return &other != &documents[i] && documents[i].issue_right && is_issued_by(other, documents[i]);
        });
        if (!issued_another) report.chains.push_back(verify_chain_from(documents, i, report.signatures, options));
    }
    if (report.chains.empty() && !documents.empty()) {
        report.chains.push_back(verify_chain_from(documents, 0, report.signatures, options));
    }
    return report;
}

ChainResult verify_ordered_chain(const std::vector<Certificate>& chain, const ChainOptions& options) {
    // Only documents up to the first one signed by an anchor are on the path; verifying the
    // rest would cost an RSA operation each and decide nothing. (A server receives its own
    // upper chain back with every request.)
    std::vector<SignatureVerdict> signatures(chain.size());
    for (std::size_t i = 0; i < chain.size(); ++i) {
        signatures[i] = verify_signature(chain[i]);
        if (is_anchor(options, chain[i].issuer.key->fingerprint())) break;
    }
    if (chain.empty()) {
        ChainResult r;
        r.failure = Failure::IssuerMismatch;
        r.detail = "the chain is empty";
        return r;
    }
    auto result = verify_chain_from(chain, 0, signatures, options);
    // In an ordered chain every document must be used, in order: anything else is a mix-up.
    for (std::size_t i = 0; result.ok() && i < result.path.size(); ++i) {
        if (result.path[i] != i) {
            fail(result, Failure::IssuerMismatch, i,
                 "document " + std::to_string(i) + " is not issued by document " + std::to_string(i + 1) +
                     " of the chain");
        }
    }
    if (result.ok() && result.path.size() != chain.size() && !result.anchored) {
        fail(result, Failure::IssuerMismatch, result.path.back(),
             "document " + std::to_string(result.path.back()) + " is not issued by the next document of the chain");
    }
    return result;
}

}  // namespace xrca::xrml
