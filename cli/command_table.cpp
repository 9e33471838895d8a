// Every xrca command: its forms and options, declared once beside the prose of its help
// (cli/options.h). To add an option, declare it in the command's form here and read it with
// Args in the command's code: the usage lines, the option list of --help and the bash
// completion follow, and reading an option that is not declared here is an internal error.
#include "cli/command_table.h"

#include "cli/commands.h"

#include <algorithm>

namespace xrca::cli {
namespace {

std::vector<Option> joined(std::vector<Option> first, const std::vector<Option>& then) {
    first.insert(first.end(), then.begin(), then.end());
    return first;
}

Option json_output() { return flag("--json", "one JSON document on stdout"); }

// Read by shared code (cli/password.cpp, cli/session.cpp, cli/remote.cpp, cli/key_custody.cpp):
// every command whose code reaches it declares it, so its help says so.
Option password_file() {
    return value("--password-file", "FILE", "the key password, read from FILE (else $XRCA_KEY_PASSWORD, else a prompt)")
        .among("secret");
}

Option pin_file() {
    return value("--pin-file", "FILE",
                 "the user PIN of the PKCS#11 token holding the keys (else $XRCA_PKCS11_PIN, else a prompt)")
        .among("secret");
}

/** What opening an authority's keys reads (open_session). */
std::vector<Option> key_options() {
    return {password_file(), pin_file(),
            choice("--signing-engine", "libcrypto|botan",
                   "libcrypto (default: OpenSSL, about 3 times as fast) or botan; signs with keys held in "
                   "software (a PKCS#11 token signs its own)")};
}

/** What calling a server reads (client_options). */
std::vector<Option> remote_options(const std::string& whose_token) {
    return {value("--server", "URL", "the cluster's base URL, e.g. http://127.0.0.1:8080/_wmcs").needed(),
            value("--token-file", "FILE",
                  "a file holding the bearer token of " + whose_token + " principal (default $XRCA_TOKEN)")
                .among("token"),
            value("--token", "TOKEN", "the bearer token itself: works, with a warning (argv is public)").among("token"),
            value("--ca-file", "PEM", "certificates to trust for https:// (default: the system's)"),
            value("--timeout", "SECONDS", "how long to wait for the server, 1 to 9999 (default 60)")};
}

/** What a revocation can name (revoke, revocation-authority sign): `prefix` + id, hash, … */
std::vector<Option> revocation_selectors(const std::string& prefix, bool repeatable) {
    std::vector<Option> out = {
        value(prefix + "id", "ID", "a certificate by its ID (DESCRIPTOR/OBJECT/ID)"),
        value(prefix + "hash", "HEX", "a certificate by the SHA-1 of its UTF-16LE BODY (40 hex digits)"),
        value(prefix + "hash-of", "CERT.xml", "the same, computed from the first document of the file"),
        value(prefix + "issuer-key", "PUB.xml",
              "everything signed by that key (e.g. a licensing cluster's SLC key); a certificate stands for its key"),
        value(prefix + "issuer-id", "ID", "everything issued by that issuer ID (e.g. a cluster GUID)"),
        value(prefix + "principal-id", "ID", "a user (RAC Group-Identity ID); any ID is accepted"),
        value(prefix + "principal-key", "PUB.xml", "a certified key (a user's RAC key, a machine key)"),
        value(prefix + "content-id", "ID", "a piece of content; any ID is accepted"),
    };
    for (auto& o : out) {
        o = o.among("what").needed();
        if (repeatable) o = o.many();
    }
    return out;
}

CommandSpec verify_command() {
    return {"verify",
            cmd_verify,
            "verify the signatures and chains of XrML files",
            {{"",
              "FILE...",
              {value("--anchor", "FINGERPRINT|ANCHOR.pub.xml",
                     "the trust anchor: a 64-digit SHA-256 key fingerprint, or a file holding a <PUBLICKEY> element"),
               value("--at", "TIME", "evaluate validity at TIME (YYYY-MM-DDTHH:MM, UTC) instead of now"),
               value("--revocation-list", "RL.xml",
                     "honour a signed revocation list: it counts for a document when signed by its issuer or an "
                     "issuer above it, or by a revocation authority its SLC names; a chain with anything revoked fails")
                   .many(),
               value("--max-age", "DURATION", "ignore lists issued longer than DURATION ago (7d, 12h, 30m, 90s)"),
               json_output()},
              StoreUse::None}},
            "Checks every document's signature against its ISSUER key, builds each leaf's chain\n"
            "from all the documents given (a file may hold several, leaf first), and checks the\n"
            "links, the ISSUE rights, the time rules and, with --anchor, that the chain ends at\n"
            "the pinned root key. Without --anchor the topmost issuer key is reported and trust\n"
            "is NOT established.\n",
            "Exit status: 0 verified; 1 a signature, link, time or anchor check failed, or the\n"
            "input is not valid XrML; 2 usage; 4 a file could not be read.\n"
            "\n"
            "example:\n"
            "  xrca verify chain.xml --anchor 25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d \\\n"
            "              --at 2015-04-02T00:00\n"};
}

CommandSpec show_command() {
    return {"show",
            cmd_show,
            "print what XrML documents say",
            {{"",
              "FILE",
              {flag("--json", "{\"documents\": [ … ]}, one object per document in file order")},
              StoreUse::None}},
            "Prints each document of FILE in order: kind, ID, times, issuer and principal with\n"
            "their key fingerprints, and the digest algorithm. Nothing is verified: use\n"
            "`xrca verify` for that.\n",
            "example:\n"
            "  xrca show rac-chain.xml --json\n"};
}

CommandSpec init_command() {
    const auto password = value("--password-file", "FILE",
                                "the new key password, read from FILE (else $XRCA_KEY_PASSWORD, else asked twice)");
    return {
        "init",
        cmd_init,
        "provision an authority in the data directory",
        {{"",
          "",
          {choice("--role", "enrollment|root|licensing", "what the authority is (below)").needed(),
           value("--name", "NAME", "the authority's name").needed(),
           value("--url", "BASE_URL", "the cluster's base URL, e.g. https://rms.example.com/_wmcs"),
           value("--extranet-url", "BASE_URL",
                 "the base URL clients outside the organisation use (`xrca set-url` changes it later)"),
           choice("--crypto-mode", "2|1", "2: RSA-2048/SHA-256 (default); 1: RSA-1024/SHA-1 for legacy clients"),
           flag("--self-enroll", "root: also create a private enrollment hierarchy and sign the first SLC at once"),
           choice("--revocation", "standard|custom",
                  "custom: the SLC names the revocation authorities given (default standard)"),
           value("--revocation-authority", "RA.pub.xml",
                 "a custom revocation authority's key (`xrca revocation-authority new`)")
               .many(),
           value("--trust-anchor", "FINGERPRINT|ANCHOR.pub.xml",
                 "the key the SLC chain must verify to at import (`xrca anchor --set` gives it later)"),
           password,
           choice("--key-store", "software|pkcs11",
                  "where the keys are generated: software (default, encrypted under the key password) or "
                  "a PKCS#11 token"),
           value("--pkcs11-module", "MODULE.so", "with --key-store pkcs11: the token's PKCS#11 module"),
           value("--pkcs11-token", "LABEL", "with --key-store pkcs11: the token's label"),
           value("--pin-file", "FILE",
                 "with --key-store pkcs11: the token's user PIN, read from FILE (else $XRCA_PKCS11_PIN, "
                 "else a prompt)")}},
         {"",
          "",
          {value("--from-key-export", "FILE", "recreate the cluster of an `xrca export-cluster-key` file").needed(),
           value("--export-password-file", "FILE",
                 "the export password, read from FILE (else $XRCA_EXPORT_PASSWORD, else a prompt)"),
           password}}},
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
        "installation's key password; it is active at once on the same SLC (docs/backup.md).\n",
        "examples:\n"
        "  xrca --data es init --role enrollment --name \"Example Enrollment\"\n"
        "  xrca --data root init --role root --name CorpRights --url https://rms.example.com/_wmcs --self-enroll\n"
        "  xrca --data root init --role root --name CorpRights --url https://rms.example.com/_wmcs --self-enroll \\\n"
        "       --key-store pkcs11 --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token xrca\n"};
}

CommandSpec anchor_command() {
    return {"anchor",
            cmd_anchor,
            "print or save the trust anchor relying parties pin",
            {{"",
              "",
              {value("-o", "FILE", "write the <PUBLICKEY> element to FILE (default: standard output)"),
               flag("--fingerprint", "print only the anchor's SHA-256 key fingerprint")}},
             {"",
              "",
              {value("--set", "ANCHOR.pub.xml|FINGERPRINT",
                     "give a cluster that awaits its SLC the anchor its chain must verify to")
                   .needed()}}},
            "For an enrollment service: its root public key. For a cluster: the anchor it trusts.\n"
            "Written as a <PUBLICKEY> element, the form `verify --anchor` and `init --trust-anchor` read.\n"
            "--set gives a root or licensing cluster initialised without --trust-anchor the anchor its\n"
            "SLC chain must verify to at import (or replaces a wrong one); only while it awaits its\n"
            "response, and logged.\n",
            "examples:\n"
            "  xrca --data es anchor -o anchor.pub.xml\n"
            "  xrca --data root anchor --set anchor.pub.xml\n"};
}

CommandSpec status_command() {
    return {"status",
            cmd_status,
            "show the authority's role, state, certificate and counts",
            {{"", "", {json_output()}}},
            "States: active, awaiting-response (a cluster waiting for its SLC), decommissioned.\n"
            "Lists where each key lives: software (encrypted in the database), or a PKCS#11 token\n"
            "and the object's label in it. Needs no password or PIN.\n",
            "example:\n"
            "  xrca --data root status --json\n"};
}

CommandSpec chain_command() {
    return {"chain",
            cmd_chain,
            "write this authority's own chain, leaf first",
            {{"", "", {value("-o", "FILE", "write the chain to FILE (default: standard output)")}}},
            "",
            "example:\n"
            "  xrca --data root chain -o slc-chain.xml\n"};
}

CommandSpec trust_command() {
    return {"trust",
            cmd_trust,
            "manage the SPC and RAC issuers this authority accepts",
            {{"add",
              "",
              {value("--spc-issuer", "PUB.xml", "accept machine certificates (SPCs) signed by this key")
                   .among("purpose")
                   .needed(),
               value("--rac-issuer", "PUB.xml", "accept RACs signed by this key").among("purpose").needed(),
               value("--label", "TEXT", "a note kept with the entry")}},
             {"list", "", {json_output()}},
             {"remove", "FINGERPRINT", {}}},
            "A root cluster trusts its own activation issuer for machine certificates and its own SLC\n"
            "for RACs without being told; a licensing cluster trusts its root's SLC for RACs.\n"
            "A PUB.xml file may be a certificate: its key.\n",
            "example:\n"
            "  xrca --data root trust add --rac-issuer other-cluster-slc.pub.xml --label \"Contoso users\"\n"};
}

CommandSpec set_url_command() {
    return {"set-url",
            cmd_set_url,
            "set or clear the extranet URL clients outside the organisation use",
            {{"",
              "",
              {value("--extranet", "BASE_URL", "the extranet base URL, e.g. https://rms.example.com/_wmcs")
                   .among("url")
                   .needed(),
               flag("--no-extranet", "clear it: clients outside are then given the base URL").among("url").needed()}}},
            "The extranet base URL (e.g. https://rms.example.com/_wmcs, as --url) is what service\n"
            "location answers for CertificationService and LicensingService, and RACs and CLCs\n"
            "issued from then on carry it as their Extranet-Activation and Extranet-License-\n"
            "Acquisition-URL distribution points; a `serve` already running answers it at its next\n"
            "request. --no-extranet clears it: clients outside are then given the base URL. Logged.\n",
            "example:\n"
            "  xrca --data root set-url --extranet https://rms.example.com/_wmcs\n"};
}

CommandSpec export_key_command() {
    return {"export-key",
            cmd_export_key,
            "write the public key of a certificate as a <PUBLICKEY> file",
            {{"",
              "CERT.xml",
              {flag("--issuer", "the key that signed the certificate instead of the key it was issued to"),
               value("-o", "PUB.xml", "where to write the key (-o - writes to stdout)").needed()},
              StoreUse::None}},
            "Writes the key the certificate was issued to (ISSUEDPRINCIPALS), or with --issuer the\n"
            "key that signed it, as the <PUBLICKEY> file that trust add, revoke --issuer-key and\n"
            "--principal-key, and exclusion add --rac-key take. Those commands also take the\n"
            "certificate itself (its own key), so this is for handing a key to someone else.\n"
            "CERT.xml may be a chain: its first document is used. -o - writes to stdout.\n",
            "example:\n"
            "  xrca export-key other-cluster-slc.xml -o other-cluster.pub.xml\n"};
}

CommandSpec certs_command() {
    return {
        "certs",
        cmd_certs,
        "list and show the certificates this authority issued",
        {{"list",
          "",
          {choice("--kind", "machine|rac|clc|slc|activation-issuer", "only certificates of this kind (spc: machine)"),
           value("--user", "ID", "only those issued to this user ID (the same filter as --subject)"),
           value("--subject", "ID", "only those whose subject is ID (user, machine or cluster)"),
           value("--machine", "ID", "only RACs sealed to this machine"),
           value("--since", "TIME", "only those issued at or after TIME"),
           value("--until", "TIME", "only those issued before TIME"),
           flag("--revoked", "only those a revocation recorded here names").among("revoked"),
           flag("--not-revoked", "only those no revocation recorded here names").among("revoked"),
           choice("--status", "issued|pending|abandoned|all", "which issuances to list (default issued)"),
           value("--limit", "N", "at most N rows (default 100, at most 1000)"), json_output()}},
         {"show",
          "ID",
          {json_output(), value("-o", "FILE", "write the certificate's document to FILE (-o - to stdout, alone)")}}},
        "list prints the newest first, at most --limit (default 100, at most 1000) rows: ID, kind,\n"
        "issue time, subject (the user ID of a RAC or CLC, the machine ID of a machine certificate,\n"
        "the GUID of an SLC), the machine a RAC was sealed to, and REVOKED when a revocation recorded\n"
        "here names the certificate, its subject, its key or its issuer's key. Every filter given\n"
        "must match; IDs compare ignoring case. TIME is YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC) or an\n"
        "age such as 24h or 7d; --until is exclusive. Only issued certificates unless --status says.\n"
        "show prints one certificate's fields and whether its signature verifies; -o FILE writes\n"
        "its document (-o - to stdout, alone). Certificates issued before schema 10 have no machine.\n",
        "examples:\n"
        "  xrca --data root certs list --kind rac --user S-1-5-21-1004336348-1177238915-682003330-1001\n"
        "  xrca --data root certs list --machine '{0b5c…}' --since 7d --json\n"
        "  xrca --data root certs show '{6f1e…}' -o rac.xml\n"};
}

CommandSpec issue_command() {
    return {
        "issue",
        cmd_issue,
        "issue a machine certificate, RAC or CLC at the authority",
        {{"machine", "",
          joined({value("--public-key", "MACHINE.pub.xml", "the machine's public key").needed(),
                  value("--hid-digest", "BASE64", "the hardware ID digest the certificate carries"),
                  value("-o", "SPC-CHAIN.xml", "where to write the chain (-o - writes to stdout)").needed()},
                 key_options())},
         {"rac", "",
          joined(
              {value("--spc-chain", "SPC-CHAIN.xml", "the machine certificate chain the RAC is sealed to").needed(),
               value("--email", "EMAIL", "the user's email address").needed(),
               value("--user-id", "SID|GUID", "the user's Windows SID or GUID (default: a GUID derived from --email)"),
               flag("--temporary", "a RAC valid for 15 minutes instead of 365 days"),
               value("-o", "RAC-CHAIN.xml", "where to write the chain (-o - writes to stdout)").needed()},
              key_options())},
         {"clc", "",
          joined({value("--rac-chain", "RAC-CHAIN.xml", "the RAC chain the CLC is issued for").needed(),
                  value("-o", "CLC-CHAIN.xml", "where to write the chain (-o - writes to stdout)").needed()},
                 key_options())}},
        "Needs the key password (or, for keys in a token, its PIN: --pin-file, $XRCA_PKCS11_PIN).\n"
        "Every request, issued or refused, is in the enrollment log.\n"
        "A RAC (365 days, or 15 minutes with --temporary) carries the user's escrowed key sealed\n"
        "to the machine key; a CLC carries a fresh key sealed to the RAC key. -o - writes to stdout.\n"
        "A RAC names a directory user by its Windows SID (--user-id S-1-5-21-…) and a federated user\n"
        "by a GUID: --user-id GUID, or by default one derived from --email (the same on every run).\n",
        "example:\n"
        "  xrca --data root issue rac --spc-chain spc.xml --email alice@example.com -o rac.xml\n"};
}

CommandSpec client_command() {
    const auto dir = value("--dir", "CLIENT_DIR", "the client's directory: its machine key and chains").needed();
    const auto anchor =
        value("--anchor", "FINGERPRINT|ANCHOR.pub.xml", "the root key to pin: a fingerprint or a <PUBLICKEY> file");
    const auto password = value("--password-file", "FILE",
                                "the machine key's password, read from FILE (else $XRCA_KEY_PASSWORD, else a prompt)");
    const auto remote = remote_options("a `user`");
    return {"client",
            cmd_client,
            "the client side: machine key, activation, RAC, CLC, unsealing",
            {{"init",
              "",
              {dir, choice("--bits", "2048|1024", "the machine key's size (default 2048)"), password},
              StoreUse::None},
             {"activate", "", joined(joined({dir}, remote), {anchor, password}), StoreUse::None},
             {"certify", "", joined(joined({dir}, remote), {flag("--temporary", "ask for a short-lived RAC"), anchor}),
              StoreUse::None},
             {"clc", "", joined(joined({dir}, remote), {anchor}), StoreUse::None},
             {"unseal", "CHAIN.xml", {dir, password}, StoreUse::None}},
            "init creates a machine key pair (private half encrypted under the key password) and\n"
            "writes CLIENT_DIR/machine.pub.xml. activate sends the machine public key with a proof\n"
            "that it holds the private key to the root cluster's Activation service and saves the\n"
            "SPC chain as CLIENT_DIR/spc-chain.xml; certify sends that chain to Certify and saves the\n"
            "RAC chain as rac-chain.xml (--temporary: a short-lived RAC); clc sends the RAC chain to\n"
            "GetClientLicensorCert (root or licensing cluster) and saves clc-chain.xml. Every chain\n"
            "received is verified before it is saved, to --anchor when given. unseal opens a RAC with\n"
            "the machine key (recovering the user key) or a CLC with the user key (recovering the\n"
            "CLC key), checks the recovered key is the one the certificate names, keeps it in\n"
            "CLIENT_DIR and prints its fingerprint.\n",
            "example:\n"
            "  xrca client init --dir alice\n"
            "  xrca client activate --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
            "  xrca client certify --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
            "  xrca client clc --dir alice --server http://127.0.0.1:8080/_wmcs --token-file alice.token\n"
            "  xrca client unseal --dir alice alice/rac-chain.xml\n"};
}

CommandSpec enroll_command() {
    return {"enroll",
            cmd_enroll,
            "enroll this cluster online (Enroll or SubEnroll) and import the answer",
            {{"", "",
              joined(joined(remote_options("an `enroll` (or `sub-enroll`)"),
                            {flag("--renew", "ask an active cluster's next SLC (same GUID)"),
                             flag("--new-key", "with --renew: for a new key")}),
                     key_options())}},
            "request, process and import in one online call: a root cluster sends Enroll to its\n"
            "enrollment service, a licensing cluster SubEnroll to its root cluster. The request is\n"
            "signed with the key being certified, exactly as a request file is; the chain returned\n"
            "is verified to the trust anchor given at init and installed as `xrca import` does.\n"
            "The token is that of an `enroll` (or `sub-enroll`) principal at the server: --token-file\n"
            "FILE or $XRCA_TOKEN (--token TOKEN works too, with a warning: argv is public).\n",
            "example:\n"
            "  xrca --data root enroll --server http://127.0.0.1:8081/_wmcs --token-file corp-root.token\n"};
}

CommandSpec log_command() {
    return {"log",
            cmd_log,
            "print, export, verify or archive the enrollment log",
            {{"", "", {value("--since", "TIME", "only entries from TIME on"), json_output()}},
             {"",
              "",
              {flag("--verify", "check the hash chain: exit 0 only when no entry was changed, removed or reordered")
                   .needed(),
               value("--archive", "FILE", "with --verify: also check this archive (oldest first)").many()}},
             {"archive", "",
              joined({value("--before", "TIME", "move the entries older than TIME").needed(),
                      value("-o", "FILE", "the archive to write; it must not exist").needed()},
                     key_options())},
             {"verify-archive", "FILE...", {}, StoreUse::None}},
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
            "TIME is YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] in UTC, or an age: 30m, 24h, 7d.\n",
            "examples:\n"
            "  xrca --data root log --since 24h\n"
            "  xrca --data root log --since 2026-11-01T00:00 --json\n"
            "  xrca --data root log archive --before 2026-01-01T00:00 -o log-2025.jsonl\n"
            "  xrca --data root log --verify --archive log-2024.jsonl --archive log-2025.jsonl\n"};
}

CommandSpec request_command() {
    return {"request",
            cmd_request,
            "write this cluster's enrollment request to a file",
            {{"", "",
              joined({value("-o", "REQUEST.xml", "where to write the request").needed(),
                      flag("--renew", "ask an active cluster's next SLC (same GUID)"),
                      flag("--new-key",
                           "with --renew: for a new key (the old SLC works until the response is "
                           "imported)")},
                     key_options())}},
            "A root cluster writes an Enroll request for an enrollment service; a licensing cluster\n"
            "a SubEnroll request for its root cluster. The request carries the cluster's public key,\n"
            "GUID, name, URL, SKU, version, crypto mode and (root) revocation authorities, a random\n"
            "request ID, and a proof of possession signed by the key being certified. Format:\n"
            "docs/offline-files.md. --renew asks an active cluster's next SLC (same GUID); with\n"
            "--new-key, for a new key (the old SLC keeps working until the response is imported).\n",
            "example:\n"
            "  xrca --data root request -o root-request.xml\n"};
}

CommandSpec process_command() {
    return {"process",
            cmd_process,
            "at the issuer: answer a request file with an SLC",
            {{"", "REQUEST.xml",
              joined({value("-o", "RESPONSE.xml", "where to write the response").needed(),
                      flag("--yes", "answer without asking for confirmation"),
                      flag("--replace-cluster", "certify a new key for a cluster GUID certified before (logged)")},
                     key_options())}},
            "Reads the request strictly, shows who asks for what, and asks for confirmation (or\n"
            "--yes). An enrollment service answers Enroll requests; a root cluster SubEnroll\n"
            "requests. The proof of possession, crypto mode and fields are checked; the response\n"
            "holds the request ID and the chain, leaf first. Processing the same request again\n"
            "returns the same SLC.\n"
            "\n"
            "A cluster GUID this authority certified for another key is refused unless the request\n"
            "carries a renewal proof by that key (`request --renew --new-key` adds one), or\n"
            "--replace-cluster: the administrator replaces the cluster's key knowingly (logged).\n",
            "example:\n"
            "  xrca --data es process root-request.xml -o root-response.xml\n"};
}

CommandSpec import_command() {
    return {"import",
            cmd_import,
            "install the SLC chain of a response file; the cluster becomes active",
            {{"", "RESPONSE.xml", key_options()}},
            "Verifies the whole chain to the trust anchor given at init (--trust-anchor), checks the\n"
            "SLC carries this cluster's key, GUID, URL and revocation authorities and answers its\n"
            "pending request, then stores it and activates the cluster in one transaction. A second\n"
            "import of the same response, or a response to another request, is refused.\n",
            "example:\n"
            "  xrca --data root import root-response.xml\n"};
}

CommandSpec migrate_store_command() {
    return {"migrate-store",
            cmd_migrate_store,
            "copy an authority from a data directory into PostgreSQL",
            {{"",
              "",
              {value("--from", "DIR", "the data directory to copy").needed(),
               value("--to", "URI",
                     "the PostgreSQL store, e.g. postgresql:///rms?host=/run/postgresql (default: the global "
                     "--store, else $XRCA_STORE); its database must exist; a password belongs in ~/.pgpass or "
                     "$XRCA_STORE, not here"),
               flag("--json", "the report as one JSON document")},
              StoreUse::None}},
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
            "(--store URI or $XRCA_STORE).\n",
            "Exit status: 0 copied and verified; 1 the target holds records already; 2 usage;\n"
            "3 no authority in DIR; 4 a storage error, or a check after the copy failed.\n"
            "\n"
            "example:\n"
            "  xrca migrate-store --from /var/lib/xrca --to 'postgresql:///rms?host=/run/postgresql'\n"};
}

CommandSpec backup_command() {
    return {"backup",
            cmd_backup,
            "write a consistent copy of the authority to one file, while it serves",
            {{"",
              "",
              {value("-o", "FILE", "the backup file to write (mode 0600)").needed(),
               flag("--json", "the report as one JSON document")},
              StoreUse::Any}},
            "Copies the whole authority — its keys (still encrypted under the key password, or\n"
            "references into its PKCS#11 token), escrowed user keys, chains, certificates, the\n"
            "enrollment log, principals, trust lists, revocations and exclusions — into FILE, a\n"
            "SQLite database in the store's own schema. A data directory is copied with SQLite's\n"
            "online backup from one snapshot, so `xrca serve` and other commands may go on writing;\n"
            "a PostgreSQL store is read table by table in one repeatable-read transaction. The copy\n"
            "is made beside FILE, checked, synced and renamed over it: FILE (mode 0600) is a whole\n"
            "backup or left as it was. Nothing in the store changes. Never copy xrca.db with cp: in\n"
            "WAL mode its latest commits may be in xrca.db-wal. Needs no password.\n"
            "What else to keep, how often, and how to restore: docs/backup.md.\n",
            "Exit status: 0 written and checked; 2 usage; 3 no authority in the store; 4 storage error.\n"
            "\n"
            "example:\n"
            "  xrca --data /var/lib/xrca backup -o /srv/backup/xrca-$(date +%F).db\n"};
}

CommandSpec restore_command() {
    return {"restore",
            cmd_restore,
            "rebuild an authority from a backup file in a new data directory or store",
            {{"", "FILE", {flag("--json", "the report as one JSON document")}, StoreUse::Required}},
            "Checks that FILE is an xrca backup (a SQLite database that passes its integrity check,\n"
            "with a schema this xrca knows and an authority in it), copies it into DIR — which must be\n"
            "empty or not exist yet; anything else is refused and left untouched — brings it to this\n"
            "xrca's schema and verifies its log before the authority appears there, whole. A\n"
            "postgresql:// URI names an empty PostgreSQL store to restore into (as migrate-store\n"
            "copies). The keys stay encrypted under the key password they had (or in their token).\n"
            "Then `xrca log --verify` passes and issuance goes on from where the backup was taken.\n",
            "Exit status: 0 restored and verified; 1 FILE is not a usable backup, or the target is not\n"
            "empty; 2 usage; 4 storage error (or the backup's log does not verify).\n"
            "\n"
            "example:\n"
            "  xrca --store /var/lib/xrca-restored restore /srv/backup/xrca-2026-12-01.db\n"};
}

CommandSpec export_cluster_key_command() {
    return {"export-cluster-key",
            cmd_export_cluster_key,
            "export the cluster key and SLC chain under a separate password",
            {{"", "",
              joined({value("-o", "FILE", "the export file to write").needed(),
                      value("--export-password-file", "FILE",
                            "the export password, read from FILE (else $XRCA_EXPORT_PASSWORD, else asked twice)")},
                     key_options())}},
            "The disaster-recovery export AD RMS calls the trusted publishing domain: the cluster\n"
            "key (and the key before the last renewal, if any), the SLC chain, the cluster's GUID,\n"
            "name, URL, crypto mode, trust anchor and revocation settings, in one file. The keys are\n"
            "encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA-512, AES-256) under the export password, and\n"
            "the whole file carries an HMAC under it, so a changed file is refused. The export\n"
            "password is not the key password: --export-password-file, else $XRCA_EXPORT_PASSWORD,\n"
            "else asked twice on a terminal (at least 8 characters). The key password opens the\n"
            "cluster key as for any signing command. Keys held in a PKCS#11 token cannot leave it:\n"
            "refused (back the token up with its own tools). Logged as ClusterKeyExport.\n"
            "Another installation takes the file in with `xrca init --from-key-export FILE`.\n",
            "example:\n"
            "  xrca --data /var/lib/xrca export-cluster-key -o corprights.tpd\n"};
}

CommandSpec principal_command() {
    const auto json = flag("--json", "one JSON document on stdout (add: {\"token\": ...})");
    return {"principal",
            cmd_principal,
            "manage who may call the online service",
            {{"add",
              "NAME",
              {choice("--role", "enroll|sub-enroll|server|user|admin", "what the principal may call (below)").needed(),
               value("--email", "EMAIL", "a user's (or server's own user's) email address"),
               value("--user-id", "SID|GUID", "a user's Windows SID or GUID (default: the GUID derived from --email)"),
               value("--may-certify", "PATTERN", "a server principal: the users it may certify").many(), json}},
             {"list", "", {json}},
             {"remove", "NAME", {}},
             {"grant|revoke-grant", "NAME PATTERN", {}},
             {"bind", "NAME CLUSTER-GUID", {}},
             {"unbind", "NAME", {}}},
            "add prints a new random bearer token once, alone on the last line ({\"token\": ...} with\n"
            "--json); only its SHA-256 is stored. Roles: enroll may call Enroll; sub-enroll SubEnroll;\n"
            "server ServerCertification; user may activate machines and certify, and its RAC is\n"
            "issued to its --email and --user-id: a Windows SID (S-1-5-21-…) for a directory user, or\n"
            "a GUID for a federated user; by default the GUID derived from --email. admin may sign in\n"
            "to the administrator's console (`serve --admin-listen`, docs/console.md).\n"
            "\n"
            "A server principal certifies its own user (its --user-id with its --email) and the users\n"
            "its grants match: PATTERN (`*` any run, `?` one character, case ignored) must match both\n"
            "the user ID and the email. A RAC carries the user's private key: a grant hands the\n"
            "server the keys of every user it matches. A sub-enroll principal is bound to the cluster\n"
            "GUID it first enrolled; bind and unbind change that.\n",
            "example:\n"
            "  xrca --data root principal add alice --role user --email alice@example.com\n"
            "  xrca --data root principal add portal --role server --may-certify 'S-1-5-21-7-*' \\\n"
            "       --may-certify '*@sales.example.com'\n"};
}

CommandSpec revoke_command() {
    return {"revoke",
            cmd_revoke,
            "record a revocation of something this authority issued",
            {{"", "",
              joined(revocation_selectors("--", false),
                     {value("--reason", "TEXT", "why, kept in the log and the list"),
                      flag("--dry-run", "show what would be recorded and which certificates it names; change nothing")
                          .among("confirm"),
                      flag("--yes", "record it without asking (required off a terminal)").among("confirm"),
                      json_output()})},
             {"", "", {flag("--list", "list the revocations recorded").needed(), json_output()}}},
            "Records one REVOKE entry (reference §5.2) for this authority's revocation list, and\n"
            "from then on refuses the revoked thing as input (Certify, GetClientLicensorCert,\n"
            "SubEnroll, Enroll). It takes effect for relying parties with the next list: the\n"
            "online service re-signs its published list at once; offline, run `revocation-list`.\n"
            "What it names must have been issued or certified by this authority, except principal and\n"
            "content IDs. Revoking the same thing twice is refused. Every revocation is logged.\n"
            "A PUB file may be a certificate: its key. A revocation cannot be undone: --dry-run shows\n"
            "what it would record and which certificates issued here it names, and changes nothing;\n"
            "without --yes, revoke shows the same and asks on a terminal (off a terminal: exit 2).\n",
            "examples:\n"
            "  xrca --data root revoke --id '{4f1c...}' --dry-run\n"
            "  xrca --data root revoke --id '{4f1c...}' --reason 'laptop stolen' --yes\n"
            "  xrca --data root revoke --issuer-key licensing-slc.xml --reason 'cluster compromised' --yes\n"};
}

Option valid_for() { return value("--valid-for", "DAYS", "the list's VALIDITYTIME in days (default 7, at most 3650)"); }

CommandSpec revocation_list_command() {
    return {"revocation-list",
            cmd_revocation_list,
            "sign this authority's revocation list",
            {{"", "",
              joined({value("-o", "RL.xml", "where to write the list (-o - writes to stdout)").needed(), valid_for()},
                     key_options())}},
            "Signs a list of everything this authority revoked (`xrca revoke --list`) with the key\n"
            "that issues its certificates (a cluster's SLC key; an enrollment service's key), with\n"
            "ISSUEDTIME now and VALIDITYTIME for DAYS (default 7, at most 3650). Relying parties\n"
            "check it with `xrca verify --revocation-list`. `xrca serve` publishes the current list\n"
            "at BASE_URL/_wmcs/revocation/RevocationList.xml, re-signed daily and on every\n"
            "revocation. Logged as RL-Sign.\n",
            "example:\n"
            "  xrca --data root revocation-list -o rl.xml --valid-for 1\n"};
}

CommandSpec revocation_authority_command() {
    const auto dir = value("--dir", "RA_DIR", "the revocation authority's directory: its key and settings").needed();
    const auto password =
        value("--password-file", "FILE",
              "the authority key's password, read from FILE (else $XRCA_KEY_PASSWORD, else a prompt)");
    return {"revocation-authority",
            cmd_revocation_authority,
            "a custom revocation authority: its own key, lists signed offline",
            {{"new",
              "",
              {dir, value("--name", "NAME", "the name lists carry (default \"xrca revocation authority\")"),
               value("--url", "URL", "the URL lists carry"),
               choice("--crypto-mode", "2|1", "2: RSA-2048/SHA-256 (default); 1: RSA-1024/SHA-1"), password},
              StoreUse::None},
             {"sign", "",
              joined(joined({dir}, revocation_selectors("--revoke-", true)),
                     {value("-o", "RL.xml", "where to write the list (-o - writes to stdout)").needed(), valid_for(),
                      password}),
              StoreUse::None}},
            "new creates a key apart from any cluster (encrypted under the key password) in RA_DIR and\n"
            "writes RA_DIR/revocation-authority.pub.xml: give it to `init --role root --revocation\n"
            "custom --revocation-authority`, and the SLC names it (reference §5.3). sign writes a list\n"
            "signed with that key; verifiers honour it for chains whose SLC names the authority, and\n"
            "ignore it (saying so) elsewhere. Each list signed is noted in RA_DIR/signed-lists.log.\n",
            "example:\n"
            "  xrca revocation-authority new --dir ra\n"
            "  xrca revocation-authority sign --dir ra --revoke-id '{SLC-ID}' -o ra-list.xml\n"};
}

CommandSpec exclusion_command() {
    return {"exclusion",
            cmd_exclusion,
            "refuse RAC keys or old machines at issuance (exclusion policies)",
            {{"add",
              "",
              {value("--rac-key", "PUB.xml", "a RAC key that gets no CLC (a certificate stands for its key)")
                   .among("what")
                   .needed(),
               value("--min-spc-version", "VERSION",
                     "the lowest security processor version that gets an SPC or RAC, e.g. 1.2.0.0")
                   .among("what")
                   .needed(),
               value("--reason", "TEXT", "why, kept with the exclusion")}},
             {"remove",
              "",
              {value("--rac-key", "FINGERPRINT|PUB.xml", "stop excluding this RAC key").among("what").needed(),
               flag("--min-spc-version", "clear the minimum version").among("what").needed()}},
             {"list", "", {json_output()}}},
            "Exclusion (reference §5.5) stops this cluster issuing to what is excluded; unlike\n"
            "revocation it is not published. An excluded RAC key gets no CLC\n"
            "(DrmacIsExcludedException); a machine whose security processor version (SPC\n"
            "Repository level) is below the minimum gets no SPC or RAC (BlackBoxIsInvalidException).\n"
            "The version compared is the last word of the Repository value, which real SPCs\n"
            "write as prose (\"... secure repository 6.1.7600.16385\"); a value that does not end\n"
            "in a dotted version is refused.\n",
            "example:\n"
            "  xrca --data root exclusion add --min-spc-version 1.2.0.0 --reason 'old clients'\n"};
}

CommandSpec decommission_command() {
    return {"decommission",
            cmd_decommission,
            "stop issuing for good; keep serving the revocation list",
            {{"", "", {flag("--yes", "do it without asking (required off a terminal)")}}},
            "The authority refuses every issuance and GetLicensorCertificate from then on with\n"
            "ClusterDecommissionedException, also in a `serve` already running; the published\n"
            "revocation list stays available, and what it issued can still be verified (each\n"
            "certificate carries its chain) or revoked. Asks for confirmation on a terminal;\n"
            "elsewhere --yes is required. It cannot be undone.\n",
            "example:\n"
            "  xrca --data old-cluster decommission --yes\n"};
}

CommandSpec completion_command() {
    return {"completion",
            cmd_completion,
            "print a shell completion script for xrca",
            {{"bash", "", {}, StoreUse::None}},
            "Prints a bash completion script generated from the same declarations as each command's\n"
            "--help: commands, verbs, options, files for FILE-valued options and the words an option\n"
            "takes where it lists them.\n",
            "examples:\n"
            "  source <(xrca completion bash)\n"
            "  xrca completion bash > /etc/bash_completion.d/xrca\n"};
}

CommandSpec serve_command() {
    return {
        "serve",
        cmd_serve,
        "run the online SOAP service (HTTP or HTTPS)",
        {{"", "",
          joined(
              {value("--config", "FILE",
                     "settings as `key = value` lines, keys named as these options (`listen = [::1]:8443`, "
                     "`warm-key-pool = true`); default $XRCA_CONFIG, else /etc/xrca/xrca.conf when it exists; the "
                     "command line wins; an unknown key is an error (docs/serve.md)"),
               value("--listen", "ADDRESS:PORT",
                     "127.0.0.1:8080 (default), localhost:8080 (every address of the name), [::1]:8080, "
                     "[::]:8080 (IPv6 and IPv4)")
                   .many(),
               choice("--log-format", "text|json|none", "the request log on stdout (default text)"),
               value("--trusted-proxy", "ADDR|CIDR",
                     "a reverse proxy whose X-Forwarded-For names the client; from any other peer the header "
                     "is ignored")
                   .many(),
               value("--threads", "N",
                     "worker threads (default 64: a request waits on the disk as well as on signing, so more "
                     "threads than cores keep them busy)"),
               value("--tls-cert", "CERT.pem", "serve HTTPS with this PEM certificate (chain); with --tls-key"),
               value("--tls-key", "KEY.pem", "the PEM key of --tls-cert")},
              joined(key_options(),
                     {value("--per-address-connections", "N", "connections one source address may hold (default 64)"),
                      value("--request-deadline", "SECONDS",
                            "a whole request, headers and body, must arrive within this time however slowly "
                            "its bytes trickle (default 20)"),
                      value("--anonymous-rate", "N",
                            "requests per second one source may send without a token, after a burst of "
                            "10 × N (default 20; 0: no limit)"),
                      value("--min-free-mb", "N", "/healthz reports unhealthy below this free space (default 64)"),
                      value("--clc-key-pool", "N",
                            "fresh RSA keys kept ready for CLCs (default 16); each CLC takes one, and "
                            "generating one costs ~0.1 s of a core"),
                      value("--clc-key-threads", "N", "threads refilling that pool in the lulls (default 1)"),
                      flag("--warm-key-pool", "fill the pool before serving (start-up takes longer)"),
                      value("--warn-slc-days", "N", "/healthz warns when the SLC ends within N days (default 30)"),
                      value("--admin-listen", "[ADDRESS:]PORT",
                            "also serve the administrator's console under /admin/ on this listener (127.0.0.1 "
                            "when only a port is given; HTTPS with --tls-cert); sign in with an `admin` "
                            "principal's token (docs/console.md)")}))}},
        "Serves this authority's web services under /_wmcs until SIGINT or SIGTERM, then\n"
        "stops accepting, finishes the requests in flight and exits 0. SIGHUP reloads the TLS\n"
        "certificate and key and the configuration file without dropping a request (what needs\n"
        "a restart, such as --listen or the store, is reported on stderr; a reload that fails\n"
        "keeps the old settings). Listens on 127.0.0.1 unless told otherwise. One line per\n"
        "request goes to stdout (docs/logging.md); messages go to stderr.\n"
        "Before it listens it makes one real signature with the authority's key, and it does not\n"
        "start (exit 1) when the key password or PIN does not open the key, (exit 3) when the\n"
        "cluster is not active (it awaits its SLC response, or was decommissioned), or (exit 4)\n"
        "when the PKCS#11 module or token cannot be reached.\n"
        "  enrollment  Enroll (enrollment/enrollservice.asmx; `enroll` principals)\n"
        "  root        SubEnroll (`sub-enroll`), Activate and Certify (`user`), ServerCertification\n"
        "              (`server`), GetClientLicensorCert (`user`, own RAC only),\n"
        "              GetLicensorCertificate and service location (no token)\n"
        "  licensing   GetClientLicensorCert, GetLicensorCertificate, service location\n"
        "Callers send `Authorization: Bearer TOKEN` (see `xrca principal`). GET (or HEAD)\n"
        "/healthz answers 200 `ok` when the store answers, the cluster is active, its key signs (a\n"
        "test signature at most every 30 s), the published revocation list is within its validity\n"
        "and the data directory has free space; 200 `warning: ...` when the SLC ends within\n"
        "--warn-slc-days; else 503 and the reason, on one line. It is computed at most once a\n"
        "second, so polling it costs nothing. GET (or HEAD) /metrics gives Prometheus text;\n"
        "GET on an .asmx path shows the service page, with ?wsdl its WSDL (which names the\n"
        "authority's configured URL).\n"
        "Requests without a token are rate-limited per source address (a SOAP fault, HTTP 503\n"
        "with Retry-After, when exceeded) and are counted in the enrollment log as one\n"
        "AnonymousTraffic entry per source and minute, not one entry each.\n"
        "Request bodies are limited to 1 MiB (413 above), request line and headers to 16 KiB;\n"
        "at most 256 connections.\n",
        "exit codes: 0 stopped by a signal; 1 the key does not open; 2 usage; 3 the cluster is\n"
        "not active; 4 the store, the key store or the listen address cannot be used.\n"
        "\n"
        "example:\n"
        "  xrca --data root serve --listen 127.0.0.1:8443 --tls-cert cert.pem --tls-key key.pem\n"
        "  xrca serve --config /etc/xrca/xrca.conf --log-format json\n"};
}

}  // namespace

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> table = [] {
        std::vector<CommandSpec> t = {
            anchor_command(),
            backup_command(),
            certs_command(),
            chain_command(),
            client_command(),
            completion_command(),
            decommission_command(),
            enroll_command(),
            exclusion_command(),
            export_cluster_key_command(),
            export_key_command(),
            import_command(),
            init_command(),
            issue_command(),
            log_command(),
            migrate_store_command(),
            principal_command(),
            process_command(),
            request_command(),
            restore_command(),
            revocation_authority_command(),
            revocation_list_command(),
            revoke_command(),
            serve_command(),
            set_url_command(),
            show_command(),
            status_command(),
            trust_command(),
            verify_command(),
        };
        std::sort(t.begin(), t.end(), [](const CommandSpec& a, const CommandSpec& b) { return a.name < b.name; });
        return t;
    }();
    return table;
}

const CommandSpec* find_command(const std::string& name) {
    for (const auto& c : command_specs()) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

}  // namespace xrca::cli
