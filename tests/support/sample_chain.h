// A complete xrca-shaped hierarchy built with the xrml templates and test keys: root key ->
// CA -> enrollment CA -> enrollment service -> SLC, and under the SLC a CLC, an activation
// issuer with an SPC, and a RAC. Used by tests, the benchmark and the fuzz seed corpus.
#pragma once

#include "xrml/certificate.h"
#include "xrml/templates.h"

#include <string>
#include <vector>

namespace xrca::test {

/** Crypto mode 2 (RSA-2048 / SHA-256) or 1 (RSA-1024 / SHA-1). */
struct Mode {
    int number = 2;
    [[nodiscard]] std::size_t bits() const { return number == 2 ? 2048 : 1024; }
    [[nodiscard]] xrml::DigestAlgorithm digest() const {
        return number == 2 ? xrml::DigestAlgorithm::Sha256 : xrml::DigestAlgorithm::Sha1;
    }
};

/** Every signed document of the sample hierarchy, as text, plus what tests compare against. */
struct SampleHierarchy {
    std::string ca, enrollment_ca, enrollment_service, slc, clc, activation_issuer, spc, rac;
    std::string anchor_fingerprint;   ///< SHA-256 fingerprint of the root key
    xrml::Time issued;                ///< ISSUEDTIME of every document
    std::vector<std::string> bodies;  ///< BODY text of each document, in the order above

    /** Leaf-first chains as single strings of concatenated documents. */
    [[nodiscard]] std::string clc_chain() const { return clc + slc + enrollment_service + enrollment_ca + ca; }
    [[nodiscard]] std::string spc_chain() const {
        return spc + activation_issuer + slc + enrollment_service + enrollment_ca + ca;
    }
    [[nodiscard]] std::string rac_chain() const { return rac + slc + enrollment_service + enrollment_ca + ca; }
    /** The four-document SLC chain (SLC, enrollment service, enrollment CA, CA). */
    [[nodiscard]] std::string slc_chain() const { return slc + enrollment_service + enrollment_ca + ca; }
};

/** Builds and signs the whole hierarchy in `mode`, with the SLC carrying custom revocation if asked. */
SampleHierarchy build_sample_hierarchy(Mode mode, bool custom_revocation = false);

/**
 * The sample hierarchy's SPC with another hardware-ID DIGEST and Repository SECURITYLEVEL,
 * signed by the same activation issuer (it chains as `spc` does).
 */
std::string build_sample_spc(Mode mode, const xrml::Digest& hardware_id, const std::string& repository = "1.0.0.0");

/** A principal of the given object type/ID type/ID/name with key `key`. */
xrml::Principal make_principal(const std::string& type, const std::string& id_type, const std::string& id,
                               const std::optional<std::string>& name, const xrml::PublicKey& key);

}  // namespace xrca::test
