// Strict reading of XrML into value types. Untrusted input goes through read_documents():
// decode (encoding detection), split (exact spans, limits), then a DOM per document that
// never leaves this library.
#pragma once

#include "xrml/certificate.h"
#include "xrml/encoding.h"
#include "xrml/raw_document.h"
#include "xrml/strict_xml.h"

#include <string_view>
#include <vector>

namespace xrca::xrml {

/** Everything read from one input: its encoding and its documents in order. */
struct DocumentSet {
    SourceEncoding encoding = SourceEncoding::Utf8;
    std::vector<Certificate> documents;
};

/** Reads every document of raw file bytes. Throws FormatError naming document and element. */
DocumentSet read_documents(std::string_view bytes, const ReadLimits& limits = {});

/** Reads one already-split document. Throws FormatError naming the element path. */
Certificate read_certificate(RawDocument raw, const ReadLimits& limits = {});

/**
 * Reads a document from the root element of its parse, as read_certificate does once it has
 * parsed `raw.text`, for readers that parse a document in pieces (the revocation list reader
 * leaves its entries out of this DOM). Throws FormatError naming the element path, without a
 * document index.
 */
Certificate read_certificate_element(const XmlElement& xrml, RawDocument raw);

/**
 * Reads a standalone `<PUBLICKEY>` element (the `*.pub.xml` files of CLI.md), in any of the
 * accepted encodings. Throws FormatError.
 */
PublicKey read_public_key_file(std::string_view bytes);

/** Reads a `<PUBLICKEY>` element found inside another document (offline files). */
PublicKey read_public_key_element(const XmlElement& element);

}  // namespace xrca::xrml
