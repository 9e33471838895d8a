// A Store that forwards every call to another: the base for test decorators that change one
// behaviour (a failing write, say) and leave the rest real.
#pragma once

#include "store/store.h"

namespace xrca::test {

class ForwardingStore : public store::Store {
public:
    explicit ForwardingStore(store::Store& inner) : m(inner) {}

    std::optional<store::AuthorityRecord> load_authority() override { return m.load_authority(); }
    void create_authority(const store::AuthorityRecord& a, const std::vector<store::KeyBlob>& k,
                          const std::vector<store::ChainRecord>& c, const store::LogEntry& e) override {
        m.create_authority(a, k, c, e);
    }
    std::optional<store::KeyBlob> load_key(const std::string& n) override { return m.load_key(n); }
    std::vector<store::KeyBlob> list_keys() override { return m.list_keys(); }
    store::KeyBlob save_key_if_absent(const store::KeyBlob& k) override { return m.save_key_if_absent(k); }
    std::vector<std::string> load_chain(const std::string& p) override { return m.load_chain(p); }
    void apply(const store::AuthorityChange& c) override { m.apply(c); }
    [[nodiscard]] std::string describe() const override { return m.describe(); }
    void reserve_issuance(const store::CertificateRecord& r, const store::LogEntry& e) override {
        m.reserve_issuance(r, e);
    }
    void complete_issuance(const std::string& id, const std::string& x) override { m.complete_issuance(id, x); }
    void abandon_issuance(const std::string& id, const store::LogEntry& e) override { m.abandon_issuance(id, e); }
    std::vector<store::CertificateRecord> abandon_stale_pending(
        const std::string& before,
        const std::function<store::LogEntry(const store::CertificateRecord&)>& entry_for) override {
        return m.abandon_stale_pending(before, entry_for);
    }
    std::optional<store::CertificateRecord> find_certificate(const std::string& id) override {
        return m.find_certificate(id);
    }
    std::vector<store::CertificateRecord> find_by_key(const std::string& f) override { return m.find_by_key(f); }
    store::StoreCounts counts() override { return m.counts(); }
    std::optional<store::CertificateRecord> find_issued_by_request(const std::string& r) override {
        return m.find_issued_by_request(r);
    }
    std::optional<store::OfflineRequestRecord> find_offline_request(const std::string& r) override {
        return m.find_offline_request(r);
    }
    std::optional<store::OfflineRequestRecord> pending_offline_request() override {
        return m.pending_offline_request();
    }
    std::optional<store::UserKeyRecord> find_user_key(const std::string& u) override { return m.find_user_key(u); }
    store::UserKeyRecord insert_user_key_if_absent(const store::UserKeyRecord& k) override {
        return m.insert_user_key_if_absent(k);
    }
    void add_trust(const store::TrustRecord& t, const store::LogEntry& e) override { m.add_trust(t, e); }
    bool remove_trust(const std::string& f, const store::LogEntry& e) override { return m.remove_trust(f, e); }
    std::vector<store::TrustRecord> list_trust() override { return m.list_trust(); }
    void add_principal(const store::PrincipalRecord& p, const store::LogEntry& e) override { m.add_principal(p, e); }
    bool remove_principal(const std::string& n, const store::LogEntry& e) override { return m.remove_principal(n, e); }
    std::vector<store::PrincipalRecord> list_principals() override { return m.list_principals(); }
    std::vector<store::CertificateRecord> find_by_license_hash(const std::string& h) override {
        return m.find_by_license_hash(h);
    }
    std::vector<store::CertificateRecord> find_by_subject(const std::string& s) override {
        return m.find_by_subject(s);
    }
    std::vector<store::CertificateRecord> find_by_kind_and_subject_ignoring_case(const std::string& k,
                                                                                 const std::string& s) override {
        return m.find_by_kind_and_subject_ignoring_case(k, s);
    }
    std::vector<store::ListedCertificate> list_certificates(const store::CertificateFilter& f) override {
        return m.list_certificates(f);
    }
    std::int64_t add_revocation(const store::RevocationRecord& r, const store::LogEntry& e) override {
        return m.add_revocation(r, e);
    }
    std::vector<store::RevocationRecord> list_revocations() override { return m.list_revocations(); }
    std::optional<store::PublishedListHead> published_revocation_list_head() override {
        return m.published_revocation_list_head();
    }
    std::optional<store::PublishedList> load_published_revocation_list() override {
        return m.load_published_revocation_list();
    }
    store::PublishedListHead publish_revocation_list(const std::optional<std::string>& expected,
                                                     const store::PublishedList& candidate,
                                                     const store::LogEntry& e) override {
        return m.publish_revocation_list(expected, candidate, e);
    }
    void set_exclusion(const store::ExclusionRecord& x, const store::LogEntry& e) override { m.set_exclusion(x, e); }
    bool remove_exclusion(const std::string& k, const std::string& v, const store::LogEntry& e) override {
        return m.remove_exclusion(k, v, e);
    }
    std::vector<store::ExclusionRecord> list_exclusions() override { return m.list_exclusions(); }
    std::int64_t policy_revision() override { return m.policy_revision(); }
    std::optional<store::PrincipalRecord> find_principal_by_token_hash(const std::string& h) override {
        return m.find_principal_by_token_hash(h);
    }
    std::optional<store::PrincipalRecord> find_principal(const std::string& n) override { return m.find_principal(n); }
    std::optional<std::string> bind_principal_cluster(const std::string& n, const std::string& g) override {
        return m.bind_principal_cluster(n, g);
    }
    bool set_principal_cluster(const std::string& n, const std::string& g, const store::LogEntry& e) override {
        return m.set_principal_cluster(n, g, e);
    }
    bool add_principal_grant(const std::string& n, const std::string& p, const store::LogEntry& e) override {
        return m.add_principal_grant(n, p, e);
    }
    bool remove_principal_grant(const std::string& n, const std::string& p, const store::LogEntry& e) override {
        return m.remove_principal_grant(n, p, e);
    }
    void append_log(const store::LogEntry& e) override { m.append_log(e); }
    void for_each_log(const std::string& s, const store::LogVisitor& v) override { m.for_each_log(s, v); }
    store::LogCheck verify_log() override { return m.verify_log(); }
    store::LogHead log_checkpoint() override { return m.log_checkpoint(); }
    std::optional<store::LogArchiveCut> archive_log(const std::string& b, const store::LogArchiveWriter& w) override {
        return m.archive_log(b, w);
    }

protected:
    store::Store& m;
};

}  // namespace xrca::test
