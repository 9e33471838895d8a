// The key seam (docs/key-protection.md): every private key the authority signs with is reached
// through a KeyRing, by name. The authority never decrypts a key blob or builds a signer itself;
// where a key lives (encrypted PKCS#8 in the store, a PKCS#11 token, another engine) is the
// ring's business. The store keeps, per name, what the ring needs to find the key again: the
// encrypted key, or a reference to a key held elsewhere.
//
// Keys sealed to clients (escrowed user keys, CLC keys) are software by design: they must be
// exported inside ENABLINGBITS. They come from a KeySource, and a ring escrows user keys.
#pragma once

#include "ca/signer.h"
#include "store/records.h"

#include <memory>
#include <string>
#include <vector>

namespace Botan {
class RSA_PrivateKey;
}

namespace xrca::ca {

/** The authority's own keys, by what they do (reference §2.2). */
enum class KeyName {
    Root,               ///< the enrollment hierarchy's root (the anchor relying parties pin)
    Ca,                 ///< the hierarchy's CA
    EnrollmentCa,       ///< the enrollment CA
    EnrollmentService,  ///< signs root-cluster SLCs (Enroll)
    Cluster,            ///< the cluster key its SLC certifies; signs SLCs, RACs, CLCs, lists
    ClusterNext,        ///< a renewal key awaiting its SLC
    ClusterPrevious,    ///< the key before the last renewal (RACs it issued stay trusted)
    Activation,         ///< the machine activation issuer (signs SPCs)
};

/** The name a key is stored under ("cluster", "cluster-next", …). */
const char* key_name(KeyName name) noexcept;

/** A key just made by a ring and not yet stored: the caller stores `record` with the change that uses it. */
struct NewKey {
    xrml::PublicKey public_key;
    store::KeyBlob record;
    std::shared_ptr<Signer> signer;
};

class KeyRing {
public:
    virtual ~KeyRing() = default;
    KeyRing() = default;
    KeyRing(const KeyRing&) = delete;
    KeyRing& operator=(const KeyRing&) = delete;

    /**
     * The signer of a stored key, signing with `digest`. Error(WrongState) when there is no such
     * key, Error(KeyUnavailable) when it cannot be opened (a wrong password, a locked token).
     * Thread-safe; the signer lives as long as the ring (until forget()).
     */
    virtual Signer& signer(KeyName name, xrml::DigestAlgorithm digest) = 0;
    /** A new RSA key of `bits` for `name`, held where this ring keeps keys. Not stored yet. */
    virtual NewKey generate(KeyName name, std::size_t bits, xrml::DigestAlgorithm digest) = 0;
    /** Drops every opened signer: the store's keys changed (a promotion next -> current -> previous). */
    virtual void forget() = 0;
    /**
     * The stored key `name` in clear, for an export under another password (docs/backup.md).
     * Error(PolicyDenied) from a ring whose keys cannot leave it (a PKCS#11 token).
     */
    virtual std::unique_ptr<Botan::RSA_PrivateKey> extract(KeyName name) = 0;
    /**
     * Takes in an existing key for `name` (an imported cluster key), held as this ring holds its
     * keys; like generate(), not stored yet. Error(PolicyDenied) from a ring that cannot take keys in.
     */
    virtual NewKey adopt(KeyName name, const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm digest) = 0;

    /** Seals a user's key for the escrow table, bound to `user_id`. */
    virtual std::vector<std::uint8_t> escrow_user_key(const Botan::RSA_PrivateKey& key, const std::string& user_id) = 0;
    /** Opens what escrow_user_key sealed; Error(Unauthorized) if it was altered or belongs to another user. */
    virtual std::unique_ptr<Botan::RSA_PrivateKey> recover_user_key(const std::vector<std::uint8_t>& sealed,
                                                                    const std::string& user_id) = 0;
    /** Secrets the ring needs stored when an authority is created (e.g. the escrow salt). */
    virtual std::vector<store::KeyBlob> provisioning_secrets() = 0;
};

/** The store writes that promote ClusterNext to Cluster, and Cluster to ClusterPrevious. */
void add_key_promotion(store::AuthorityChange& change);

/** Fresh RSA keys that leave the process sealed to a client (CLC keys, new user keys). */
class KeySource {
public:
    virtual ~KeySource() = default;
    KeySource() = default;
    KeySource(const KeySource&) = delete;
    KeySource& operator=(const KeySource&) = delete;
    /** A key never handed out before. Thread-safe. */
    virtual std::unique_ptr<Botan::RSA_PrivateKey> take() = 0;
    /** How many keys are ready to be taken without generating one (0 for a source that keeps none). */
    [[nodiscard]] virtual std::size_t ready() { return 0; }
};

}  // namespace xrca::ca
