// The console's pages (docs/console.md): each renders the body of one page, as HTML, from typed
// view data the controllers (console.cpp, actions.cpp) gathered through ca::Authority. Pages do
// no I/O and decide nothing; every value that came from outside is escaped here (html.h).
#pragma once

#include "ca/authority.h"
#include "enrollment/activity.h"
#include "store/records.h"
#include "xrml/time_format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xrca::console {

/** What an action did, shown above the page: kind "ok", "error" or "warning". */
struct Outcome {
    std::string kind;
    std::string text;
};

// --- sign-in -----------------------------------------------------------------------------------
std::string login_page(const std::string& csrf, const std::optional<Outcome>& outcome);

// --- overview ----------------------------------------------------------------------------------
struct ChainEntry {
    std::string kind;
    std::string name;  ///< the issued principal's object name, or ID
    std::string key_fingerprint;
    std::optional<xrml::TimeRange> validity;
};
struct OverviewView {
    ca::AuthorityStatus status;
    std::vector<ChainEntry> chain;  ///< leaf first
    xrml::Time now;
    bool healthy = false;
    std::string health;
    std::optional<store::PublishedListHead> revocation_list;
    std::string revocation_list_url;
    std::size_t revocations = 0;
    std::size_t key_pool_ready = 0;
    std::size_t principals = 0;
    bool decommissioned = false;
};
std::string overview_page(const OverviewView& v);

// --- certificates --------------------------------------------------------------------------------
/** The search form's values, as typed (re-shown in the form). */
struct CertificateQuery {
    std::string kind, user, machine, since, until, revoked, status;
};
struct CertificateListView {
    CertificateQuery query;
    std::vector<store::ListedCertificate> rows;
    bool more = false;            ///< the page is full: a next page may exist
    std::string next_page_query;  ///< the query string of the next page
};
std::string certificate_list_page(const CertificateListView& v, const std::optional<Outcome>& outcome);

struct CertificateDetailView {
    store::ListedCertificate row;
    std::string verdict;
    bool verified = false;
    std::string csrf;
};
std::string certificate_detail_page(const CertificateDetailView& v, const std::optional<Outcome>& outcome);

struct RevocationConfirmView {
    store::ListedCertificate row;
    ca::Authority::RevocationPreview preview;
    std::string reason;
    std::string csrf;
};
std::string revocation_confirm_page(const RevocationConfirmView& v);

/** The short names of certificate kinds, as the search form and `xrca certs list --kind` take them. */
std::string short_kind(const std::string& kind);
/** The DESCRIPTOR type a short name stands for, or nullopt. */
std::optional<std::string> kind_of(const std::string& short_name);

// --- principals and trust --------------------------------------------------------------------------
struct PrincipalsView {
    std::vector<store::PrincipalRecord> principals;
    std::string csrf;
    std::optional<std::pair<std::string, std::string>> new_token;  ///< name and token, shown once
};
std::string principals_page(const PrincipalsView& v, const std::optional<Outcome>& outcome);

struct TrustView {
    std::vector<store::TrustRecord> trust;
    std::vector<store::ExclusionRecord> exclusions;
    std::string csrf;
};
std::string trust_page(const TrustView& v, const std::optional<Outcome>& outcome);

// --- revocation, log, activity -------------------------------------------------------------------
struct RevocationView {
    std::vector<store::RevocationRecord> revocations;  ///< newest first
    std::optional<store::PublishedListHead> published;
    std::string url;
    xrml::Time now;
    std::string csrf;
};
std::string revocation_page(const RevocationView& v, const std::optional<Outcome>& outcome);

struct LogQuery {
    std::string since, until, operation, outcome, caller;
};
struct LogView {
    LogQuery query;
    std::vector<store::LogEntry> entries;  ///< newest first
    std::size_t matched = 0;               ///< entries that matched, of which the newest are shown
    std::optional<store::LogCheck> check;  ///< when verification was asked for
};
std::string log_page(const LogView& v, const std::optional<Outcome>& outcome);

std::string activity_page(const enrollment::ActivitySnapshot& activity);

}  // namespace xrca::console
