// The revocation page (what is revoked, by whom; the published list), the enrollment log with
// its filter and verification, and the activity charts (SVG drawn here, no script).
#include "console/html.h"
#include "console/pages.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace xrca::console {
namespace {

std::string code(const std::string& text) { return "<code>" + escape(text) + "</code>"; }

std::string number(double v, int decimals) {
    char buf[32];
    static_cast<void>(std::snprintf(buf, sizeof buf, "%.*f", decimals, v));
    return buf;
}

// Stroke colours for up to eight operations; presentation attributes, allowed by the CSP.
constexpr const char* k_colours[] = {"#1f5fbf", "#b3261e", "#1e7b34", "#8a5a00",
                                     "#6a3fb5", "#00838f", "#c2185b", "#555555"};

struct Series {
    std::string name;
    std::vector<double> values;  ///< one per minute, oldest first
};

/** A line chart of `series` over the hour, `unit` on the y axis; everything in it escaped. */
std::string chart(const std::string& id, const std::string& title, const std::string& unit,
                  const std::vector<Series>& series) {
    constexpr double w = 720, h = 200, left = 56, right = 12, top = 14, bottom = 28;
    double max = 0;
    for (const auto& s : series)
        for (const double v : s.values) max = std::max(max, v);
    if (max <= 0) max = 1;
    const double plot_w = w - left - right, plot_h = h - top - bottom;
    std::string svg = "<figure><figcaption>" + escape(title) + " (" + escape(unit) +
                      ")</figcaption><svg class=\"chart\" id=\"" + escape(id) + "\" role=\"img\" aria-label=\"" +
                      escape(title) + "\" width=\"" + number(w, 0) + "\" height=\"" + number(h, 0) +
                      "\" viewBox=\"0 0 " + number(w, 0) + " " + number(h, 0) +
                      "\" xmlns=\"http://www.w3.org/2000/svg\">";
    for (int i = 0; i <= 4; ++i) {
        const double y = top + plot_h * (1.0 - i / 4.0);
        svg += "<line x1=\"" + number(left, 0) + "\" x2=\"" + number(w - right, 0) + "\" y1=\"" + number(y, 1) +
               "\" y2=\"" + number(y, 1) + "\" stroke=\"#e3e7ee\"/>";
        svg += "<text x=\"" + number(left - 6, 0) + "\" y=\"" + number(y + 4, 1) +
               "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6475\">" + number(max * i / 4.0, max < 10 ? 1 : 0) +
               "</text>";
    }
    for (int m = 0; m <= 60; m += 15) {
        const double x = left + plot_w * m / 59.0;
        svg += "<text x=\"" + number(std::min(x, w - right), 1) + "\" y=\"" + number(h - 8, 0) +
               "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6475\">" +
               (m == 60 ? std::string("now") : "-" + std::to_string(60 - m) + " min") + "</text>";
    }
    std::size_t colour = 0;
    for (const auto& s : series) {
        std::string points;
        for (std::size_t i = 0; i < s.values.size(); ++i) {
            const double x = left + plot_w * static_cast<double>(i) / static_cast<double>(s.values.size() - 1);
            const double y = top + plot_h * (1.0 - s.values[i] / max);
            points += number(x, 1) + "," + number(y, 1) + " ";
        }
        svg += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" +
               std::string(k_colours[colour++ % (sizeof k_colours / sizeof *k_colours)]) + "\" points=\"" + points +
               "\"><title>" + escape(s.name) + "</title></polyline>";
    }
    svg += "</svg>";
    if (!series.empty()) {
        svg += "<p class=\"muted\">";
        colour = 0;
        for (const auto& s : series) {
            svg +=
                "<span><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" "
                "fill=\"" +
                std::string(k_colours[colour++ % (sizeof k_colours / sizeof *k_colours)]) + "\"/></svg> " +
                escape(s.name) + "</span> ";
        }
        svg += "</p>";
    }
    return svg + "</figure>";
}

}  // namespace

std::string revocation_page(const RevocationView& v, const std::optional<Outcome>& outcome) {
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    std::vector<std::pair<std::string, std::string>> rows = {{"published at", code(v.url)}};
    if (v.published) {
        rows.emplace_back("list", code(v.published->id));
        rows.emplace_back("signed", escape(v.published->signed_at));
        if (const auto t = xrml::Time::try_parse(v.published->signed_at)) {
            rows.emplace_back("age", "<span id=\"list-age\">" +
                                         std::to_string((v.now.unix_seconds() - t->unix_seconds()) / 60) +
                                         " minutes</span>");
        }
    } else {
        rows.emplace_back("list", "<span id=\"list-age\" class=\"warning\">none signed yet</span>");
    }
    rows.emplace_back("entries", std::to_string(v.revocations.size()));
    body += fields(rows);
    body += post_form("/admin/revocation", "inline", "", v.csrf, "publish") +
            "<button type=\"submit\" id=\"publish\">publish "
            "now</button></form> <span class=\"muted\">signs and publishes a new list when a revocation was recorded "
            "since the last one, or it is due for refresh</span>";
    body += "<h2>What is revoked</h2>";
    std::vector<std::vector<std::string>> table_rows;
    for (const auto& r : v.revocations) {
        table_rows.push_back({escape(r.revoked), escape(r.type), code(r.value), escape(r.reason), escape(r.caller)});
    }
    body += table({"when", "type", "value", "reason", "by"}, table_rows, "nothing is revoked");
    return body;
}

std::string log_page(const LogView& v, const std::optional<Outcome>& outcome) {
    const auto& q = v.query;
    std::string body;
    if (outcome) body += notice(outcome->kind, outcome->text);
    if (v.check) {
        if (v.check->ok) {
            body += notice("ok", "The enrollment log is intact: " + std::to_string(v.check->entries) +
                                     " entries, hash chain and head verified" +
                                     (v.check->from_seq == 0 ? std::string(".")
                                                             : " from archived checkpoint seq " +
                                                                   std::to_string(v.check->from_seq) + "."));
        } else {
            body += notice("error", "The enrollment log is TAMPERED: " + v.check->problem);
        }
    }
    body +=
        "<form class=\"filters\" method=\"get\" action=\"/admin/log\" id=\"log-filter\">"
        "<label>since (UTC)<input type=\"datetime-local\" name=\"since\" id=\"since\" value=\"" +
        escape(q.since) +
        "\"></label><label>until (UTC)<input type=\"datetime-local\" name=\"until\" id=\"until\" value=\"" +
        escape(q.until) + "\"></label><label>operation<input name=\"operation\" id=\"operation\" value=\"" +
        escape(q.operation) + "\"></label><label>outcome<select name=\"outcome\" id=\"outcome\">" +
        options({{"", "any"}, {"accepted", "accepted"}, {"refused", "refused"}, {"failed", "failed"}}, q.outcome) +
        "</select></label><label>caller<input name=\"caller\" id=\"caller\" value=\"" + escape(q.caller) +
        "\"></label><button type=\"submit\" id=\"filter\">filter</button>"
        "<button type=\"submit\" name=\"verify\" value=\"1\" class=\"secondary\" id=\"verify\">verify the "
        "log</button></form>";
    body += "<p class=\"muted\" id=\"log-count\">" + std::to_string(v.matched) +
            (v.matched == 1 ? " entry matches" : " entries match") +
            (v.matched > v.entries.size() ? "; the newest " + std::to_string(v.entries.size()) + " are shown" : "") +
            ".</p>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : v.entries) {
        const char* css = e.outcome == "accepted" ? "ok" : (e.outcome == "refused" ? "warning" : "bad");
        rows.push_back({std::to_string(e.seq), escape(e.time), escape(e.operation),
                        "<span class=\"" + std::string(css) + "\">" + escape(e.outcome) + "</span>", escape(e.caller),
                        escape(e.reason) + (e.inputs.empty() ? "" : "<br><code>" + escape(e.inputs) + "</code>")});
    }
    body += "<div id=\"log-entries\">" +
            table({"seq", "time", "operation", "outcome", "caller", "reason and inputs"}, rows, "no entries match") +
            "</div>";
    return body;
}

std::string activity_page(const enrollment::ActivitySnapshot& activity) {
    std::set<std::string> operations;
    for (const auto& minute : activity.minutes)
        for (const auto& [op, counts] : minute) operations.insert(op);
    std::vector<Series> rates, latencies;
    std::vector<std::vector<std::string>> totals;
    for (const auto& op : operations) {
        Series rate{op, {}}, latency{op, {}};
        std::uint64_t requests = 0, errors = 0;
        double seconds = 0, max = 0;
        for (const auto& minute : activity.minutes) {
            const auto it = minute.find(op);
            const enrollment::MinuteCount c = it == minute.end() ? enrollment::MinuteCount{} : it->second;
            rate.values.push_back(static_cast<double>(c.requests));
            latency.values.push_back(c.requests ? 1000.0 * c.total_seconds / static_cast<double>(c.requests) : 0.0);
            requests += c.requests;
            errors += c.errors;
            seconds += c.total_seconds;
            max = std::max(max, c.max_seconds);
        }
        totals.push_back({escape(op), std::to_string(requests), std::to_string(errors),
                          requests ? number(1000.0 * seconds / static_cast<double>(requests), 1) : "—",
                          number(1000.0 * max, 1)});
        rates.push_back(std::move(rate));
        latencies.push_back(std::move(latency));
    }
    std::string body =
        "<p class=\"muted\">SOAP requests this process answered in the last hour, per minute "
        "(kept in memory: a restart starts afresh).</p>";
    body += chart("rate-chart", "requests per minute", "requests", rates);
    body += chart("latency-chart", "mean latency per minute", "ms", latencies);
    body += "<h2>The last hour</h2>" +
            table({"operation", "requests", "faults", "mean ms", "max ms"}, totals, "no requests in the last hour");
    return body;
}

}  // namespace xrca::console
