// Certify (reference §3.4): an SPC chain in, a RAC chain out, with the user's escrowed key
// sealed to the machine key.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/user_grants.h"
#include "ca/user_identity.h"
#include "xrml/chain.h"
#include "xrml/enabling_bits.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

namespace xrca::ca {

using xrml::Failure;

namespace {

// [MS-RMPR] 2.2.9.5.4: NAME is the primary address; only a federated user carries it as an alias too.
xrml::XrmlObject user_object(const UserIdentity& user, const std::string& email) {
    xrml::XrmlObject o{xrml::names::group_identity, {id_type_name(user.type), user.id}, email, {}};
    if (user.type == UserIdType::Federation) o.addresses.push_back({"email_alias", email});
    return o;
}

// The RAC's user: a SID or a GUID (user_identity.h), or, when none is named, the federated user
// of the email. A principal stored before user IDs were checked keeps its own ID (its escrowed key
// is filed under it) and is certified as a federated user, as it was then.
UserIdentity rac_identity(const RacRequest& r, const Caller& caller) {
    if (r.user_id.size() > 256) throw Error(ErrorKind::Malformed, "the user ID is too long", RmsFault::Argument);
    if (auto identity = parse_user_identity(r.user_id, r.email)) return *std::move(identity);
    if (caller.account && caller.account->user_id == r.user_id) return {UserIdType::Federation, r.user_id};
    throw Error(ErrorKind::Malformed,
                "user ID '" + r.user_id.substr(0, 64) +
                    "' is neither a Windows SID (S-1-5-21-…, a directory user) nor a GUID (a federated user); "
                    "leave it out to certify the federated user of the email",
                RmsFault::Argument);
}

bool plausible_email(const std::string& e) {
    const auto at = e.find('@');
    return at != std::string::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string::npos &&
           e.find_first_of(" \t\r\n<>\"") == std::string::npos && e.size() <= 254;
}

void check_may_certify(const Caller& caller, const std::string& user_id, const std::string& email) {
    if (!caller.account) return;  // local: the administrator
    const auto& p = *caller.account;
    const bool server = p.role == "server";
    if (server ? may_certify(p, user_id, email) : user_id == (p.user_id.empty() ? p.name : p.user_id)) return;
    const auto who = user_id.substr(0, 64) + " <" + email.substr(0, 64) + ">";
    throw Error(ErrorKind::PolicyDenied,
                server ? "server principal " + p.name + " may not certify " + who +
                             ": no grant of it matches both the user ID and the email (`xrca principal grant " +
                             p.name + " PATTERN`; a grant hands the server those users' keys)"
                       : "principal " + p.name + " certifies only its own user, not " + who,
                RmsFault::UnauthorizedAccess);
}

}  // namespace

IssuedChain Authority::issue_rac(const RacRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs = "user=" + r.user_id + "; email=" + r.email + (r.temporary ? "; temporary" : "; persistent");
    return logged("Certify", caller, inputs, [&] {
        // 1. Only a root cluster certifies users (licensing clusters forward to their root).
        require(Action::Certify, "issue rights account certificates (RACs); only a root cluster does");
        const auto policy = require_active();
        // 1b. A RAC hands its holder the user's escrowed key: a principal of the service gets one for
        //     its own user, and a server principal for the other users its grants name (docs/principals.md).
        check_may_certify(caller, r.user_id, r.email);
        // 2. The SPC chain: readable, a machine certificate first, every signature and link good,
        //    and signed by an SPC issuer this cluster trusts (reference §3.4 step 3). A chain this
        //    policy accepted before is recalled rather than read and verified again.
        bool described = false;  // the chain's IDs go into the log entry, also when it is refused
        const auto describe = [&](const xrml::Certificate& spc) {
            inputs += "; spc=" + spc.id_text() + "; machine-key=" + spc.principal->key->fingerprint();
            described = true;
        };
        const auto chain = verified_chain("spc", r.spc_chain, policy, m_clock.now(), [&] {
            auto docs =
                read_chain(r.spc_chain, RmsFault::VerifyMachineCertificateChainFailed, "the machine certificate chain");
            const auto& spc = docs.front();
            if (spc.kind() != xrml::names::machine_certificate || !spc.principal || !spc.principal->key) {
                throw Error(ErrorKind::PolicyDenied,
                            "the first document is a " + spc.description() + ", not a machine certificate",
                            RmsFault::VerifyMachineCertificateChainFailed);
            }
            describe(spc);
            const auto verdict = xrml::verify_ordered_chain(docs, {std::nullopt, m_clock.now(), policy->spc_issuers});
            if (!verdict.ok()) {
                const bool untrusted = verdict.failure == Failure::UntrustedAnchor;
                throw Error(ErrorKind::PolicyDenied,
                            std::string(untrusted ? "the machine certificate was not issued by a trusted SPC issuer: "
                                                  : "the machine certificate chain does not verify: ") +
                                verdict.detail,
                            RmsFault::VerifyMachineCertificateChainFailed);
            }
            return docs;
        });
        const auto& docs = chain->documents;
        const auto& spc = docs.front();
        if (!described) describe(spc);
        // 3. Nothing in it revoked by this cluster, and a security processor recent enough (§5.5).
        check_not_revoked(*policy, docs, RmsFault::VerifyMachineCertificateChainFailed,
                          "the machine certificate chain");
        check_spc_version(*policy, spc.principal->security_level("Repository").value_or(""));
        const auto user = rac_identity(r, caller);
        check_user_not_revoked(*policy, user.id);
        // 4. Crypto mode and identity.
        const auto& machine_key = *spc.principal->key;
        check_machine_key_for_mode(machine_key, mode());
        if (!plausible_email(r.email)) {
            throw Error(ErrorKind::Malformed, "'" + r.email + "' is not an email address",
                        RmsFault::VerifyEmailAddressFailed);
        }
        // 5. The user's key pair: one per user, reused on every machine, escrowed.
        const auto key = user_key(user.id, r.email);
        const auto user_public = xrml::PublicKey::from_botan(*key);
        // 6. Validity: back-dated by the tolerance; 365 days persistent or 15 minutes temporary.
        const auto now = m_clock.now().floor_minute();
        const xrml::TimeRange validity{now.plus_seconds(-60 * m_options.backdate_minutes),
                                       r.temporary ? now.plus_seconds(60 * m_options.temporary_rac_validity_minutes)
                                                   : now.plus_seconds(86400 * m_options.rac_validity_days)};
        // 7. Build the RAC (§2.3.3) with the user key sealed to the machine key (§2.7).
        xrml::RightsAccountCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.validity = validity;
        t.issuer = own_principal();
        t.certification_url = m_record.base_url + "/certification";
        if (!policy->extranet_url.empty()) t.extranet_certification_url = policy->extranet_url + "/certification";
        t.user = user_object(user, r.email);
        t.user_key = user_public;
        t.persistent = !r.temporary;
        t.machine = spc.principal->object;
        t.machine_security_levels = spc.principal->security_levels;
        const auto version = mode().seal_version();
        t.sealed_user_key =
            xrml::seal_private_key(*key, machine_key, version, xrml::build_issuer_element(t.issuer), m_rng);
        // 8. Record, sign, complete; return with the SLC chain.
        Intent is{request_id,
                  "Certify",
                  &caller,
                  inputs,
                  t.id,
                  xrml::names::rights_account_certificate,
                  user.id,
                  user_public.fingerprint(),
                  now,
                  validity,
                  xrml::build_rights_account_certificate_body(t),
                  &signer(KeyName::Cluster),
                  spc.principal->object.id.value};
        return issue_with_chain(is, own_chain());
    });
}

}  // namespace xrca::ca
