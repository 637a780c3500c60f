// The restart journal on disk: a snapshot of the whole model (controlplane.state_file) and a log
// of the changes since (<state_file>.log), so that a request costs what it changed rather than a
// rewrite of the whole model (which made creating the 1,000th consumer take 17 ms).
//
// The snapshot is written to a temporary file and renamed over the old one; it names a log
// generation. A new log (header line {"fanoutJournalLog": 1, "generation": G}) is put in place
// the same way right after; then each request appends one line, a JSON array of records
// ({"put": "transports", "value": {...}} or {"del": "consumers", "id": "..."}), with one write().
// A reader applies the log only when its generation is the snapshot's (a crash between the two
// renames leaves an old log that is ignored), and stops at a line that does not parse (a crash in
// the middle of a write loses that request's line only). When the log outgrows the snapshot, the
// next write is a snapshot again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace fanout::cp {

class JournalFile {
 public:
  // `path` empty: no journal (every write succeeds and does nothing).
  explicit JournalFile(std::string path);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  // The whole model (Node::snapshot()), then a new empty log. False on an I/O error (errno says
  // which; last_error() names the file).
  bool write_snapshot(boost::json::value snapshot);
  // One request's records (Node::take_journal_changes()), appended with one write. False on an
  // I/O error, and until the next snapshot (the log then lacks a line).
  bool append(const boost::json::array& records);
  // True when append() cannot be used: no snapshot written yet, a failed write, or a log that
  // outgrew its snapshot (compaction).
  bool wants_snapshot() const;
  const std::string& last_error() const { return error_; }

  struct Loaded {
    std::optional<boost::json::value> journal;  // nullopt: there is none
    std::string error;                          // the snapshot is not JSON (journal is nullopt)
    size_t log_lines = 0;                       // requests replayed from the log
    std::string log_note;  // why (part of) the log was not used, when it was not
  };
  // The snapshot at `path` with its log applied.
  static Loaded load(const std::string& path);

  static constexpr uint64_t kMinCompactBytes = 4 << 20;

 private:
  void close_log();

  std::string path_;
  int log_fd_ = -1;
  uint64_t generation_ = 0;
  uint64_t snapshot_bytes_ = 0;
  uint64_t log_bytes_ = 0;
  bool broken_ = true;  // no usable log until a snapshot was written
  std::string error_;
};

}  // namespace fanout::cp
