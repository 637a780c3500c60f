#include "controlplane/core/journal_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/json.hpp>

namespace fanout::cp {

namespace json = boost::json;

namespace {

constexpr const char* kLists[] = {"routers", "transports", "producers", "consumers"};

// Writes `text` to `path`.tmp (0600: the journal holds ICE passwords and SRTP keys) and renames it
// over `path`.
bool replace_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ok = (::close(fd) == 0) && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string error_text(const std::string& path) {
  return path + ": " + std::strerror(errno);
}

// Applies one log line's records to the snapshot's lists; `index` maps list and id to position.
bool apply_records(const json::array& records, json::object& root,
                   std::map<std::pair<std::string, std::string>, size_t>& index) {
  for (const json::value& rv : records) {
    const json::object* r = rv.if_object();
    if (r == nullptr) return false;
    const json::value* put = r->if_contains("put");
    const json::value* del = r->if_contains("del");
    const json::value* list_name = put ? put : del;
    if (list_name == nullptr || !list_name->is_string()) return false;
    const std::string list(list_name->as_string());
    if (std::find(std::begin(kLists), std::end(kLists), list) == std::end(kLists)) return false;
    json::value* lv = root.if_contains(list);
    if (lv == nullptr || !lv->is_array()) return false;
    json::array& arr = lv->as_array();
    if (put) {
      const json::value* value = r->if_contains("value");
      const json::value* id =
          value && value->is_object() ? value->as_object().if_contains("id") : nullptr;
      if (id == nullptr || !id->is_string()) return false;
      auto key = std::pair{list, std::string(id->as_string())};
      auto it = index.find(key);
      if (it != index.end()) {
        arr[it->second] = *value;
      } else {
        index[key] = arr.size();
        arr.push_back(*value);
      }
    } else {
      const json::value* id = r->if_contains("id");
      if (id == nullptr || !id->is_string()) return false;
      auto it = index.find({list, std::string(id->as_string())});
      if (it == index.end()) continue;
      // Erase by moving the last entry into the hole (the order of a list does not matter).
      const size_t pos = it->second;
      const size_t last = arr.size() - 1;
      index.erase(it);
      if (pos != last) {
        arr[pos] = std::move(arr[last]);
        const json::object* mo = arr[pos].if_object();
        const json::value* moved = mo ? mo->if_contains("id") : nullptr;
        if (moved && moved->is_string()) index[{list, std::string(moved->as_string())}] = pos;
      }
      arr.pop_back();
    }
  }
  return true;
}

}  // namespace

JournalFile::JournalFile(std::string path) : path_(std::move(path)) {}

JournalFile::~JournalFile() {
  close_log();
}

void JournalFile::close_log() {
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = -1;
}

bool JournalFile::wants_snapshot() const {
  if (path_.empty()) return false;
  return broken_ || log_bytes_ > std::max<uint64_t>(snapshot_bytes_, kMinCompactBytes);
}

bool JournalFile::write_snapshot(json::value snapshot) {
  if (path_.empty()) return true;
  close_log();
  broken_ = true;
  // A generation no earlier control plane used: the clock, and never the same one twice here.
  const auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  generation_ = std::max(generation_ + 1, now);
  if (snapshot.is_object()) snapshot.as_object()["logGeneration"] = generation_;
  const std::string text = json::serialize(snapshot);
  if (!replace_file(path_, text)) {
    error_ = error_text(path_);
    return false;
  }
  snapshot_bytes_ = text.size();
  const std::string log_path = path_ + ".log";
  const std::string header =
      json::serialize(json::object{{"fanoutJournalLog", 1}, {"generation", generation_}}) + "\n";
  if (!replace_file(log_path, header)) {
    error_ = error_text(log_path);
    return false;
  }
  log_fd_ = ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (log_fd_ < 0) {
    error_ = error_text(log_path);
    return false;
  }
  log_bytes_ = header.size();
  broken_ = false;
  return true;
}

bool JournalFile::append(const json::array& records) {
  if (path_.empty() || records.empty()) return true;
  if (broken_ || log_fd_ < 0) return false;
  const std::string line = json::serialize(records) + "\n";
  if (::write(log_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    error_ = error_text(path_ + ".log");
    broken_ = true;
    return false;
  }
  log_bytes_ += line.size();
  return true;
}

JournalFile::Loaded JournalFile::load(const std::string& path) {
  Loaded out;
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) return out;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value snapshot = json::parse(text.str(), ec);
  if (ec) {
    out.error = "not JSON (" + ec.message() + ")";
    return out;
  }
  out.journal = std::move(snapshot);
  json::object* root = out.journal->if_object();
  const json::value* gen = root ? root->if_contains("logGeneration") : nullptr;
  if (root == nullptr || gen == nullptr || !gen->is_number()) return out;  // an older journal
  std::ifstream log(path + ".log");
  if (!log) {
    out.log_note = "no log next to it";
    return out;
  }
  std::string line;
  if (!std::getline(log, line)) {
    out.log_note = "an empty log";
    return out;
  }
  json::value header = json::parse(line, ec);
  const json::object* h = ec ? nullptr : header.if_object();
  const json::value* hgen = h ? h->if_contains("generation") : nullptr;
  if (hgen == nullptr || !hgen->is_number() ||
      hgen->to_number<uint64_t>() != gen->to_number<uint64_t>()) {
    out.log_note = "the log is of another generation (left from before the snapshot): ignored";
    return out;
  }
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const char* list : kLists) {
    json::value* lv = root->if_contains(list);
    if (lv == nullptr || !lv->is_array()) continue;
    const json::array& arr = lv->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      const json::value* id = arr[i].is_object() ? arr[i].as_object().if_contains("id") : nullptr;
      if (id && id->is_string()) index[{list, std::string(id->as_string())}] = i;
    }
  }
  while (std::getline(log, line)) {
    json::value records = json::parse(line, ec);
    if (ec || !records.is_array() || !apply_records(records.as_array(), *root, index)) {
      // A line cut short by a crash (or damaged): what follows it cannot be trusted either.
      out.log_note = "log line " + std::to_string(out.log_lines + 2) +
                     " is not a complete record: the log is used up to it";
      break;
    }
    ++out.log_lines;
  }
  return out;
}

}  // namespace fanout::cp
