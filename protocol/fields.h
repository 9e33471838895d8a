// How both transports read the text of a request's fields: RMS peers and editors pretty-print,
// so identifiers and enumerations are compared without the white space around them (names and
// URLs are taken as they are).
#pragma once

#include "xrml/strict_xml.h"

#include <string>

namespace xrca::protocol {

/** The text of `field` without leading and trailing spaces, tabs and line ends. */
std::string trimmed_text(const xrml::XmlElement& field);

}  // namespace xrca::protocol
