// The issuance cycle (see issuer.h).
#include "ca/issuer.h"

#include "xrml/revocation.h"
#include "xrml/signature.h"

namespace xrca::ca {

store::CertificateRecord Issuer::pending_record(const Intent& w) const {
    store::CertificateRecord pending;
    pending.id = w.id;
    pending.kind = w.kind;
    pending.status = "pending";
    pending.subject = w.subject;
    pending.issuer_fingerprint = w.signer ? w.signer->public_key().fingerprint() : "";
    pending.key_fingerprint = w.key_fingerprint;
    pending.issued = w.issued.to_iso8601();
    if (w.validity) {
        pending.valid_from = w.validity->from.to_iso8601();
        pending.valid_until = w.validity->until.to_iso8601();
    }
    pending.body = w.body;
    pending.request_id = w.request_id;
    pending.license_hash = xrml::body_license_hash(w.body);
    // Lower-case, as listings compare it (store::CertificateFilter::machine): a GUID is ASCII.
    if (!w.machine.empty()) pending.machine = xrml::revocation_id_value(w.machine);
    return pending;
}

std::string Issuer::issue(const Intent& w) {
    // 1. The intent and the request's log entry, in one transaction. The entry is written
    //    before the signature, so it says "issuing": a later "failed" entry for the same ID
    //    tells when the certificate was never completed.
    m_store.reserve_issuance(pending_record(w), m_audit.entry(w.request_id, w.operation, *w.caller, w.inputs, w.id,
                                                              "accepted", "issuing " + w.kind));
    // 2. Sign; 3. complete. Nothing leaves before the completion is committed.
    try {
        auto document = w.signer->sign_document(w.body);
        m_store.complete_issuance(w.id, document);
        return document;
    } catch (const std::exception& e) {
        const auto failed = m_audit.entry(w.request_id, w.operation, *w.caller, w.inputs, w.id, "failed",
                                          std::string("internal: ") + e.what());
        try {
            m_store.abandon_issuance(w.id, failed);
        } catch (const std::exception& why) {
            // The pending row stays as evidence (`xrca status` counts it, a later start abandons
            // it); the entry that could not be written goes to the sink.
            m_audit.unwritten(failed, why);
        }
        Audit::recorded();  // the entry saying "failed" is this request's outcome: no refusal on top
        // A store that cannot be reached (the completion was not made): the caller may retry.
        const bool outage = dynamic_cast<const store::StoreUnavailable*>(&e) != nullptr ||
                            dynamic_cast<const store::CommitOutcomeUnknown*>(&e) != nullptr;
        throw Error(outage ? ErrorKind::Unavailable : ErrorKind::Internal,
                    "issuing " + w.kind + " " + w.id + " failed after it was recorded: " + e.what());
    }
}

void Issuer::record_signed(const Intent& w, const std::string& document) {
    auto record = pending_record(w);
    record.license_hash.clear();  // as before: hierarchy certificates are not revoked by hash
    m_store.reserve_issuance(record, m_audit.entry(w.request_id, w.operation, *w.caller, w.inputs, w.id, "accepted",
                                                   "issued " + w.kind + " for " + w.subject));
    m_store.complete_issuance(w.id, document);
}

std::vector<store::CertificateRecord> Issuer::abandon_interrupted(xrml::Time reserved_before, const Caller& caller) {
    return m_store.abandon_stale_pending(reserved_before.to_iso8601(), [&](const store::CertificateRecord& r) {
        return m_audit.entry(r.request_id, "Reconcile", caller, "kind=" + r.kind + "; subject=" + r.subject, r.id,
                             "failed",
                             "abandoned: pending since " + r.issued +
                                 ", its process ended before completing it; the certificate was never handed out");
    });
}

}  // namespace xrca::ca
