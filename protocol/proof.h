// The proof of possession (xrca's addition to RMS enrollment and activation): a PKCS#1 v1.5
// signature by the key to be certified. The offline request file carries it as
// <ProofOfPossession>, the online messages as <XrcaProofOfPossession>; one codec writes and reads
// both, so a proof made for one transport reads the same way in the other.
#pragma once

#include "ca/requests.h"
#include "xrml/builder.h"
#include "xrml/strict_xml.h"

namespace xrca::protocol {

/** A proof of possession as `<element><ALGORITHM/><DIGEST/><VALUE/></element>`. */
void write_proof(xrml::XmlBuilder& b, const char* element, const ca::ProofOfPossession& proof);
/** Reads it back; `signed_text` is left to the caller, who knows what was signed. */
ca::ProofOfPossession read_proof(const xrml::XmlElement& proof);

}  // namespace xrca::protocol
