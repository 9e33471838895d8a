// Prometheus text exposition (see metrics.h).
#include "enrollment/metrics.h"

#include <algorithm>
#include <sstream>

namespace xrca::enrollment {
namespace {

// Label values come from our own tables and RMS names, but escape anyway: the format demands it.
std::string label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

// Microseconds as seconds with all six decimals: exact, where a double printed by an ostream
// keeps six significant digits ("1.23429e+06").
std::string seconds(std::uint64_t microseconds) {
    std::string frac = std::to_string(microseconds % 1000000);
    frac.insert(0, 6 - frac.size(), '0');
    return std::to_string(microseconds / 1000000) + "." + frac;
}

// A bucket bound as Prometheus clients write it: shortest decimal seconds ("0.0025", "1").
std::string bound(std::int64_t microseconds) {
    auto text = seconds(static_cast<std::uint64_t>(microseconds));
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

void gauge(std::ostringstream& out, const char* name, const char* help, const std::string& value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n" << name << ' ' << value << '\n';
}

}  // namespace

void Metrics::record(const std::string& operation, const std::string& outcome, std::chrono::microseconds elapsed,
                     const std::string& issued_kind) {
    const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, elapsed.count()));
    m_activity.record(operation, outcome == "ok", static_cast<double>(us) / 1e6);
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_requests[{operation, outcome}];
    if (!issued_kind.empty()) ++m_issued[issued_kind];
    auto& h = m_latency[operation];
    for (std::size_t i = 0; i < k_bucket_microseconds.size(); ++i) {
        if (us <= static_cast<std::uint64_t>(k_bucket_microseconds[i])) ++h.buckets[i];
    }
    ++h.count;
    h.sum_microseconds += us;
}

std::string Metrics::render(const MetricGauges& gauges) const {
    std::ostringstream out;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        out << "# HELP xrca_requests_total Requests by operation and outcome (ok, or the RMS fault).\n"
            << "# TYPE xrca_requests_total counter\n";
        for (const auto& [key, n] : m_requests) {
            out << "xrca_requests_total{operation=\"" << label(key.first) << "\",outcome=\"" << label(key.second)
                << "\"} " << n << '\n';
        }
        out << "# HELP xrca_request_duration_seconds Time from a complete request to its response, by operation.\n"
            << "# TYPE xrca_request_duration_seconds histogram\n";
        for (const auto& [operation, h] : m_latency) {
            const auto op = "operation=\"" + label(operation) + "\"";
            for (std::size_t i = 0; i < k_bucket_microseconds.size(); ++i) {
                out << "xrca_request_duration_seconds_bucket{" << op << ",le=\"" << bound(k_bucket_microseconds[i])
                    << "\"} " << h.buckets[i] << '\n';
            }
            out << "xrca_request_duration_seconds_bucket{" << op << ",le=\"+Inf\"} " << h.count << '\n'
                << "xrca_request_duration_seconds_sum{" << op << "} " << seconds(h.sum_microseconds) << '\n'
                << "xrca_request_duration_seconds_count{" << op << "} " << h.count << '\n';
        }
        out << "# HELP xrca_certificates_issued_total Certificates issued by kind.\n"
            << "# TYPE xrca_certificates_issued_total counter\n";
        for (const auto& [kind, n] : m_issued)
            out << "xrca_certificates_issued_total{kind=\"" << label(kind) << "\"} " << n << '\n';
    }
    if (gauges.slc_expiry_seconds) {
        gauge(out, "xrca_slc_expiry_seconds", "Seconds until the authority's own certificate (its SLC) ends.",
              std::to_string(*gauges.slc_expiry_seconds));
    }
    if (gauges.revocation_list_age_seconds) {
        gauge(out, "xrca_revocation_list_age_seconds", "Seconds since the published revocation list was signed.",
              std::to_string(*gauges.revocation_list_age_seconds));
    }
    gauge(out, "xrca_clc_keys_ready", "Fresh RSA keys ready for GetClientLicensorCert.",
          std::to_string(gauges.clc_keys_ready));
    if (gauges.store_probe_time) {
        gauge(out, "xrca_store_probe_seconds", "How long the last health probe of the store took.",
              seconds(static_cast<std::uint64_t>(gauges.store_probe_time->count())));
    }
    gauge(out, "xrca_healthy", "1 when /healthz answers 200 (ok or warning), else 0.", gauges.healthy ? "1" : "0");
    return out.str();
}

}  // namespace xrca::enrollment
