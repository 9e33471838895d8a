// Revocation at an authority (docs/revocation.md): recording revocations and exclusions,
// signing this authority's list and publishing it in the store for every process, and decommissioning.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/revocation.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/hex.h>

#include <algorithm>
#include <cctype>

namespace xrca::ca {

namespace {

xrml::RevokeEntry entry_of(const store::RevocationRecord& r) {
    xrml::RevokeEntry e;
    e.type = xrml::parse_revoke_type(r.type).value_or(xrml::RevokeType::LicenseId);
    switch (e.type) {
        case xrml::RevokeType::LicenseHash: {
            const auto bytes = Botan::hex_decode(r.value);
            e.sha1.assign(bytes.begin(), bytes.end());
            break;
        }
        case xrml::RevokeType::IssuerKey:
        case xrml::RevokeType::PrincipalKey: e.key = xrml::read_public_key_file(r.public_key); break;
        case xrml::RevokeType::LicenseId:
        case xrml::RevokeType::IssuerId:
        case xrml::RevokeType::ContentId:
        case xrml::RevokeType::PrincipalId: e.object = {r.object_type, {r.id_type, r.id}, r.name, {}}; break;
    }
    return e;
}

}  // namespace

store::RevocationRecord Authority::revocation_record(const RevocationRequest& r, std::string& certificate_id) {
    const std::string type = xrml::revoke_type_name(r.type);
    auto e = revoke_entry(r);
    store::RevocationRecord rec;
    rec.type = type;
    rec.value = e.match_value();
    // What is revoked must be something this authority issued, except content and principal
    // IDs, which name things it never saw (reference §5.2).
    const auto issued = [&](const std::optional<store::CertificateRecord>& found, const std::string& what) {
        if (!found || found->status != "issued") {
            throw Error(ErrorKind::NotFound,
                        "this authority issued no certificate " + what +
                            ": it revokes only what it issued (content and principal IDs excepted)");
        }
        certificate_id = found->id;
    };
    const auto first = [](std::vector<store::CertificateRecord> found) -> std::optional<store::CertificateRecord> {
        for (auto& c : found) {
            if (c.status == "issued") return std::move(c);
        }
        return std::nullopt;
    };
    switch (r.type) {
        case xrml::RevokeType::LicenseId: issued(m_store.find_certificate(r.value), "with ID " + r.value); break;
        case xrml::RevokeType::LicenseHash:
            issued(first(m_store.find_by_license_hash(rec.value)), "whose BODY hash is " + rec.value);
            break;
        case xrml::RevokeType::IssuerKey:
        case xrml::RevokeType::PrincipalKey:
            issued(first(m_store.find_by_key(rec.value)), "for the key " + rec.value);
            rec.public_key = xrml::build_public_key_element(*r.key);
            break;
        case xrml::RevokeType::IssuerId:
            issued(first(m_store.find_by_subject(r.value)), "to the subject " + r.value);
            break;
        case xrml::RevokeType::PrincipalId:
        case xrml::RevokeType::ContentId: break;
    }
    rec.object_type = e.object.type;
    rec.id_type = e.object.id.type;
    rec.id = e.object.id.value;
    rec.name = e.object.name;
    return rec;
}

Authority::RevocationPreview Authority::preview_revocation(const RevocationRequest& r) {
    std::string certificate_id;
    RevocationPreview preview{revocation_record(r, certificate_id), {}};
    store::CertificateFilter f;
    switch (r.type) {
        case xrml::RevokeType::LicenseId: f.id = certificate_id; break;
        case xrml::RevokeType::LicenseHash: f.license_hash = preview.record.value; break;
        case xrml::RevokeType::PrincipalKey: f.key = preview.record.value; break;
        case xrml::RevokeType::IssuerKey: f.issuer_key = preview.record.value; break;
        case xrml::RevokeType::IssuerId:
        case xrml::RevokeType::PrincipalId: f.subject = r.value; break;
        case xrml::RevokeType::ContentId: return preview;  // content is never issued here
    }
    preview.certificates = m_store.list_certificates(f);
    return preview;
}

store::RevocationRecord Authority::revoke(const RevocationRequest& r, const Caller& caller) {
    const std::string type = xrml::revoke_type_name(r.type);
    const std::string inputs = "type=" + type + "; " +
                               (r.key ? "key=" + r.key->fingerprint() : "value=" + r.value.substr(0, 256)) +
                               (r.reason.empty() ? "" : "; reason=" + r.reason.substr(0, 512));
    return logged("Revoke", caller, inputs, [&] {
        std::string certificate_id;
        auto rec = revocation_record(r, certificate_id);
        rec.reason = r.reason;
        rec.revoked = m_clock.now().to_iso8601();
        rec.caller = describe_caller(caller);
        try {
            rec.seq = m_store.add_revocation(rec, log_entry(new_id(), "Revoke", caller, inputs, certificate_id,
                                                            "accepted", "revoked " + type + " " + rec.value));
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, type + " " + rec.value + " is already revoked");
        } catch (const store::StorageError& e2) {
            throw Error(ErrorKind::Storage, e2.what());
        }
        return rec;
    });
}

std::vector<store::RevocationRecord> Authority::list_revocations() { return m_store.list_revocations(); }

std::string Authority::revocation_list_url() const { return m_record.base_url + k_revocation_list_path; }

/** A list signed by this authority, with what its log entry says of it. */
struct Authority::SignedList {
    std::string id;
    xrml::Time issued;
    xrml::Time until;
    std::size_t entries = 0;
    std::string text;

    [[nodiscard]] std::string summary() const {
        return "signed a revocation list of " + std::to_string(entries) + " entries, valid until " + until.to_iso8601();
    }
};

Authority::SignedList Authority::sign_own_revocation_list(std::int64_t valid_for_days) {
    if (valid_for_days < 1 || valid_for_days > 3650) {
        throw Error(ErrorKind::Usage,
                    "a revocation list is valid for 1 to 3650 days, not " + std::to_string(valid_for_days));
    }
    std::vector<xrml::RevokeEntry> entries;
    for (const auto& r : list_revocations()) entries.push_back(entry_of(r));
    const auto now = m_clock.now();
    RevocationListHeader h;
    h.id = new_id();
    h.issued = now;
    h.validity = xrml::TimeRange{now, now.plus_seconds(86400 * valid_for_days)};
    h.issuer = {xrml::names::revocation_list,
                {xrml::names::guid, m_record.guid},
                m_record.name,
                {{"URL", revocation_list_url()}}};
    // The key that issues this authority's certificates revokes them.
    auto text = sign_revocation_list(signer(m_role == Role::Enrollment ? KeyName::EnrollmentService : KeyName::Cluster),
                                     h, entries);
    return {h.id, now, h.validity->until, entries.size(), std::move(text)};
}

std::string Authority::issue_revocation_list(std::int64_t valid_for_days, const Caller& caller) {
    const std::string inputs = "valid-for-days=" + std::to_string(valid_for_days);
    return logged("RL-Sign", caller, inputs, [&] {
        auto list = sign_own_revocation_list(valid_for_days);
        m_store.append_log(log_entry(new_id(), "RL-Sign", caller, inputs, list.id, "accepted", list.summary()));
        return std::move(list.text);
    });
}

store::PublishedListHead Authority::publish_successor(const std::optional<store::PublishedListHead>& seen,
                                                      std::int64_t revision, const Caller& caller) {
    Caller service = caller;
    service.principal += " (re-signing the published list)";
    const std::string inputs = "valid-for-days=" + std::to_string(m_options.revocation_list_validity_days) +
                               "; policy-revision=" + std::to_string(revision) +
                               (seen ? "; replaces=" + seen->id : std::string());
    return logged("RL-Sign", service, inputs, [&] {
        auto list = sign_own_revocation_list(m_options.revocation_list_validity_days);
        store::PublishedList candidate{{list.id, revision, list.issued.to_iso8601()}, std::move(list.text)};
        // The entry is appended only if this list is the one published: a process that lost the
        // race to another leaves no entry claiming it published.
        auto stored = m_store.publish_revocation_list(
            seen ? std::optional<std::string>(seen->id) : std::nullopt, candidate,
            log_entry(new_id(), "RL-Sign", service, inputs, list.id, "accepted", list.summary() + ", published"));
        if (stored.id == candidate.head.id) {
            m_list = PublishedCopy{candidate.head, std::make_shared<const std::string>(std::move(candidate.xrml))};
        }
        return stored;
    });
}

std::shared_ptr<const std::string> Authority::current_revocation_list(const Caller& caller) {
    // Whether the published list still serves: it lists every revocation up to the policy
    // revision read, and it is younger than the refresh interval by this process's clock. The
    // head is read before the revision (and a list's revision before its revocations), so a
    // successor's revision is never below the one of the list it replaces.
    const auto current = [&](const store::PublishedListHead& head, std::int64_t revision) {
        const auto signed_at = xrml::Time::try_parse(head.signed_at);
        return head.revision >= revision && signed_at &&
               m_clock.now().unix_seconds() - signed_at->unix_seconds() < m_options.revocation_list_refresh_seconds;
    };
    try {
        // Per request, two one-row reads; the text is read only when another process published.
        auto head = m_store.published_revocation_list_head();
        auto revision = m_store.policy_revision();
        {
            std::lock_guard<std::mutex> lock(m_list_mutex);
            if (head && m_list && m_list->head.id == head->id && current(*head, revision)) return m_list->text;
        }
        std::lock_guard<std::mutex> lock(m_list_mutex);
        // Read again under the lock: another thread of this process may have published meanwhile.
        head = m_store.published_revocation_list_head();
        revision = m_store.policy_revision();
        if (!head || !current(*head, revision)) head = publish_successor(head, revision, caller);
        if (!m_list || m_list->head.id != head->id) {
            auto stored = m_store.load_published_revocation_list();
            if (!stored) throw Error(ErrorKind::Storage, "the published revocation list vanished from the store");
            // Possibly newer than `head` already: what the store holds now is what is served.
            m_list = PublishedCopy{stored->head, std::make_shared<const std::string>(std::move(stored->xrml))};
        }
        return m_list->text;
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}

void Authority::exclude_rac_key(const xrml::PublicKey& key, const std::string& reason, const Caller& caller) {
    const std::string inputs =
        "rac-key=" + key.fingerprint() + (reason.empty() ? "" : "; reason=" + reason.substr(0, 512));
    logged("Exclude", caller, inputs, [&] {
        store::ExclusionRecord x{exclusion_kind_name(ExclusionKind::RacKey), key.fingerprint(),
                                 xrml::build_public_key_element(key), reason, m_clock.now().to_iso8601()};
        try {
            m_store.set_exclusion(
                x, log_entry(new_id(), "Exclude", caller, inputs, "", "accepted", "excluded RAC key " + x.value));
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, "the RAC key " + x.value + " is already excluded");
        }
        return 0;
    });
}

void Authority::set_min_spc_version(const std::string& version, const std::string& reason, const Caller& caller) {
    const std::string inputs =
        "min-spc-version=" + version.substr(0, 64) + (reason.empty() ? "" : "; reason=" + reason.substr(0, 512));
    logged("Exclude", caller, inputs, [&] {
        require(Action::TrustSpcIssuers, "certify machines, so it has no minimum machine version");
        (void)parse_version(version);
        store::ExclusionRecord x{exclusion_kind_name(ExclusionKind::MinSpcVersion), version, "", reason,
                                 m_clock.now().to_iso8601()};
        m_store.set_exclusion(x, log_entry(new_id(), "Exclude", caller, inputs, "", "accepted",
                                           "machines below security processor version " + version + " are refused"));
        return 0;
    });
}

void Authority::remove_exclusion(ExclusionKind kind_value, const std::string& value, const Caller& caller) {
    const std::string kind = exclusion_kind_name(kind_value);
    const std::string inputs = kind + "=" + value.substr(0, 128);
    logged("ExcludeRemove", caller, inputs, [&] {
        const bool removed = m_store.remove_exclusion(
            kind, value, log_entry(new_id(), "ExcludeRemove", caller, inputs, "", "accepted", "removed"));
        if (!removed) throw Error(ErrorKind::NotFound, "there is no " + kind + " exclusion of " + value);
        return 0;
    });
}

std::vector<store::ExclusionRecord> Authority::list_exclusions() { return m_store.list_exclusions(); }

void Authority::decommission(const Caller& caller) {
    logged("Decommission", caller, "", [&] {
        if (decommissioned()) throw Error(ErrorKind::WrongState, "this cluster is already decommissioned");
        store::AuthorityChange change;
        change.state = "decommissioned";
        change.bump_policy_revision = true;
        change.entry = log_entry(new_id(), "Decommission", caller, "", "", "accepted",
                                 "the cluster issues nothing more; it still serves its revocation list");
        m_store.apply(change);
        m_record.state = "decommissioned";
        return 0;
    });
}

}  // namespace xrca::ca
