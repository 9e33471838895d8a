// Log retention (docs/logging.md): the oldest entries of the enrollment log move to an archive
// file signed by this authority's key, and leave the store in the same transaction that pins
// the checkpoint the live chain continues from and logs the archive.
#include "ca/authority.h"
#include "ca/authority_internal.h"

namespace xrca::ca {

LogArchiveSummary Authority::archive_log(xrml::Time before, ArchiveOutput& out, const Caller& caller) {
    const std::string before_iso = before.to_iso8601();
    const std::string inputs = "before=" + before_iso;
    return logged("LogArchive", caller, inputs, [&] {
        // Opened before the store is held: opening a key reads it from the store.
        Signer& key = signer(archive_key());
        LogArchiveSummary written;
        const auto cut = m_store.archive_log(
            before_iso,
            [&](const store::LogArchiveCut& c, const std::function<void(const store::LogVisitor&)>& entries) {
                LogArchiveSummary header;
                header.authority = m_record.name;
                header.guid = m_record.guid;
                header.created = m_clock.now().to_iso8601();
                header.before = before_iso;
                header.from = c.from;
                LogArchiveWriter writer(out, header);
                entries([&](const store::LogEntry& e) {
                    writer.add(e);
                    return true;
                });
                written = writer.finish(key);
                if (written.to.seq != c.to.seq || written.entries != c.entries) {
                    throw Error(ErrorKind::Internal, "the archive holds other entries than the store chose");
                }
                out.commit();  // durable before a single row is deleted
                const std::string range = std::to_string(c.from.seq + 1) + ".." + std::to_string(c.to.seq);
                return log_entry(new_id(), "LogArchive", caller,
                                 inputs + "; entries=" + range + "; archive_sha256=" + written.sha256 +
                                     "; signed_by=" + written.signer_fingerprint,
                                 "", "accepted",
                                 "archived " + std::to_string(c.entries) + " entries (" + range +
                                     "); the log continues from checkpoint seq " + std::to_string(c.to.seq));
            });
        if (!cut) {
            throw Error(ErrorKind::NotFound, "no enrollment-log entry after the last archived one is older than " +
                                                 before_iso + ": nothing to archive");
        }
        return written;
    });
}

KeyName Authority::archive_key() const {
    // An enrollment service has no cluster key: the key that signs its issuance signs its archives.
    return m_role == Role::Enrollment ? KeyName::EnrollmentService : KeyName::Cluster;
}

bool Authority::holds_key(const std::string& fingerprint) {
    for (const auto name :
         {KeyName::Cluster, KeyName::ClusterPrevious, KeyName::ClusterNext, KeyName::EnrollmentService}) {
        const auto blob = m_store.load_key(key_name(name));
        if (blob && blob->fingerprint == fingerprint) return true;
    }
    return false;
}

}  // namespace xrca::ca
