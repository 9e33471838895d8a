// The issuance cycle (docs/issuance-cycle.md), in one place: record the intent (a pending row
// with the exact BODY, and its log entry) in one transaction, sign, then mark it issued with the
// signed text. Only then does the document leave. A failure after the intent was recorded
// leaves the pending row as evidence, marks it abandoned when it can and logs why.
//
// The Issuer is the only caller of the store's reserve/complete/abandon.
#pragma once

#include "ca/audit.h"
#include "ca/signer.h"
#include "store/store.h"

#include <optional>
#include <string>
#include <vector>

namespace xrca::ca {

/** One certificate to issue: what the log says of its request, and what the store records of it. */
struct Intent {
    std::string request_id;
    const char* operation = "";
    const Caller* caller = nullptr;
    std::string inputs;
    std::string id;
    std::string kind;
    std::string subject;
    std::string key_fingerprint;
    xrml::Time issued;
    std::optional<xrml::TimeRange> validity;
    std::string body;  ///< the exact BODY text that is signed
    Signer* signer = nullptr;
    std::string machine;  ///< the machine ID an SPC names or a RAC was sealed to; "" for other kinds
};

class Issuer {
public:
    Issuer(store::IssuanceStore& store, Audit& audit) : m_store(store), m_audit(audit) {}

    /** Records, signs and completes `intent`; returns the signed document. Error(Internal) if signing failed after
     * recording. */
    std::string issue(const Intent& w);
    /**
     * Records a document signed before its authority existed (the hierarchy made by `xrca init`
     * in the same command), as issued, with its log entry.
     */
    void record_signed(const Intent& w, const std::string& document);
    /**
     * Marks abandoned the issuances still pending that were reserved before `reserved_before`
     * (their process died between recording and completing), each with a `failed` log entry by
     * `caller` saying so; returns them. Nothing of theirs left a process: a document leaves only
     * after its completion is committed, and a late completion of such a row now fails.
     */
    std::vector<store::CertificateRecord> abandon_interrupted(xrml::Time reserved_before, const Caller& caller);

private:
    store::CertificateRecord pending_record(const Intent& w) const;

    store::IssuanceStore& m_store;
    Audit& m_audit;
};

}  // namespace xrca::ca
