// xrca: the composition root. Parses the global options, dispatches to a subcommand, and maps
// every error to an exit code in one place (cli/exit_codes.h).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/password.h"
#include "cli/process_hardening.h"
#include "cli/session.h"
#include "store/store.h"

#include "ca/errors.h"
#include "text/clean.h"
#include "xrml/errors.h"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

namespace xrca::cli {
namespace {

struct Command {
    std::function<int(Context&, Args&)> run;
    const char* summary;
    const char* help;
};

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> table = {
        {"verify",
         {cmd_verify, "verify the signatures and chains of XrML files",
          "usage: xrca verify FILE... [--anchor FINGERPRINT|ANCHOR.pub.xml] [--at TIME]\n"
          "                   [--revocation-list RL.xml]... [--max-age DURATION] [--json]\n"
          "\n"
          "Checks every document's signature against its ISSUER key, builds each leaf's chain\n"
          "from all the documents given (a file may hold several, leaf first), and checks the\n"
          "links, the ISSUE rights, the time rules and, with --anchor, that the chain ends at\n"
          "the pinned root key. Without --anchor the topmost issuer key is reported and trust\n"
          "is NOT established.\n"
          "\n"
          "  --anchor X   the trust anchor: a 64-digit SHA-256 key fingerprint, or a file\n"
          "               holding a <PUBLICKEY> element\n"
          "  --at TIME    evaluate validity at TIME (YYYY-MM-DDTHH:MM, UTC) instead of now\n"
          "  --revocation-list RL.xml  honour a signed revocation list (repeatable): it counts for\n"
          "               a document when signed by its issuer or an issuer above it, or by a\n"
          "               revocation authority its SLC names; a chain with anything revoked fails\n"
          "  --max-age D  ignore lists issued longer than D ago (7d, 12h, 30m, 90s)\n"
          "  --json       one JSON document on stdout\n"
          "\n"
          "Exit status: 0 verified; 1 a signature, link, time or anchor check failed, or the\n"
          "input is not valid XrML; 2 usage; 4 a file could not be read.\n"
          "\n"
          "example:\n"
          "  xrca verify chain.xml --anchor 25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d \\\n"
          "              --at 2015-04-02T00:00\n"}},
        {"init",
         {cmd_init, "provision an authority in the data directory",
          "usage: xrca [--data DIR] init --role enrollment|root|licensing --name NAME [--url BASE_URL]\n"
          "           [--extranet-url BASE_URL] [--crypto-mode 2|1] [--self-enroll] [--revocation standard|custom]\n"
          "           [--revocation-authority RA.pub.xml]... [--trust-anchor FINGERPRINT|ANCHOR.pub.xml]\n"
          "           [--password-file FILE]\n"
          "           [--key-store pkcs11 --pkcs11-module MODULE.so --pkcs11-token LABEL [--pin-file FILE]]\n"
          "       xrca [--data DIR] init --from-key-export FILE [--export-password-file FILE] [--password-file FILE]\n"
          "\n"
          "Creates the data directory's database and the authority's keys, encrypted under the key\n"
          "password (--password-file, else $XRCA_KEY_PASSWORD, else asked twice on a terminal).\n"
          "With --key-store pkcs11 the keys are instead generated inside the PKCS#11 token LABEL of\n"
          "MODULE.so (not extractable) and the database keeps only references to them; user keys\n"
          "are escrowed under an AES key in the same token. The token's user PIN comes from\n"
          "--pin-file, else $XRCA_PKCS11_PIN, else a prompt; later commands find the token again\n"
          "and ask for its PIN instead of the key password (docs/key-protection.md).\n"
          "  enrollment  a root key and the CA -> enrollment CA -> enrollment service chain; it\n"
          "              issues root-cluster SLCs and is the trust anchor relying parties pin\n"
          "  root        a cluster key; awaits its SLC unless --self-enroll, which also creates a\n"
          "              private enrollment hierarchy and signs the first SLC at once; a root\n"
          "              cluster also gets a machine activation issuer\n"
          "  licensing   a cluster key; awaits its SLC from a root cluster (SubEnroll)\n"
          "Crypto mode 2 is RSA-2048/SHA-256 (default); mode 1 is RSA-1024/SHA-1 for legacy clients.\n"
          "--url is the cluster's base URL, e.g. https://rms.example.com/_wmcs; --extranet-url the\n"
          "one clients outside the organisation use (service location, and the Extranet-*\n"
          "distribution points of RACs and CLCs; `xrca set-url` changes it later).\n"
          "--from-key-export FILE recreates the root or licensing cluster of an `xrca export-cluster-key`\n"
          "file (its key, GUID, name, URL, anchor and SLC chain; opened with the export password from\n"
          "--export-password-file, $XRCA_EXPORT_PASSWORD or a prompt), its key re-encrypted under this\n"
          "installation's key password; it is active at once on the same SLC (docs/backup.md).\n"
          "\n"
          "examples:\n"
          "  xrca --data es init --role enrollment --name \"Example Enrollment\"\n"
          "  xrca --data root init --role root --name CorpRights --url https://rms.example.com/_wmcs --self-enroll\n"
          "  xrca --data root init --role root --name CorpRights --url https://rms.example.com/_wmcs --self-enroll \\\n"
          "       --key-store pkcs11 --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token xrca\n"}},
        {"anchor",
         {cmd_anchor, "print or save the trust anchor relying parties pin",
          "usage: xrca [--data DIR] anchor [-o FILE] [--fingerprint]\n"
          "       xrca [--data DIR] anchor --set ANCHOR.pub.xml|FINGERPRINT\n"
          "\n"
          "For an enrollment service: its root public key. For a cluster: the anchor it trusts.\n"
          "Written as a <PUBLICKEY> element, the form `verify --anchor` and `init --trust-anchor` read.\n"
          "--set gives a root or licensing cluster initialised without --trust-anchor the anchor its\n"
          "SLC chain must verify to at import (or replaces a wrong one); only while it awaits its\n"
          "response, and logged.\n"
          "\n"
          "examples:\n"
          "  xrca --data es anchor -o anchor.pub.xml\n"
          "  xrca --data root anchor --set anchor.pub.xml\n"}},
        {"status",
         {cmd_status, "show the authority's role, state, certificate and counts",
          "usage: xrca [--data DIR] status [--json]\n"
          "\n"
          "States: active, awaiting-response (a cluster waiting for its SLC), decommissioned.\n"
          "Lists where each key lives: software (encrypted in the database), or a PKCS#11 token\n"
          "and the object's label in it. Needs no password or PIN.\n"
          "\n"
          "example:\n"
          "  xrca --data root status --json\n"}},
        {"chain",
         {cmd_chain, "write this authority's own chain, leaf first",
          "usage: xrca [--data DIR] chain [-o FILE]\n"
          "\n"
          "example:\n"
          "  xrca --data root chain -o slc-chain.xml\n"}},
        {"trust",
         {cmd_trust, "manage the SPC and RAC issuers this authority accepts",
          "usage: xrca [--data DIR] trust add (--spc-issuer PUB.xml | --rac-issuer PUB.xml) [--label TEXT]\n"
          "       xrca [--data DIR] trust list [--json]\n"
          "       xrca [--data DIR] trust remove FINGERPRINT\n"
          "\n"
          "A root cluster trusts its own activation issuer for machine certificates and its own SLC\n"
          "for RACs without being told; a licensing cluster trusts its root's SLC for RACs.\n"
          "\n"
          "example:\n"
          "  xrca --data root trust add --rac-issuer other-cluster-slc.pub.xml --label \"Contoso users\"\n"}},
        {"issue",
         {cmd_issue, "issue a machine certificate, RAC or CLC at the authority",
          "usage: xrca [--data DIR] issue machine --public-key MACHINE.pub.xml [--hid-digest BASE64] -o SPC-CHAIN.xml\n"
          "       xrca [--data DIR] issue rac --spc-chain SPC-CHAIN.xml --email EMAIL [--user-id SID|GUID] "
          "[--temporary]\n"
          "                                   -o RAC-CHAIN.xml\n"
          "       xrca [--data DIR] issue clc --rac-chain RAC-CHAIN.xml -o CLC-CHAIN.xml\n"
          "\n"
          "Needs the key password (or, for keys in a token, its PIN: --pin-file, $XRCA_PKCS11_PIN).\n"
          "Every request, issued or refused, is in the enrollment log.\n"
          "A RAC (365 days, or 15 minutes with --temporary) carries the user's escrowed key sealed\n"
          "to the machine key; a CLC carries a fresh key sealed to the RAC key. -o - writes to stdout.\n"
          "A RAC names a directory user by its Windows SID (--user-id S-1-5-21-…) and a federated user\n"
          "by a GUID: --user-id GUID, or by default one derived from --email (the same on every run).\n"
          "\n"
          "example:\n"
          "  xrca --data root issue rac --spc-chain spc.xml --email alice@example.com -o rac.xml\n"}},
        {"certs",
         {cmd_certs, "list and show the certificates this authority issued",
          "usage: xrca [--data DIR] certs list [--kind machine|rac|clc|slc|activation-issuer] [--user ID]\n"
          "                                [--subject ID] [--machine ID] [--since TIME] [--until TIME]\n"
          "                                [--revoked | --not-revoked] [--status issued|pending|abandoned|all]\n"
          "                                [--limit N] [--json]\n"
          "       xrca [--data DIR] certs show ID [--json] [-o FILE]\n"
          "\n"
          "list prints the newest first, at most --limit (default 100, at most 1000) rows: ID, kind,\n"
          "issue time, subject (the user ID of a RAC or CLC, the machine ID of a machine certificate,\n"
          "the GUID of an SLC), the machine a RAC was sealed to, and REVOKED when a revocation recorded\n"
          "here names the certificate, its subject, its key or its issuer's key. Every filter given\n"
          "must match; IDs compare ignoring case. TIME is YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC) or an\n"
          "age such as 24h or 7d; --until is exclusive. Only issued certificates unless --status says.\n"
          "show prints one certificate's fields and whether its signature verifies; -o FILE writes\n"
          "its document (-o - to stdout, alone). Certificates issued before schema 10 have no machine.\n"
          "\n"
          "examples:\n"
          "  xrca --data root certs list --kind rac --user S-1-5-21-1004336348-1177238915-682003330-1001\n"
          "  xrca --data root certs list --machine '{0b5c…}' --since 7d --json\n"
          "  xrca --data root certs show '{6f1e…}' -o rac.xml\n"}},
        {"export-key",
         {cmd_export_key, "write the public key of a certificate as a <PUBLICKEY> file",
          "usage: xrca export-key CERT.xml [--issuer] -o PUB.xml\n"
          "\n"
          "Writes the key the certificate was issued to (ISSUEDPRINCIPALS), or with --issuer the\n"
          "key that signed it, as the <PUBLICKEY> file that trust add, revoke --issuer-key and\n"
          "--principal-key, and exclusion add --rac-key take. Those commands also take the\n"
          "certificate itself (its own key), so this is for handing a key to someone else.\n"
          "CERT.xml may be a chain: its first document is used. -o - writes to stdout.\n"
          "\n"
          "example:\n"
          "  xrca export-key other-cluster-slc.xml -o other-cluster.pub.xml\n"}},
        {"client",
         {cmd_client, "the client side: machine key, activation, RAC, CLC, unsealing",
          "usage: xrca client init --dir CLIENT_DIR [--bits 2048|1024]\n"
          "       xrca client activate --dir CLIENT_DIR --server URL [--token-file FILE] [--anchor A]\n"
          "       xrca client certify --dir CLIENT_DIR --server URL [--token-file FILE] [--temporary] [--anchor A]\n"
          "       xrca client clc --dir CLIENT_DIR --server URL [--token-file FILE] [--anchor A]\n"
          "       xrca client unseal --dir CLIENT_DIR CHAIN.xml\n"
          "\n"
          "init creates a machine key pair (private half encrypted under the key password) and\n"
          "writes CLIENT_DIR/machine.pub.xml. activate sends the machine public key with a proof\n"
          "that it holds the private key to the root cluster's Activation service and saves the\n"
          "SPC chain as CLIENT_DIR/spc-chain.xml; certify sends that chain to Certify and saves the\n"
          "RAC chain as rac-chain.xml (--temporary: a short-lived RAC); clc sends the RAC chain to\n"
          "GetClientLicensorCert (root or licensing cluster) and saves clc-chain.xml. Every chain\n"
          "received is verified before it is saved, to --anchor when given. unseal opens a RAC with\n"
          "the machine key (recovering the user key) or a CLC with the user key (recovering the\n"
          "CLC key), checks the recovered key is the one the certificate names, keeps it in\n"
          "CLIENT_DIR and prints its fingerprint.\n"
          "\n"
          "  --server URL     the cluster's base URL, e.g. http://127.0.0.1:8080/_wmcs\n"
          "  --token-file F   a file holding the bearer token of a `user` principal (default\n"
          "                   $XRCA_TOKEN; --token TOKEN works too, with a warning: argv is public)\n"
          "  --ca-file PEM    certificates to trust for https:// (default: the system's)\n"
          "  --anchor A       the root key to pin: a fingerprint or a <PUBLICKEY> file\n"
          "\n"
          "example:\n"
          "  xrca client init --dir alice\n"
          "  xrca client activate --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
          "  xrca client certify --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
          "  xrca client clc --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
          "  xrca client unseal --dir alice alice/rac-chain.xml\n"}},
        {"enroll",
         {cmd_enroll, "enroll this cluster online (Enroll or SubEnroll) and import the answer",
          "usage: xrca [--data DIR] enroll --server URL [--token-file FILE] [--ca-file PEM] [--renew [--new-key]]\n"
          "                              [--password-file FILE | --pin-file FILE]\n"
          "\n"
          "request, process and import in one online call: a root cluster sends Enroll to its\n"
          "enrollment service, a licensing cluster SubEnroll to its root cluster. The request is\n"
          "signed with the key being certified, exactly as a request file is; the chain returned\n"
          "is verified to the trust anchor given at init and installed as `xrca import` does.\n"
          "The token is that of an `enroll` (or `sub-enroll`) principal at the server: --token-file\n"
          "FILE or $XRCA_TOKEN (--token TOKEN works too, with a warning: argv is public).\n"
          "\n"
          "example:\n"
          "  xrca --data root enroll --server http://127.0.0.1:8081/_wmcs --token-file corp-root.token\n"}},
        {"log",
         {cmd_log, "print, export, verify or archive the enrollment log",
          "usage: xrca [--data DIR] log [--since TIME] [--json]\n"
          "       xrca [--data DIR] log --verify [--archive FILE]...\n"
          "       xrca [--data DIR] log archive --before TIME -o FILE [--password-file FILE | --pin-file FILE]\n"
          "       xrca log verify-archive FILE...\n"
          "\n"
          "Every request that reached the authority, accepted or refused. Entries are hash-chained:\n"
          "--verify exits 0 only when no entry was changed, removed or reordered (after an archive,\n"
          "from the archived checkpoint on). Printing and --json stream in constant memory; text\n"
          "output escapes control characters, --json is always valid UTF-8.\n"
          "\n"
          "archive moves the entries older than TIME (from the oldest up to the first that is not)\n"
          "into FILE, signed with the authority's key, and deletes them from the store once FILE is\n"
          "durably written; the archive is itself logged. FILE must not exist.\n"
          "verify-archive checks archives on their own (chain, SHA-256, signature) and that each\n"
          "continues the one before it; --verify --archive FILE... also checks that they were\n"
          "signed by this authority and that the last ends where the live log continues.\n"
          "Format and retention: docs/logging.md.\n"
          "TIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] in UTC, or an age: 30m, 24h, 7d.\n"
          "\n"
          "examples:\n"
          "  xrca --data root log --since 24h\n"
          "  xrca --data root log --since 2026-11-01T00:00 --json\n"
          "  xrca --data root log archive --before 2026-01-01T00:00 -o log-2025.jsonl\n"
          "  xrca --data root log --verify --archive log-2024.jsonl --archive log-2025.jsonl\n"}},
        {"request",
         {cmd_request, "write this cluster's enrollment request to a file",
          "usage: xrca [--data DIR] request -o REQUEST.xml [--renew [--new-key]] [--password-file FILE | --pin-file "
          "FILE]\n"
          "\n"
          "A root cluster writes an Enroll request for an enrollment service; a licensing cluster\n"
          "a SubEnroll request for its root cluster. The request carries the cluster's public key,\n"
          "GUID, name, URL, SKU, version, crypto mode and (root) revocation authorities, a random\n"
          "request ID, and a proof of possession signed by the key being certified. Format:\n"
          "docs/offline-files.md. --renew asks an active cluster's next SLC (same GUID); with\n"
          "--new-key, for a new key (the old SLC keeps working until the response is imported).\n"
          "\n"
          "example:\n"
          "  xrca --data root request -o root-request.xml\n"}},
        {"process",
         {cmd_process, "at the issuer: answer a request file with an SLC",
          "usage: xrca [--data DIR] process REQUEST.xml -o RESPONSE.xml [--yes] [--replace-cluster]\n"
          "                                 [--password-file FILE | --pin-file FILE]\n"
          "\n"
          "Reads the request strictly, shows who asks for what, and asks for confirmation (or\n"
          "--yes). An enrollment service answers Enroll requests; a root cluster SubEnroll\n"
          "requests. The proof of possession, crypto mode and fields are checked; the response\n"
          "holds the request ID and the chain, leaf first. Processing the same request again\n"
          "returns the same SLC.\n"
          "\n"
          "A cluster GUID this authority certified for another key is refused unless the request\n"
          "carries a renewal proof by that key (`request --renew --new-key` adds one), or\n"
          "--replace-cluster: the administrator replaces the cluster's key knowingly (logged).\n"
          "\n"
          "example:\n"
          "  xrca --data es process root-request.xml -o root-response.xml\n"}},
        {"import",
         {cmd_import, "install the SLC chain of a response file; the cluster becomes active",
          "usage: xrca [--data DIR] import RESPONSE.xml [--password-file FILE | --pin-file FILE]\n"
          "\n"
          "Verifies the whole chain to the trust anchor given at init (--trust-anchor), checks the\n"
          "SLC carries this cluster's key, GUID, URL and revocation authorities and answers its\n"
          "pending request, then stores it and activates the cluster in one transaction. A second\n"
          "import of the same response, or a response to another request, is refused.\n"
          "\n"
          "example:\n"
          "  xrca --data root import root-response.xml\n"}},
        {"migrate-store",
         {cmd_migrate_store, "copy an authority from a data directory into PostgreSQL",
          "usage: xrca migrate-store --from DIR [--to URI] [--json]\n"
          "\n"
          "Copies the authority kept in the data directory DIR, with its whole history\n"
          "(certificates issued, pending and abandoned, the enrollment log, principals and their\n"
          "grants, trust lists, revocations, exclusions, offline requests, escrowed user keys\n"
          "and the authority's keys), into an empty PostgreSQL store, in one transaction: the\n"
          "copy appears whole or not at all. Then it verifies the copied log's hash chain and\n"
          "compares the counts with the source. DIR is not changed. The keys stay encrypted\n"
          "under the same password (or stay in the same token): every node that opens the\n"
          "PostgreSQL store needs that password or PIN.\n"
          "\n"
          "Stop every xrca process that uses DIR first; afterwards point them at the new store\n"
          "(--store URI or $XRCA_STORE).\n"
          "\n"
          "  --from DIR  the data directory to copy\n"
          "  --to URI    the PostgreSQL store, e.g. postgresql:///rms?host=/run/postgresql\n"
          "              (default: the global --store, else $XRCA_STORE); its database must\n"
          "              exist; a password belongs in ~/.pgpass or $XRCA_STORE, not here\n"
          "  --json      the report as one JSON document\n"
          "\n"
          "Exit status: 0 copied and verified; 1 the target holds records already; 2 usage;\n"
          "3 no authority in DIR; 4 a storage error, or a check after the copy failed.\n"
          "\n"
          "example:\n"
          "  xrca migrate-store --from /var/lib/xrca --to 'postgresql:///rms?host=/run/postgresql'\n"}},
        {"backup",
         {cmd_backup, "write a consistent copy of the authority to one file, while it serves",
          "usage: xrca [--store DIR|URI] backup -o FILE [--json]\n"
          "\n"
          "Copies the whole authority — its keys (still encrypted under the key password, or\n"
          "references into its PKCS#11 token), escrowed user keys, chains, certificates, the\n"
          "enrollment log, principals, trust lists, revocations and exclusions — into FILE, a\n"
          "SQLite database in the store's own schema. A data directory is copied with SQLite's\n"
          "online backup from one snapshot, so `xrca serve` and other commands may go on writing;\n"
          "a PostgreSQL store is read table by table in one repeatable-read transaction. The copy\n"
          "is made beside FILE, checked, synced and renamed over it: FILE (mode 0600) is a whole\n"
          "backup or left as it was. Nothing in the store changes. Never copy xrca.db with cp: in\n"
          "WAL mode its latest commits may be in xrca.db-wal. Needs no password.\n"
          "What else to keep, how often, and how to restore: docs/backup.md.\n"
          "\n"
          "Exit status: 0 written and checked; 2 usage; 3 no authority in the store; 4 storage error.\n"
          "\n"
          "example:\n"
          "  xrca --data /var/lib/xrca backup -o /srv/backup/xrca-$(date +%F).db\n"}},
        {"restore",
         {cmd_restore, "rebuild an authority from a backup file in a new data directory or store",
          "usage: xrca --store DIR|URI restore FILE [--json]\n"
          "\n"
          "Checks that FILE is an xrca backup (a SQLite database that passes its integrity check,\n"
          "with a schema this xrca knows and an authority in it), copies it into DIR — which must be\n"
          "empty or not exist yet; anything else is refused and left untouched — brings it to this\n"
          "xrca's schema and verifies its log before the authority appears there, whole. A\n"
          "postgresql:// URI names an empty PostgreSQL store to restore into (as migrate-store\n"
          "copies). The keys stay encrypted under the key password they had (or in their token).\n"
          "Then `xrca log --verify` passes and issuance goes on from where the backup was taken.\n"
          "\n"
          "Exit status: 0 restored and verified; 1 FILE is not a usable backup, or the target is not\n"
          "empty; 2 usage; 4 storage error (or the backup's log does not verify).\n"
          "\n"
          "example:\n"
          "  xrca --store /var/lib/xrca-restored restore /srv/backup/xrca-2026-12-01.db\n"}},
        {"export-cluster-key",
         {cmd_export_cluster_key, "export the cluster key and SLC chain under a separate password",
          "usage: xrca [--data DIR] export-cluster-key -o FILE [--export-password-file FILE]\n"
          "                                          [--password-file FILE]\n"
          "\n"
          "The disaster-recovery export AD RMS calls the trusted publishing domain: the cluster\n"
          "key (and the key before the last renewal, if any), the SLC chain, the cluster's GUID,\n"
          "name, URL, crypto mode, trust anchor and revocation settings, in one file. The keys are\n"
          "encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA-512, AES-256) under the export password, and\n"
          "the whole file carries an HMAC under it, so a changed file is refused. The export\n"
          "password is not the key password: --export-password-file, else $XRCA_EXPORT_PASSWORD,\n"
          "else asked twice on a terminal (at least 8 characters). The key password opens the\n"
          "cluster key as for any signing command. Keys held in a PKCS#11 token cannot leave it:\n"
          "refused (back the token up with its own tools). Logged as ClusterKeyExport.\n"
          "Another installation takes the file in with `xrca init --from-key-export FILE`.\n"
          "\n"
          "example:\n"
          "  xrca --data /var/lib/xrca export-cluster-key -o corprights.tpd\n"}},
        {"principal",
         {cmd_principal, "manage who may call the online service",
          "usage: xrca [--data DIR] principal add NAME --role enroll|sub-enroll|server|user|admin [--email EMAIL]\n"
          "                                     [--user-id SID|GUID] [--may-certify PATTERN]... [--json]\n"
          "       xrca [--data DIR] principal list [--json]\n"
          "       xrca [--data DIR] principal remove NAME\n"
          "       xrca [--data DIR] principal grant|revoke-grant NAME PATTERN\n"
          "       xrca [--data DIR] principal bind NAME CLUSTER-GUID | unbind NAME\n"
          "\n"
          "add prints a new random bearer token once, alone on the last line ({\"token\": ...} with\n"
          "--json); only its SHA-256 is stored. Roles: enroll may call Enroll; sub-enroll SubEnroll;\n"
          "server ServerCertification; user may activate machines and certify, and its RAC is\n"
          "issued to its --email and --user-id: a Windows SID (S-1-5-21-…) for a directory user, or\n"
          "a GUID for a federated user; by default the GUID derived from --email.\n"
          "\n"
          "A server principal certifies its own user (its --user-id with its --email) and the users\n"
          "its grants match: PATTERN (`*` any run, `?` one character, case ignored) must match both\n"
          "the user ID and the email. A RAC carries the user's private key: a grant hands the\n"
          "server the keys of every user it matches. A sub-enroll principal is bound to the cluster\n"
          "GUID it first enrolled; bind and unbind change that.\n"
          "\n"
          "example:\n"
          "  xrca --data root principal add alice --role user --email alice@example.com\n"
          "  xrca --data root principal add portal --role server --may-certify 'S-1-5-21-7-*' \\\n"
          "       --may-certify '*@sales.example.com'\n"}},
        {"serve",
         {cmd_serve, "run the online SOAP service (HTTP or HTTPS)",
          "usage: xrca [--data DIR] serve [--listen 127.0.0.1:8080] [--threads N]\n"
          "                             [--tls-cert CERT.pem --tls-key KEY.pem] [--password-file FILE | --pin-file "
          "FILE]\n"
          "                             [--per-address-connections N] [--request-deadline SECONDS]\n"
          "                             [--anonymous-rate N] [--min-free-mb N] [--signing-engine NAME]\n"
          "                             [--clc-key-pool N] [--clc-key-threads N] [--warm-key-pool]\n"
          "                             [--admin-listen [ADDRESS:]PORT]\n"
          "\n"
          "Serves this authority's web services under /_wmcs until SIGINT or SIGTERM, then\n"
          "finishes the requests in flight. Listens on 127.0.0.1 unless told otherwise.\n"
          "  enrollment  Enroll (enrollment/enrollservice.asmx; `enroll` principals)\n"
          "  root        SubEnroll (`sub-enroll`), Activate and Certify (`user`), ServerCertification\n"
          "              (`server`), GetClientLicensorCert (`user`, own RAC only),\n"
          "              GetLicensorCertificate and service location (no token)\n"
          "  licensing   GetClientLicensorCert, GetLicensorCertificate, service location\n"
          "Callers send `Authorization: Bearer TOKEN` (see `xrca principal`). GET /healthz answers\n"
          "200 when the store is usable, the authority holds its chain and the data directory has\n"
          "free space (it is computed at most once a second, so polling it costs nothing); GET\n"
          "/metrics gives Prometheus text; GET on an .asmx path shows the service page, with ?wsdl\n"
          "its WSDL (which names the authority's configured URL).\n"
          "Requests without a token are rate-limited per source address (a SOAP fault, HTTP 503\n"
          "with Retry-After, when exceeded) and are counted in the enrollment log as one\n"
          "AnonymousTraffic entry per source and minute, not one entry each.\n"
          "Request bodies are limited to 1 MiB (413 above), request line and headers to 16 KiB;\n"
          "at most 256 connections.\n"
          "\n"
          "  --per-address-connections N  connections one source address may hold (default 64)\n"
          "  --request-deadline SECONDS   a whole request, headers and body, must arrive within\n"
          "                          this time however slowly its bytes trickle (default 20)\n"
          "  --anonymous-rate N      requests per second one source may send without a token,\n"
          "                          after a burst of 10 × N (default 20; 0: no limit)\n"
          "  --min-free-mb N         /healthz reports unhealthy below this free space (default 64)\n"
          "  --tls-cert, --tls-key   serve HTTPS with this PEM certificate (chain) and PEM key\n"
          "  --admin-listen [ADDRESS:]PORT  also serve the administrator's console under /admin/ on\n"
          "                          this listener (127.0.0.1 when only a port is given; HTTPS with\n"
          "                          --tls-cert); sign in with an `admin` principal's token\n"
          "  --threads N             worker threads (default 64: a request waits on the disk as\n"
          "                          well as on signing, so more threads than cores keep them busy)\n"
          "  --signing-engine NAME   libcrypto (default: OpenSSL, about 3 times as fast) or botan;\n"
          "                          signs with keys held in software (a PKCS#11 token signs its own)\n"
          "  --clc-key-pool N        fresh RSA keys kept ready for CLCs (default 16); each CLC takes\n"
          "                          one, and generating one costs ~0.1 s of a core\n"
          "  --clc-key-threads N     threads refilling that pool in the lulls (default 1)\n"
          "  --warm-key-pool         fill the pool before serving (start-up takes longer)\n"
          "\n"
          "example:\n"
          "  xrca --data root serve --listen 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem\n"}},
        {"revoke",
         {cmd_revoke, "record a revocation of something this authority issued",
          "usage: xrca [--data DIR] revoke (--id ID | --hash HEX | --hash-of CERT.xml | --issuer-key PUB.xml\n"
          "                              | --issuer-id ID | --principal-id ID | --principal-key PUB.xml\n"
          "                              | --content-id ID) [--reason TEXT] [--dry-run | --yes] [--json]\n"
          "       xrca [--data DIR] revoke --list [--json]\n"
          "\n"
          "Records one REVOKE entry (reference §5.2) for this authority's revocation list, and\n"
          "from then on refuses the revoked thing as input (Certify, GetClientLicensorCert,\n"
          "SubEnroll, Enroll). It takes effect for relying parties with the next list: the\n"
          "online service re-signs its published list at once; offline, run `revocation-list`.\n"
          "  --id ID            a certificate by its ID (DESCRIPTOR/OBJECT/ID)\n"
          "  --hash HEX         a certificate by the SHA-1 of its UTF-16LE BODY (40 hex digits)\n"
          "  --hash-of FILE     the same, computed from the first document of FILE\n"
          "  --issuer-key PUB   everything signed by that key (e.g. a licensing cluster's SLC key)\n"
          "  --issuer-id ID     everything issued by that issuer ID (e.g. a cluster GUID)\n"
          "  --principal-key PUB  a certified key (a user's RAC key, a machine key)\n"
          "  --principal-id ID  a user (RAC Group-Identity ID); any ID is accepted\n"
          "  --content-id ID    a piece of content; any ID is accepted\n"
          "What it names must have been issued or certified by this authority, except principal and\n"
          "content IDs. Revoking the same thing twice is refused. Every revocation is logged.\n"
          "A PUB file may be a certificate: its key. A revocation cannot be undone: --dry-run shows\n"
          "what it would record and which certificates issued here it names, and changes nothing;\n"
          "without --yes, revoke shows the same and asks on a terminal (off a terminal: exit 2).\n"
          "\n"
          "examples:\n"
          "  xrca --data root revoke --id '{4f1c...}' --dry-run\n"
          "  xrca --data root revoke --id '{4f1c...}' --reason 'laptop stolen' --yes\n"
          "  xrca --data root revoke --issuer-key licensing-slc.xml --reason 'cluster compromised' --yes\n"}},
        {"revocation-list",
         {cmd_revocation_list, "sign this authority's revocation list",
          "usage: xrca [--data DIR] revocation-list -o RL.xml [--valid-for DAYS] [--password-file FILE | --pin-file "
          "FILE]\n"
          "\n"
          "Signs a list of everything this authority revoked (`xrca revoke --list`) with the key\n"
          "that issues its certificates (a cluster's SLC key; an enrollment service's key), with\n"
          "ISSUEDTIME now and VALIDITYTIME for DAYS (default 7, at most 3650). Relying parties\n"
          "check it with `xrca verify --revocation-list`. `xrca serve` publishes the current list\n"
          "at BASE_URL/_wmcs/revocation/RevocationList.xml, re-signed daily and on every\n"
          "revocation. Logged as RL-Sign.\n"
          "\n"
          "example:\n"
          "  xrca --data root revocation-list -o rl.xml --valid-for 1\n"}},
        {"revocation-authority",
         {cmd_revocation_authority, "a custom revocation authority: its own key, lists signed offline",
          "usage: xrca revocation-authority new --dir RA_DIR [--name NAME] [--url URL] [--crypto-mode 2|1]\n"
          "                                     [--password-file FILE]\n"
          "       xrca revocation-authority sign --dir RA_DIR (--revoke-id ID | --revoke-hash HEX\n"
          "                 | --revoke-hash-of CERT.xml | --revoke-issuer-key PUB.xml | --revoke-issuer-id ID\n"
          "                 | --revoke-principal-id ID | --revoke-principal-key PUB.xml | --revoke-content-id ID)...\n"
          "                 -o RL.xml [--valid-for DAYS] [--password-file FILE]\n"
          "\n"
          "new creates a key apart from any cluster (encrypted under the key password) in RA_DIR and\n"
          "writes RA_DIR/revocation-authority.pub.xml: give it to `init --role root --revocation\n"
          "custom --revocation-authority`, and the SLC names it (reference §5.3). sign writes a list\n"
          "signed with that key; verifiers honour it for chains whose SLC names the authority, and\n"
          "ignore it (saying so) elsewhere. Each list signed is noted in RA_DIR/signed-lists.log.\n"
          "\n"
          "example:\n"
          "  xrca revocation-authority new --dir ra\n"
          "  xrca revocation-authority sign --dir ra --revoke-id '{SLC-ID}' -o ra-list.xml\n"}},
        {"exclusion",
         {cmd_exclusion, "refuse RAC keys or old machines at issuance (exclusion policies)",
          "usage: xrca [--data DIR] exclusion add (--rac-key PUB.xml | --min-spc-version VERSION) [--reason TEXT]\n"
          "       xrca [--data DIR] exclusion remove (--rac-key FINGERPRINT|PUB.xml | --min-spc-version)\n"
          "       xrca [--data DIR] exclusion list [--json]\n"
          "\n"
          "Exclusion (reference §5.5) stops this cluster issuing to what is excluded; unlike\n"
          "revocation it is not published. An excluded RAC key gets no CLC\n"
          "(DrmacIsExcludedException); a machine whose security processor version (SPC\n"
          "Repository level) is below the minimum gets no SPC or RAC (BlackBoxIsInvalidException).\n"
          "The version compared is the last word of the Repository value, which real SPCs\n"
          "write as prose (\"... secure repository 6.1.7600.16385\"); a value that does not end\n"
          "in a dotted version is refused.\n"
          "\n"
          "example:\n"
          "  xrca --data root exclusion add --min-spc-version 1.2.0.0 --reason 'old clients'\n"}},
        {"set-url",
         {cmd_set_url, "set or clear the extranet URL clients outside the organisation use",
          "usage: xrca [--data DIR] set-url --extranet BASE_URL|--no-extranet\n"
          "\n"
          "The extranet base URL (e.g. https://rms.example.com/_wmcs, as --url) is what service\n"
          "location answers for CertificationService and LicensingService, and RACs and CLCs\n"
          "issued from then on carry it as their Extranet-Activation and Extranet-License-\n"
          "Acquisition-URL distribution points; a `serve` already running answers it at its next\n"
          "request. --no-extranet clears it: clients outside are then given the base URL. Logged.\n"
          "\n"
          "example:\n"
          "  xrca --data root set-url --extranet https://rms.example.com/_wmcs\n"}},
        {"decommission",
         {cmd_decommission, "stop issuing for good; keep serving the revocation list",
          "usage: xrca [--data DIR] decommission [--yes]\n"
          "\n"
          "The authority refuses every issuance and GetLicensorCertificate from then on with\n"
          "ClusterDecommissionedException, also in a `serve` already running; the published\n"
          "revocation list stays available, and what it issued can still be verified (each\n"
          "certificate carries its chain) or revoked. Asks for confirmation on a terminal;\n"
          "elsewhere --yes is required. It cannot be undone.\n"
          "\n"
          "example:\n"
          "  xrca --data old-cluster decommission --yes\n"}},
        {"show",
         {cmd_show, "print what XrML documents say",
          "usage: xrca show FILE [--json]\n"
          "\n"
          "Prints each document of FILE in order: kind, ID, times, issuer and principal with\n"
          "their key fingerprints, and the digest algorithm. Nothing is verified: use\n"
          "`xrca verify` for that.\n"
          "\n"
          "  --json   {\"documents\": [ … ]}, one object per document in file order\n"
          "\n"
          "example:\n"
          "  xrca show rac-chain.xml --json\n"}},
    };
    return table;
}

void print_usage(std::ostream& out) {
    out << "xrca — an RMS-style certificate hierarchy and registration authority\n"
           "\n"
           "usage: xrca [--store LOCATOR] COMMAND [OPTIONS]\n"
           "       xrca COMMAND --help\n"
           "\n"
           "  --store LOCATOR  where the authority is kept (default $XRCA_STORE, else $XRCA_DATA,\n"
           "                   else ./xrca-data):\n"
           "                   a data directory (SQLite, one node), or a PostgreSQL URI in libpq's\n"
           "                   syntax for a cluster of nodes on one database, e.g.\n"
           "                   postgresql://xrca@db.example.com/rms or postgresql:///rms?host=/run/postgresql\n"
           "                   A password belongs in ~/.pgpass (or PGPASSFILE), or in $XRCA_STORE,\n"
           "                   never on the command line.\n"
           "  --data DIR       the same as --store DIR (its older name)\n"
           "\n"
           "Commands that sign take the key password (--password-file, $XRCA_KEY_PASSWORD or a prompt)\n"
           "or, when the authority's keys are in a PKCS#11 token, its PIN (--pin-file,\n"
           "$XRCA_PKCS11_PIN or a prompt); never on the command line itself.\n"
           "\n"
           "commands:\n";
    for (const auto& [name, cmd] : commands())
        out << "  " << name << std::string(name.size() < 22 ? 22 - name.size() : 1, ' ') << cmd.summary << '\n';
    out << "\nexit status: 0 ok; 1 checked and refused; 2 usage; 3 wrong state or not found;\n"
           "             4 storage or I/O error; 5 internal error\n";
}

/**
 * The store the command works on: --store LOCATOR (or its older name --data DIR), else
 * $XRCA_STORE, else $XRCA_DATA, else ./xrca-data. A password may come in $XRCA_STORE, never on
 * the command line, where every user of the machine can read it.
 */
class StoreChoice {
public:
    StoreChoice() {
        for (const char* name : {"XRCA_STORE", "XRCA_DATA"}) {
            const char* env = std::getenv(name);
            if (env && *env) {
                m_locator = env;
                return;
            }
        }
    }
    void take(const std::string& option, const std::string& locator) {
        if (!m_given_as.empty() && m_given_as != option + locator)
            throw Error(ErrorKind::Usage, "the store is given twice (--store and --data name the same thing)");
        if (locator.empty()) throw Error(ErrorKind::Usage, option + " needs a data directory or a postgresql:// URI");
        refuse_password_on_argv(option, locator);
        m_given_as = option + locator;
        m_locator = locator;
    }
    [[nodiscard]] const std::string& locator() const { return m_locator; }

private:
    std::string m_locator = "./xrca-data";
    std::string m_given_as;
};

int run(int argc, char** argv) {
    std::vector<std::string> rest(argv + 1, argv + argc);
    Args global(rest);
    // Global options before the command (and, below, after it).
    StoreChoice store;
    std::size_t i = 0;
    while (i < rest.size() && rest[i].rfind("--", 0) == 0) {
        const auto equals = rest[i].find('=');
        const auto option = rest[i].substr(0, equals);
        if (option == "--store" || option == "--data") {
            if (equals != std::string::npos) {
                store.take(option, rest[i].substr(equals + 1));
                ++i;
            } else {
                if (i + 1 >= rest.size()) throw Error(ErrorKind::Usage, option + " needs a value");
                store.take(option, rest[i + 1]);
                i += 2;
            }
        } else if (rest[i] == "--help" || rest[i] == "-h") {
            print_usage(std::cout);
            return k_exit_ok;
        } else if (rest[i] == "--version") {
            std::cout << "xrca 0.1.0\n";
            return k_exit_ok;
        } else {
            throw Error(ErrorKind::Usage, "unknown global option " + rest[i] + " (see xrca --help)");
        }
    }
    if (i >= rest.size()) {
        print_usage(std::cerr);
        return k_exit_usage;
    }
    const std::string name = rest[i];
    const auto it = commands().find(name);
    if (it == commands().end()) throw Error(ErrorKind::Usage, "unknown command '" + name + "' (see xrca --help)");
    Args args(std::vector<std::string>(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end()));
    if (args.flag("--help") || args.flag("-h")) {
        std::cout << it->second.help;
        return k_exit_ok;
    }
    // Global options may also follow the command, where people put them; and a password or
    // PIN file is accepted by every command, used by those that open keys.
    for (const char* option : {"--store", "--data"}) {
        for (const auto& locator : args.options(option)) store.take(option, locator);
    }
    args.tolerate({"--password-file", "--pin-file"});
    Context ctx{store.locator(), std::cout, std::cerr};
    return it->second.run(ctx, args);
}

}  // namespace
}  // namespace xrca::cli

namespace {

/** Prints an error for a person: its text may quote untrusted input (a path, a document), so escaped. */
int report(const char* prefix, const std::exception& e, int exit_code) {
    std::cerr << "xrca: " << prefix << xrca::text::printable(e.what()) << '\n';
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace xrca;
    // Before anything is read: no core dump may hold the password or a key, and the password
    // leaves the environment at once (docs/key-protection.md).
    for (const auto& failure : cli::keep_secrets_out_of_dumps())
        std::cerr << "xrca: warning: secrets may reach a core dump: " << failure << '\n';
    cli::take_password_from_environment();
    try {
        return cli::run(argc, argv);
    } catch (const Error& e) {
        report("", e, 0);
        if (e.kind() == ErrorKind::Usage) std::cerr << "(see xrca --help)\n";
        return cli::exit_code_for(e.kind());
    } catch (const xrml::FormatError& e) {
        return report("", e, cli::k_exit_refused);
    } catch (const store::ConflictError& e) {
        // Reads of the store outside an operation (status, lists) reach here unmapped.
        return report("", e, cli::exit_code_for(ErrorKind::Conflict));
    } catch (const store::StorageError& e) {
        return report("", e, cli::exit_code_for(ErrorKind::Storage));
    } catch (const std::exception& e) {
        return report("internal error: ", e, cli::k_exit_internal);
    }
}
