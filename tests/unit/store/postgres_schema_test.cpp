// The PostgreSQL store's schema (postgres_store_test.cpp has the rest of what only PostgreSQL
// shows): versions and migrations, the plans of the searches that must not scan certificates,
// HOT completions, and the rows derived from certificates (the unissued list, the counts).
#include "store/certificate_listing.h"
#include "store/factory.h"
#include "store/log_chain.h"
#include "store/postgres_copy.h"
#include "store/postgres_rows.h"
#include "store/postgres_store.h"
#include "unit/store/postgres_store_fixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::pg_test {
namespace {

// The schema that brings the counts starts them from the rows already there.
TEST_F(PostgresStoreTest, TheCountsMigrationCountsTheRowsAlreadyStored) {
    create_at_schema(6);
    cluster().execute(m_database,
                      "INSERT INTO xrca.certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, "
                      "issued, body, request_id) SELECT 'old-' || i, CASE WHEN i % 3 = 0 THEN 'clc' ELSE 'rac' END, "
                      "CASE WHEN i % 5 = 0 THEN 'pending' ELSE 'issued' END, 's', 'f', 'k', "
                      "'2026-01-01T00:00:00Z', '', 'r' FROM generate_series(1, 30) AS i; "
                      "INSERT INTO xrca.user_keys (user_id, email, fingerprint, encrypted, created) "
                      "SELECT 'u' || i, 'e', 'f', '\\x01', 't' FROM generate_series(1, 7) AS i");
    PostgresStore upgraded(m_locator, false);
    const auto c = upgraded.counts();
    // 30 rows: i % 5 == 0 pending (6); of the other 24, i % 3 == 0 are clc (8), the rest rac (16).
    EXPECT_EQ(c.pending, 6);
    EXPECT_EQ(c.issued_by_kind, (std::map<std::string, std::int64_t>{{"clc", 8}, {"rac", 16}}));
    EXPECT_EQ(c.user_keys, 7);
}

TEST_F(PostgresStoreTest, ASchemaNewerThanTheBinaryIsRefusedAndLeftUntouched) {
    open_store(m_locator, OpenMode::Create).reset();
    cluster().execute(m_database, "UPDATE xrca.schema_version SET version = 999");
    const auto tables = cluster().scalar(m_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'xrca'");
    for (const auto mode : {OpenMode::Existing, OpenMode::Create}) {
        const auto error = storage_error_of([&] { open_store(m_locator, mode); });
        EXPECT_NE(error.find("schema version 999"), std::string::npos) << error;
        EXPECT_NE(error.find("newer xrca"), std::string::npos) << error;
    }
    EXPECT_EQ(cluster().scalar(m_database, "SELECT version FROM xrca.schema_version"), "999");
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'xrca'"), tables);
}

TEST_F(PostgresStoreTest, AnUpgradeOfAnOlderSchemaIsAnnouncedWithHowToBackUp) {
    SchemaOptions at_one;
    at_one.stop_at = 1;
    at_one.notice = [](const SchemaUpgrade&) { ADD_FAILURE() << "a new store was announced"; };
    { PostgresStore old(m_locator, true, at_one); }
    ASSERT_EQ(cluster().scalar(m_database, "SELECT version FROM xrca.schema_version"), "1");
    std::vector<SchemaUpgrade> told;
    SchemaOptions options;
    options.notice = [&](const SchemaUpgrade& u) { told.push_back(u); };
    { PostgresStore s(m_locator, false, options); }
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].from, 1);
    EXPECT_EQ(told[0].to, PostgresStore::latest_schema_version());
    EXPECT_TRUE(told[0].backup.empty());
    const auto line = describe_upgrade(told[0]);
    EXPECT_NE(line.find("from version 1 to " + std::to_string(told[0].to)), std::string::npos) << line;
    EXPECT_NE(line.find("pg_dump"), std::string::npos) << line;
    EXPECT_EQ(cluster().scalar(m_database, "SELECT version FROM xrca.schema_version"),
              std::to_string(PostgresStore::latest_schema_version()));
    { PostgresStore again(m_locator, false, options); }  // nothing left to upgrade: nothing said
    EXPECT_EQ(told.size(), 1u);
}

// Issue 17: the revoked listing starts from the revocations (store/certificate_listing.cpp): the
// plan PostgreSQL makes with the table's statistics (ANALYZE; one issuer key on every row) holds
// no sequential scan of certificates, alone or with the other filters and a page. (Given the
// revoked issuer key as the store gives it, read first; joined instead, it made one.)
TEST_F(PostgresStoreTest, TheRevokedListingReadsNoWholeCertificatesTable) {
    { (void)open_store(m_locator, OpenMode::Create); }
    insert_issued_rows();
    cluster().execute(
        m_database,
        "SET search_path TO xrca; "
        "INSERT INTO revocations (type, value, object_type, id_type, id, public_key, reason, revoked, caller) "
        "SELECT type, value, '', '', value, '', '', '2026-03-01T12:00:00Z', 'test' FROM (VALUES "
        "('license-id', 'c-1'), ('license-hash', 'hash-2'), ('principal-id', 's-1-5-21-3'), "
        "('principal-key', 'key-4'), ('issuer-key', 'other')) AS v(type, value); "
        "ANALYZE");
    std::vector<CertificateFilter> filters(4);
    filters[1].kind = "Group-Identity-Credential";
    filters[2].subject = "S-1-5-21-3";
    filters[3].kind = "Group-Identity-Credential";
    filters[3].before = std::make_pair(std::string("2026-01-01T00:00:00100"), std::string("C-100"));
    filters[3].issued_since = "2026-01-01";
    for (auto& f : filters) {
        f.revoked = true;
        const auto query = detail::certificate_listing_query(f, detail::SqlDialect::Postgres, {"other"});
        const auto plan = expect_no_certificates_scan(query.sql, query.params);
        EXPECT_NE(plan.find("certificates_by_issuer"), std::string::npos) << plan;
    }
    CertificateFilter f;
    f.revoked = true;
    EXPECT_EQ(open_store(m_locator, OpenMode::Existing)->list_certificates(f).size(), 4u);
}

// Issue 14: no index of certificates names a column that completing or abandoning an issuance
// changes (008_hot_completion.sql), so PostgreSQL makes both HOT updates (no new index entry),
// and unissued_certificates lists exactly the rows not issued.
TEST_F(PostgresStoreTest, CompletionsAndAbandonmentsAreHotUpdatesAndTheUnissuedListStaysExact) {
    {
        auto store = open_store(m_locator, OpenMode::Create);
        const auto names_a_changed_column = cluster().scalar(
            m_database,
            "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "WHERE i.indrelid = 'xrca.certificates'::regclass AND a.attname IN ('status', 'xrml', 'body') "
            "AND (a.attnum = ANY (i.indkey) OR pg_get_expr(i.indexprs, i.indrelid) ~ a.attname "
            "OR pg_get_expr(i.indpred, i.indrelid) ~ a.attname)");
        EXPECT_EQ(names_a_changed_column, "0");
        for (int i = 0; i < 12; ++i) store->reserve_issuance(pending("c" + std::to_string(i)), entry("Certify"));
        EXPECT_EQ(unissued(m_database),
                  "c0:pending c1:pending c10:pending c11:pending c2:pending c3:pending "
                  "c4:pending c5:pending c6:pending c7:pending c8:pending c9:pending");
        for (int i = 0; i < 9; ++i) store->complete_issuance("c" + std::to_string(i), "<XrML/>");
        store->abandon_issuance("c9", entry("Abandon"));
        store->abandon_issuance("c10", entry("Abandon"));
        EXPECT_EQ(unissued(m_database), "c10:abandoned c11:pending c9:abandoned");
        EXPECT_THROW(store->complete_issuance("c9", "<XrML/>"), StorageError);
        EXPECT_EQ(unissued(m_database), "c10:abandoned c11:pending c9:abandoned");
        EXPECT_EQ(store->counts().pending, 1);
    }
    // The store's connections are closed: each server process sent its statistics as it ended.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string updated;
    while ((updated = certificates_statistic("n_tup_upd")) != "11" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the statistics
    }
    ASSERT_EQ(updated, "11");
    EXPECT_EQ(certificates_statistic("n_tup_hot_upd"), "11");
}

// The sweep of stale reservations and a search for pending or abandoned certificates start from
// unissued_certificates, whatever the size of certificates.
TEST_F(PostgresStoreTest, TheSweepAndASearchByStatusReadNoWholeCertificatesTable) {
    auto store = open_store(m_locator, OpenMode::Create);
    insert_issued_rows();
    store->reserve_issuance(pending("p1"), entry("Certify"));
    store->reserve_issuance(pending("p2"), entry("Certify"));
    store->reserve_issuance(pending("p3"), entry("Certify"));
    store->abandon_issuance("p3", entry("Abandon"));
    cluster().execute(m_database, "ANALYZE");

    auto plan = expect_no_certificates_scan(pg_detail::stale_pending_query(), {"2027-01-01"});
    EXPECT_NE(plan.find("unissued_certificates"), std::string::npos) << plan;
    for (const auto* status : {"pending", "abandoned"}) {
        std::vector<CertificateFilter> filters(3);
        filters[1].kind = "Rights-Account-Certificate";
        filters[2].before = std::make_pair(std::string("2026-12-01"), std::string("x"));
        for (auto& f : filters) {
            f.status = status;
            const auto query = detail::certificate_listing_query(f, detail::SqlDialect::Postgres, {});
            plan = expect_no_certificates_scan(query.sql, query.params);
            EXPECT_NE(plan.find("unissued_certificates"), std::string::npos) << plan;
        }
    }
    // A search of one kind walks (kind, issued, id) whatever status it asks for.
    CertificateFilter issued;
    issued.kind = "Rights-Account-Certificate";
    issued.status = "issued";
    const auto query = detail::certificate_listing_query(issued, detail::SqlDialect::Postgres, {});
    plan = expect_no_certificates_scan(query.sql, query.params);
    EXPECT_NE(plan.find("certificates_by_kind"), std::string::npos) << plan;

    // And they find what they should.
    CertificateFilter f;
    f.status = "pending";
    EXPECT_EQ(store->list_certificates(f).size(), 2u);
    f.status = "abandoned";
    EXPECT_EQ(store->list_certificates(f).size(), 1u);
    const auto swept =
        store->abandon_stale_pending("2027-01-01", [](const CertificateRecord& r) { return entry("Abandon", r.id); });
    ASSERT_EQ(swept.size(), 2u);
    EXPECT_EQ(swept[0].id, "p1");
    EXPECT_EQ(unissued(m_database), "p1:abandoned p2:abandoned p3:abandoned");
}

// The schema that brings unissued_certificates lists the rows not issued already stored.
TEST_F(PostgresStoreTest, TheHotCompletionMigrationListsThePendingRowsAlreadyStored) {
    create_at_schema(7);
    cluster().execute(m_database,
                      "SET search_path TO xrca; INSERT INTO certificates (id, kind, status, subject, "
                      "issuer_fingerprint, key_fingerprint, "
                      "issued, body, request_id) SELECT 'old-' || i, 'rac', "
                      "CASE WHEN i % 5 = 0 THEN 'pending' WHEN i = 7 THEN 'abandoned' ELSE 'issued' END, 's', 'f', "
                      "'k', '2026-01-01T00:00:0' || i, '<BODY/>', 'r' FROM generate_series(1, 9) AS i");
    PostgresStore upgraded(m_locator, false);
    EXPECT_EQ(unissued(m_database), "old-5:pending old-7:abandoned");
    EXPECT_EQ(upgraded.counts().pending, 1);
    const auto swept =
        upgraded.abandon_stale_pending("2027-01-01", [](const CertificateRecord& r) { return entry("Abandon", r.id); });
    ASSERT_EQ(swept.size(), 1u);
    EXPECT_EQ(swept[0].id, "old-5");
    upgraded.reserve_issuance(pending("new"), entry("Certify"));
    upgraded.complete_issuance("new", "<XrML/>");
    EXPECT_EQ(unissued(m_database), "old-5:abandoned old-7:abandoned");
    EXPECT_EQ(cluster().scalar(m_database,
                               "SELECT reloptions::text FROM pg_class WHERE oid = "
                               "'xrca.certificates'::regclass"),
              "{fillfactor=50}");
}

// A copy (restore, migrate-store) leaves unissued_certificates and the counts out: the target
// derives them from the certificates copied.
TEST_F(PostgresStoreTest, ACopyListsTheUnissuedRowsOfTheSource) {
    {
        auto store = open_store(m_locator, OpenMode::Create);
        store->reserve_issuance(pending("a"), entry("Certify"));
        store->reserve_issuance(pending("b"), entry("Certify"));
        store->reserve_issuance(pending("c"), entry("Certify"));
        store->complete_issuance("a", "<XrML/>");
        store->abandon_issuance("b", entry("Abandon"));
    }
    const auto other = cluster().create_database();
    const auto other_locator = cluster().locator(other);
    (void)open_store(other_locator, OpenMode::Create);
    PostgresTableWriter writer(other_locator);
    read_postgres_tables(m_locator, writer);
    writer.commit();
    EXPECT_EQ(unissued(other), "b:abandoned c:pending");
    EXPECT_EQ(unissued(other), unissued(m_database));
    const auto copied = open_store(other_locator, OpenMode::Existing)->counts();
    EXPECT_EQ(copied.pending, 1);
    EXPECT_EQ(copied.issued_by_kind, (std::map<std::string, std::int64_t>{{"Rights-Account-Certificate", 1}}));
    cluster().drop_database(other);
}

// Issue 14: a Certify (reservation, completion) and an abandonment keep the unissued list and
// the counts in their own statements (009_derived_rows_in_statements.sql): no trigger function
// runs for them, only for a deletion, which nothing in xrca makes.
TEST_F(PostgresStoreTest, IssuancesRunNoTriggerFunctionAndKeepTheirDerivedRowsExact) {
    // Every server process of this database counts its calls of PL/pgSQL functions.
    cluster().execute(m_database, "ALTER DATABASE \"" + m_database + "\" SET track_functions = 'pl'");
    {
        auto store = open_store(m_locator, OpenMode::Create);
        for (int i = 0; i < 6; ++i) store->reserve_issuance(pending("c" + std::to_string(i)), entry("Certify"));
        for (int i = 0; i < 4; ++i) store->complete_issuance("c" + std::to_string(i), "<XrML/>");
        store->abandon_issuance("c4", entry("Abandon"));
        EXPECT_THROW(store->complete_issuance("c4", "<XrML/>"), StorageError);
        EXPECT_EQ(unissued(m_database), "c4:abandoned c5:pending");
        const auto counts = store->counts();
        EXPECT_EQ(counts.pending, 1);
        EXPECT_EQ(counts.issued_by_kind, (std::map<std::string, std::int64_t>{{"Rights-Account-Certificate", 4}}));
    }
    // Only INSERT and UPDATE lost their triggers: a deletion still lists and counts.
    EXPECT_EQ(cluster().scalar(m_database,
                               "SELECT string_agg(tgname, ' ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = "
                               "'xrca.certificates'::regclass AND NOT tgisinternal"),
              "certificates_counted_delete certificates_unissued_delete");
    cluster().execute(m_database, "SET search_path TO xrca; DELETE FROM certificates WHERE id = 'c5'");
    EXPECT_EQ(unissued(m_database), "c4:abandoned");
    EXPECT_EQ(open_store(m_locator, OpenMode::Existing)->counts().pending, 0);
    // Each server process sends its statistics as it ends: wait for the deletion's functions and
    // the issuances' five updates (four completions, one abandonment).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const auto calls = [&] {
        return cluster().scalar(m_database,
                                "SELECT coalesce(string_agg(funcname || '=' || calls, ' ' ORDER BY funcname), '') "
                                "FROM pg_stat_user_functions WHERE schemaname = 'xrca'");
    };
    std::string seen;
    while (((seen = calls()).find("track_unissued_deleted") == std::string::npos ||
            certificates_statistic("n_tup_upd") != "5") &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the statistics
    }
    ASSERT_EQ(certificates_statistic("n_tup_upd"), "5");
    EXPECT_EQ(seen, "count_certificates_deleted=1 track_unissued_deleted=1");
}

// A batch of reservations, of log entries and of completions is one statement each, its rows
// sent as arrays (text_array_param, binary format): every character of every field arrives, NULL stays NULL, and a
// completion sent twice in one batch succeeds once.
TEST_F(PostgresStoreTest, BatchesSentAsArraysKeepEveryCharacterOfTheirRows) {
    auto store = open_store(m_locator, OpenMode::Create);
    const std::vector<std::string> awkward = {
        "", "NULL", "a,b", "{x}", "say \"hi\"", "back\\slash", "\\\"", "line\nbreak\ttab", "ünïcödé €", "(1,2)"};
    constexpr int threads_n = 8;
    std::vector<std::thread> threads;
    std::atomic<int> completed{0}, refused{0};
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < awkward.size(); ++i) {
                const auto id = "w" + std::to_string(t) + "-" + std::to_string(i);
                auto r = pending(id, awkward[i]);
                r.body = "<BODY>" + awkward[i] + "</BODY>";
                r.license_hash = t % 2 == 0 ? "" : awkward[i];  // "" is stored as NULL
                r.machine = t % 3 == 0 ? std::nullopt : std::optional<std::string>(awkward[i]);
                r.valid_from = std::nullopt;
                auto e = entry("Certify", id);
                e.inputs = awkward[i];
                e.reason = awkward[(i + 1) % awkward.size()];
                store->reserve_issuance(r, e);
            }
        });
    }
    for (auto& t : threads) t.join();
    threads.clear();
    // Two threads complete each certificate at once (a pair per reserving thread): in one batch
    // or in two, one of them is refused.
    for (int t = 0; t < 2 * threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < awkward.size(); ++i) {
                const auto id = "w" + std::to_string(t / 2) + "-" + std::to_string(i);
                try {
                    store->complete_issuance(id, "<XrML>" + awkward[i] + "</XrML>");
                    ++completed;
                } catch (const StorageError&) {
                    ++refused;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto total = threads_n * static_cast<int>(awkward.size());
    EXPECT_EQ(completed.load(), total);
    EXPECT_EQ(refused.load(), total);
    for (int t = 0; t < threads_n; ++t) {
        for (std::size_t i = 0; i < awkward.size(); ++i) {
            const auto id = "w" + std::to_string(t) + "-" + std::to_string(i);
            const auto r = store->find_certificate(id);
            ASSERT_TRUE(r.has_value()) << id;
            EXPECT_EQ(r->subject, awkward[i]) << id;
            EXPECT_EQ(r->status, "issued") << id;
            EXPECT_EQ(r->xrml.value_or("(null)"), "<XrML>" + awkward[i] + "</XrML>") << id;
            EXPECT_EQ(r->license_hash, t % 2 == 0 ? "" : awkward[i]) << id;
            EXPECT_EQ(r->machine.value_or("(null)"), t % 3 == 0 ? "(null)" : awkward[i]) << id;
            EXPECT_FALSE(r->valid_from.has_value()) << id;
        }
    }
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM xrca.certificates WHERE license_hash IS NULL"),
              std::to_string(threads_n / 2 * awkward.size() + threads_n / 2))
        << "every even thread's, and the odd threads' empty one";
    const auto verdict = store->verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.entries, total);
    std::map<std::string, std::string> inputs;
    for (const auto& e : store->read_log("")) inputs[e.request_id] = e.inputs;
    for (int t = 0; t < threads_n; ++t) {
        for (std::size_t i = 0; i < awkward.size(); ++i) {
            EXPECT_EQ(inputs["w" + std::to_string(t) + "-" + std::to_string(i)], awkward[i]);
        }
    }
    EXPECT_EQ(unissued(m_database), "");
    EXPECT_EQ(store->counts().issued_by_kind.at("Rights-Account-Certificate"), total);
}

// A store of schema 8 (the triggers kept the unissued list and the counts) upgrades with its
// pending and abandoned rows listed and counted, and they go on from there.
TEST_F(PostgresStoreTest, TheDerivedRowsMigrationKeepsTheListAndCountsOfASchemaEightStore) {
    create_at_schema(8);
    cluster().execute(m_database,
                      "SET search_path TO xrca; INSERT INTO certificates (id, kind, status, subject, "
                      "issuer_fingerprint, key_fingerprint, issued, body, request_id) SELECT 'old-' || i, 'rac', "
                      "CASE WHEN i % 4 = 0 THEN 'pending' WHEN i % 5 = 0 THEN 'abandoned' ELSE 'issued' END, 's', "
                      "'f', 'k', '2026-01-01T00:00:' || lpad(i::text, 2, '0'), '<BODY/>', 'r' "
                      "FROM generate_series(1, 12) AS i; "
                      "UPDATE certificates SET status = 'abandoned' WHERE id = 'old-8'");
    PostgresStore upgraded(m_locator, false);
    EXPECT_EQ(cluster().scalar(m_database, "SELECT version FROM xrca.schema_version"),
              std::to_string(PostgresStore::latest_schema_version()));
    EXPECT_EQ(unissued(m_database), "old-10:abandoned old-12:pending old-4:pending old-5:abandoned old-8:abandoned");
    auto counts = upgraded.counts();
    EXPECT_EQ(counts.pending, 2);
    EXPECT_EQ(counts.issued_by_kind, (std::map<std::string, std::int64_t>{{"rac", 7}}));
    upgraded.complete_issuance("old-4", "<XrML/>");
    const auto swept =
        upgraded.abandon_stale_pending("2027-01-01", [](const CertificateRecord& r) { return entry("Abandon", r.id); });
    ASSERT_EQ(swept.size(), 1u);
    EXPECT_EQ(swept[0].id, "old-12");
    upgraded.reserve_issuance(pending("new"), entry("Certify"));
    EXPECT_EQ(unissued(m_database), "new:pending old-10:abandoned old-12:abandoned old-5:abandoned old-8:abandoned");
    counts = upgraded.counts();
    EXPECT_EQ(counts.pending, 1);
    EXPECT_EQ(counts.issued_by_kind, (std::map<std::string, std::int64_t>{{"rac", 8}}));
    // The documents are no longer compressed: a signed XrML that pglz would shrink is stored whole.
    upgraded.complete_issuance("new", "<XrML>" + std::string(8000, 'a') + "</XrML>");
    EXPECT_EQ(cluster().scalar(m_database,
                               "SELECT coalesce(pg_column_compression(xrml), 'none') || ' ' || "
                               "(pg_column_size(xrml) = octet_length(xrml)) FROM xrca.certificates WHERE id = 'new'"),
              "none true");
}

}  // namespace
}  // namespace xrca::store::pg_test
