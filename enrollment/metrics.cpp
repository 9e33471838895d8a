// Prometheus text exposition (see metrics.h).
#include "enrollment/metrics.h"

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

}  // namespace

void Metrics::record(const std::string& operation, const std::string& outcome, double seconds,
                     const std::string& issued_kind) {
    m_activity.record(operation, outcome == "ok", seconds);
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_requests[{operation, outcome}];
    if (!issued_kind.empty()) ++m_issued[issued_kind];
    for (std::size_t i = 0; i < k_buckets.size(); ++i) {
        if (seconds <= k_buckets[i]) ++m_bucket_counts[i];
    }
    ++m_count;
    m_sum += seconds;
}

std::string Metrics::render() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    std::ostringstream out;
    out << "# HELP xrca_requests_total SOAP requests by operation and outcome (ok, or the RMS fault).\n"
        << "# TYPE xrca_requests_total counter\n";
    for (const auto& [key, n] : m_requests) {
        out << "xrca_requests_total{operation=\"" << label(key.first) << "\",outcome=\"" << label(key.second) << "\"} "
            << n << '\n';
    }
    out << "# HELP xrca_request_duration_seconds Time from a complete request to its response.\n"
        << "# TYPE xrca_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < k_buckets.size(); ++i) {
        out << "xrca_request_duration_seconds_bucket{le=\"" << k_buckets[i] << "\"} " << m_bucket_counts[i] << '\n';
    }
    out << "xrca_request_duration_seconds_bucket{le=\"+Inf\"} " << m_count << '\n'
        << "xrca_request_duration_seconds_sum " << m_sum << '\n'
        << "xrca_request_duration_seconds_count " << m_count << '\n';
    out << "# HELP xrca_certificates_issued_total Certificates issued by kind.\n"
        << "# TYPE xrca_certificates_issued_total counter\n";
    for (const auto& [kind, n] : m_issued)
        out << "xrca_certificates_issued_total{kind=\"" << label(kind) << "\"} " << n << '\n';
    return out.str();
}

}  // namespace xrca::enrollment
