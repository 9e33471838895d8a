// The one mapping from xrca::Error to what an RMS client sees over HTTP (STYLE.md §9.6): an
// HTTP status and a SOAP faultstring carrying the .NET exception name. Internal and storage
// details never reach the caller; they are in the enrollment log.
#pragma once

#include "ca/errors.h"

#include <string>

namespace xrca::enrollment {

struct FaultResponse {
    int http_status = 500;
    std::string faultstring;  ///< "<.NET exception name>: <message>"
};

FaultResponse map_error(const Error& error);

}  // namespace xrca::enrollment
