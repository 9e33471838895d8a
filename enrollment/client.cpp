// libcurl SOAP client (see client.h).
#include "enrollment/client.h"

#include "enrollment/curl_library.h"

#include <memory>

namespace xrca::enrollment {
namespace {

constexpr std::size_t k_max_reply_bytes = 16 * 1024 * 1024;

struct Received {
    std::string body;
    bool too_large = false;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto* r = static_cast<Received*>(user);
    const auto n = size * count;
    if (r->body.size() + n > k_max_reply_bytes) {
        r->too_large = true;
        return 0;  // aborts the transfer
    }
    try {
        r->body.append(data, n);
    } catch (...) {
        return 0;
    }
    return n;
}

bool starts_with_ci(const std::string& s, const std::string& prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

}  // namespace

SoapClient::SoapClient(ClientOptions options) : m_options(std::move(options)) {
    auto url = m_options.server;
    if (!starts_with_ci(url, "http://") && !starts_with_ci(url, "https://")) {
        throw Error(ErrorKind::Usage,
                    "--server must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/_wmcs (got '" +
                        url.substr(0, 80) + "')");
    }
    while (!url.empty() && url.back() == '/') url.pop_back();
    // The base URL may name the /_wmcs root RMS clusters use; the service paths include it.
    const std::string root = "/_wmcs";
    if (url.size() >= root.size() && starts_with_ci(url.substr(url.size() - root.size()), root))
        url.resize(url.size() - root.size());
    if (url.find('/', url.find("//") + 2) != std::string::npos) {
        throw Error(ErrorKind::Usage,
                    "--server takes the service's base URL (scheme, host, port and optionally /_wmcs), not '" +
                        m_options.server.substr(0, 120) + "'");
    }
    m_origin = url;
    (void)curl_library();  // a missing libcurl is said before any work, not at the first call
}

std::string SoapClient::url_of(const ServiceAddress& service) const { return m_origin + service.path; }

SoapReply SoapClient::call(const ServiceAddress& service, const char* operation,
                           const std::string& operation_xml) const {
    const auto url = url_of(service);
    const auto ns = service.namespace_uri();
    const auto envelope = soap_request(ns, operation_xml);
    const auto& lib = curl_library();
    std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easy_init(), lib.easy_cleanup);
    if (!curl) throw Error(ErrorKind::Internal, "libcurl could not start a transfer");
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, lib.slist_free_all);
    const auto add_header = [&](const std::string& h) {
        auto* list = lib.slist_append(headers.get(), h.c_str());
        if (!list) throw Error(ErrorKind::Internal, "out of memory building headers");
        (void)headers.release();  // curl_slist_append extended the list it was given: `list` owns it now
        headers.reset(list);
    };
    add_header("Content-Type: text/xml; charset=utf-8");
    add_header("SOAPAction: \"" + ns + "/" + operation + "\"");
    add_header("Expect:");  // no 100-continue round trip
    if (!m_options.token.empty()) add_header("Authorization: Bearer " + m_options.token);

    Received received;
    char error[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    lib.easy_setopt(c, CURLOPT_URL, url.c_str());
    lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    lib.easy_setopt(c, CURLOPT_POST, 1L);
    lib.easy_setopt(c, CURLOPT_POSTFIELDS, envelope.data());
    lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(envelope.size()));
    lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    lib.easy_setopt(c, CURLOPT_USERAGENT, "xrca/0.1");
    lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    lib.easy_setopt(c, CURLOPT_WRITEDATA, &received);
    lib.easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    lib.easy_setopt(c, CURLOPT_TIMEOUT, m_options.timeout_seconds);
    lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!m_options.ca_file.empty()) lib.easy_setopt(c, CURLOPT_CAINFO, m_options.ca_file.c_str());
    const CURLcode code = lib.easy_perform(c);
    if (received.too_large) throw Error(ErrorKind::Malformed, "the reply from " + url + " is larger than 16 MiB");
    if (code != CURLE_OK) {
        throw Error(ErrorKind::Storage,
                    "cannot reach " + url + ": " + (error[0] ? std::string(error) : lib.easy_strerror(code)));
    }
    long status = 0;
    lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    return read_soap_reply(static_cast<int>(status), received.body);
}

}  // namespace xrca::enrollment
