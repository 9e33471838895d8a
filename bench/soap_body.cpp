// Writes the SOAP request that bench/vs_cfssl.sh has wrk repeat, with the messages the client
// itself sends (enrollment/messages.h), so the load is exactly what `xrca client` would post:
//   bench_soap_body certify SPC_CHAIN.xml OUT.xml   Certify for the activated machine (persistent RAC)
//   bench_soap_body clc RAC_CHAIN.xml OUT.xml       GetClientLicensorCert for that RAC
// and prints where to post it: "path PATH" and "soapaction ACTION" (unquoted), one a line.
#include "bench_util.h"

#include "enrollment/messages.h"
#include "enrollment/soap.h"
#include "xrml/reader.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace xrca;

namespace {

// The documents of a chain file saved by `xrca client activate|certify`, exact text, leaf first.
std::vector<std::string> chain_documents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    std::vector<std::string> out;
    for (const auto& d : xrml::read_documents(text.str()).documents) out.push_back(d.raw.text);
    if (out.empty()) throw std::runtime_error(path + " holds no XrML document");
    return out;
}

int run(int argc, char** argv) {
    if (argc != 4) throw std::invalid_argument("usage: bench_soap_body certify|clc CHAIN.xml OUT.xml");
    const std::string operation_arg = argv[1];
    const auto chain = chain_documents(argv[2]);
    const bool certify = operation_arg == "certify";
    if (!certify && operation_arg != "clc")
        throw std::invalid_argument("the operation must be certify or clc, not '" + operation_arg + "'");
    const auto& service = certify ? enrollment::services::certification : enrollment::services::publishing;
    const char* operation = certify ? "Certify" : "GetClientLicensorCert";
    const auto body = enrollment::soap_request(
        service.namespace_uri(), certify ? enrollment::certify_request(chain, true) : enrollment::clc_request(chain));
    std::ofstream out(argv[3], std::ios::binary | std::ios::trunc);
    out << body;
    out.close();
    if (!out) throw std::runtime_error(std::string("cannot write ") + argv[3]);
    std::printf("path %s\nsoapaction %s/%s\n", service.path, service.namespace_uri().c_str(), operation);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return bench::guarded_main("bench_soap_body", [&] { return run(argc, argv); });
}
