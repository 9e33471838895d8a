// The Prometheus text of /metrics: counters and sums exact however many requests were counted,
// one latency histogram per operation, gauges only when known.
#include "enrollment/metrics.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace xrca::enrollment {
namespace {

// The value of the sample named exactly `series` (name and labels), or "" when absent.
std::string sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
            return line.substr(series.size() + 1);
    }
    return "";
}

TEST(Metrics, SumsStayExactAfterMillionsOfRequests) {
    // Issue 16: after 2.5 million requests a sum read 1.23429e+06 (a double, 6 digits printed).
    Metrics m;
    for (int i = 0; i < 2'500'000; ++i) m.record("Certify", "ok", std::chrono::microseconds(493'717), "");
    m.record("Certify", "UnauthorizedAccessException", std::chrono::microseconds(3), "");
    const auto text = m.render({});
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_sum{operation=\"Certify\"}"), "1234292.500003") << text;
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_count{operation=\"Certify\"}"), "2500001");
    EXPECT_EQ(sample(text, "xrca_requests_total{operation=\"Certify\",outcome=\"ok\"}"), "2500000");
    EXPECT_EQ(sample(text, "xrca_requests_total{operation=\"Certify\",outcome=\"UnauthorizedAccessException\"}"), "1");
    // 0.493717 s: above 0.25, within 1; the 3 µs one is in every bucket.
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Certify\",le=\"0.25\"}"), "1");
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Certify\",le=\"1\"}"), "2500001");
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Certify\",le=\"+Inf\"}"), "2500001");
}

TEST(Metrics, EachOperationHasItsOwnHistogram) {
    Metrics m;
    m.record("Certify", "ok", std::chrono::microseconds(2'000), "Rights-Account-Certificate");
    m.record("Certify", "ok", std::chrono::microseconds(2'000), "Rights-Account-Certificate");
    m.record("Activate", "ok", std::chrono::microseconds(30'000), "Machine-Certificate");
    const auto text = m.render({});
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Certify\",le=\"0.0025\"}"), "2") << text;
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Activate\",le=\"0.0025\"}"), "0");
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_bucket{operation=\"Activate\",le=\"0.05\"}"), "1");
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_sum{operation=\"Certify\"}"), "0.004000");
    EXPECT_EQ(sample(text, "xrca_request_duration_seconds_sum{operation=\"Activate\"}"), "0.030000");
    EXPECT_EQ(sample(text, "xrca_certificates_issued_total{kind=\"Rights-Account-Certificate\"}"), "2");
    // One TYPE line for the family, as the format requires, whatever the number of operations.
    std::size_t types = 0;
    for (auto at = text.find("# TYPE xrca_request_duration_seconds histogram"); at != std::string::npos;
         at = text.find("# TYPE xrca_request_duration_seconds histogram", at + 1))
        ++types;
    EXPECT_EQ(types, 1u);
}

TEST(Metrics, GaugesAppearWhenKnown) {
    Metrics m;
    MetricGauges g;
    g.clc_keys_ready = 5;
    auto text = m.render(g);
    EXPECT_EQ(sample(text, "xrca_clc_keys_ready"), "5") << text;
    EXPECT_EQ(sample(text, "xrca_healthy"), "0");
    EXPECT_EQ(text.find("xrca_slc_expiry_seconds"), std::string::npos) << "not known: not shown";
    EXPECT_EQ(text.find("xrca_store_probe_seconds"), std::string::npos);
    g.slc_expiry_seconds = 86'400 * 40;
    g.revocation_list_age_seconds = 120;
    g.store_probe_time = std::chrono::microseconds(1'250);
    g.healthy = true;
    text = m.render(g);
    EXPECT_EQ(sample(text, "xrca_slc_expiry_seconds"), "3456000") << text;
    EXPECT_EQ(sample(text, "xrca_revocation_list_age_seconds"), "120");
    EXPECT_EQ(sample(text, "xrca_store_probe_seconds"), "0.001250");
    EXPECT_EQ(sample(text, "xrca_healthy"), "1");
    EXPECT_NE(text.find("# TYPE xrca_slc_expiry_seconds gauge"), std::string::npos);
}

}  // namespace
}  // namespace xrca::enrollment
