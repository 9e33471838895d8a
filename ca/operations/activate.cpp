// Machine activation (reference §3.6): a root cluster certifies a machine key with an SPC,
// signed by its activation issuer.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/hash.h>

namespace xrca::ca {

IssuedChain Authority::certify_machine(const MachineRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "machine-key=" + r.machine_key.fingerprint();
    return logged("Activate", caller, inputs, [&] {
        // 1. Only a root cluster activates machines, through its activation issuer.
        require(Action::ActivateMachines, "issue machine certificates; only a root cluster does");
        const auto policy = require_active();
        // 2. Mode 2 takes RSA-2048 machine keys only; mode 1 takes RSA-1024 or RSA-2048 (§1.5).
        check_machine_key_for_mode(r.machine_key, mode());
        check_proof(r.proof, r.machine_key, false);
        check_machine_key_not_revoked(*policy, r.machine_key);
        check_spc_version(*policy, r.repository);
        // 3. The hardware-ID digest: given, or the SHA-256 of the machine key's modulus.
        xrml::Digest hid{xrml::DigestAlgorithm::Sha256, r.hardware_id_digest};
        if (hid.value.empty()) {
            const auto h = Botan::HashFunction::create_or_throw("SHA-256")->process(r.machine_key.modulus_big_endian());
            hid.value.assign(h.begin(), h.end());
        }
        if (hid.value.size() != 32)
            throw Error(ErrorKind::Malformed, "the hardware-ID digest must be 32 bytes (SHA-256)", RmsFault::Argument);
        // 4. Build (reference §2.3.2), record, sign with the activation key, return with its chain.
        std::vector<std::string> chain;
        xrml::Principal issuer;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_activation) {
                auto stored = m_store.load_chain(detail::k_activation_chain);
                if (stored.empty())
                    throw Error(ErrorKind::WrongState, "this root cluster has no activation issuer yet");
                const auto certificate = xrml::read_documents(stored.front()).documents.at(0);
                m_activation.emplace(std::move(stored), as_issuer(certificate));
            }
            chain = m_activation->first;
            issuer = m_activation->second;
        }
        const auto now = m_clock.now().floor_minute();
        xrml::MachineCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.issuer = issuer;
        t.activation_address = m_record.base_url + "/certification/Activation.asmx";
        t.machine_id = new_id();
        t.machine_key = r.machine_key;
        t.hardware_id = hid;
        t.security_levels = {{"Platform", r.platform}, {"Manufacturer", r.manufacturer}, {"Repository", r.repository}};
        Intent is{request_id,
                  "Activate",
                  &caller,
                  inputs,
                  t.id,
                  xrml::names::machine_certificate,
                  t.machine_id,
                  r.machine_key.fingerprint(),
                  now,
                  std::nullopt,
                  xrml::build_machine_certificate_body(t),
                  &signer(KeyName::Activation),
                  t.machine_id};
        return issue_with_chain(is, chain);
    });
}

}  // namespace xrca::ca
