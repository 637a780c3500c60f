// The restart journal on disk (JournalFile): a snapshot plus an append-only log of each request's
// changes. What load() returns is the snapshot with the log applied: puts replace or add, deletes
// remove; a log of another generation is ignored; a torn last line loses only that line; a log
// that outgrows its snapshot asks for a new snapshot; the files are private (0600).
#include "controlplane/core/journal_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace fanout::cp::test {
namespace {

namespace json = boost::json;

class JournalFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/fanout-journal-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    dir_ = templ;
    path_ = dir_ + "/state.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static json::value model(std::initializer_list<const char*> transports) {
    json::array t;
    for (const char* id : transports) t.push_back(json::object{{"id", id}, {"routerId", "r1"}});
    return json::object{{"version", 1},
                        {"epoch", 42},
                        {"routers", json::array{json::object{{"id", "r1"}}}},
                        {"transports", std::move(t)},
                        {"producers", json::array{}},
                        {"consumers", json::array{}}};
  }
  static json::object put(const char* list, json::object value) {
    return json::object{{"put", list}, {"value", std::move(value)}};
  }
  static json::object del(const char* list, const char* id) {
    return json::object{{"del", list}, {"id", id}};
  }
  // The ids of one list of a loaded journal, and the field `key` of the entry `id`.
  static std::set<std::string> ids(const json::value& j, const char* list) {
    std::set<std::string> out;
    for (const json::value& v : j.at(list).as_array())
      out.insert(std::string(v.at("id").as_string()));
    return out;
  }
  static json::value field(const json::value& j, const char* list, const char* id,
                           const char* key) {
    for (const json::value& v : j.at(list).as_array())
      if (v.at("id").as_string() == id) return v.as_object().contains(key) ? v.at(key) : nullptr;
    return "absent";
  }
  std::string log_text() const {
    std::ifstream in(path_ + ".log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_, path_;
};

TEST_F(JournalFileTest, SnapshotAndAppendedChangesLoadAsOneModel) {
  JournalFile f(path_);
  EXPECT_TRUE(f.wants_snapshot()) << "nothing written yet: only a snapshot will do";
  ASSERT_FALSE(f.append(json::array{put("transports", {{"id", "t9"}})}))
      << "an append before any snapshot must fail, not write a log nobody can apply";
  ASSERT_TRUE(f.write_snapshot(model({"t1", "t2", "t3"}))) << f.last_error();
  EXPECT_FALSE(f.wants_snapshot());
  // One request: a consumer created, its transport changed (next mid).
  ASSERT_TRUE(f.append(
      json::array{put("consumers", {{"id", "c1"}, {"transportId", "t2"}}),
                  put("transports", {{"id", "t2"}, {"routerId", "r1"}, {"nextConsumerMid", 1}})}));
  // Another: a transport closed (first in the list: the last moves into its place).
  ASSERT_TRUE(f.append(json::array{del("transports", "t1")}));
  // Another: a new transport, then the consumer closed, and a delete of something never written.
  ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t4"}})}));
  ASSERT_TRUE(f.append(json::array{del("consumers", "c1"), del("producers", "never")}));
  ASSERT_TRUE(f.append(json::array{}));  // a request that changed nothing writes nothing

  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal.has_value()) << l.error;
  EXPECT_TRUE(l.error.empty());
  EXPECT_TRUE(l.log_note.empty()) << l.log_note;
  EXPECT_EQ(l.log_lines, 4u);
  const json::value& j = *l.journal;
  EXPECT_EQ(ids(j, "transports"), (std::set<std::string>{"t2", "t3", "t4"}));
  EXPECT_EQ(field(j, "transports", "t2", "nextConsumerMid"), json::value(1));
  EXPECT_TRUE(ids(j, "consumers").empty());
  EXPECT_EQ(ids(j, "routers"), (std::set<std::string>{"r1"}));
  EXPECT_EQ(j.at("epoch"), json::value(42)) << "the snapshot's own fields stay";

  // The same changes on the log survive a second load (the load does not consume the files).
  EXPECT_EQ(JournalFile::load(path_).log_lines, 4u);
}

TEST_F(JournalFileTest, ANewSnapshotStartsANewLog) {
  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  ASSERT_TRUE(f.append(json::array{del("transports", "t1")}));
  ASSERT_TRUE(f.write_snapshot(model({"t5"})));
  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_EQ(l.log_lines, 0u) << "the old log's delete must not apply to the new snapshot";
  EXPECT_EQ(ids(*l.journal, "transports"), (std::set<std::string>{"t5"}));
  EXPECT_EQ(log_text().find("\"del\""), std::string::npos) << log_text();
}

TEST_F(JournalFileTest, ALogOfAnotherGenerationIsIgnored) {
  // A crash between the snapshot's rename and the new log's: the old log stays next to the new
  // snapshot. Simulated by putting a log of an earlier snapshot back.
  {
    JournalFile f(path_);
    ASSERT_TRUE(f.write_snapshot(model({"t1", "t2"})));
    ASSERT_TRUE(f.append(json::array{del("transports", "t1")}));
  }
  std::filesystem::copy_file(path_ + ".log", dir_ + "/old.log");
  {
    JournalFile f(path_);
    ASSERT_TRUE(f.write_snapshot(model({"t1", "t2"})));
  }
  std::filesystem::copy_file(dir_ + "/old.log", path_ + ".log",
                             std::filesystem::copy_options::overwrite_existing);
  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_EQ(l.log_lines, 0u);
  EXPECT_NE(l.log_note.find("another generation"), std::string::npos) << l.log_note;
  EXPECT_EQ(ids(*l.journal, "transports"), (std::set<std::string>{"t1", "t2"}));
}

TEST_F(JournalFileTest, ATornLastLineLosesOnlyThatRequest) {
  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t2"}})}));
  ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t3"}})}));
  // A crash in the middle of the third write: half a line, no newline.
  const std::string third = json::serialize(json::array{put("transports", {{"id", "t4"}})});
  {
    std::ofstream out(path_ + ".log", std::ios::app);
    out << third.substr(0, third.size() / 2);
  }
  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_EQ(l.log_lines, 2u);
  EXPECT_NE(l.log_note.find("line 4"), std::string::npos) << l.log_note;
  EXPECT_EQ(ids(*l.journal, "transports"), (std::set<std::string>{"t1", "t2", "t3"}));
}

TEST_F(JournalFileTest, ARecordOfAnUnknownListStopsTheReplayThere) {
  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t2"}})}));
  ASSERT_TRUE(f.append(json::array{put("secrets", {{"id", "x"}})}));
  ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t3"}})}));
  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_EQ(l.log_lines, 1u);
  EXPECT_FALSE(l.log_note.empty());
  EXPECT_EQ(ids(*l.journal, "transports"), (std::set<std::string>{"t1", "t2"}));
}

TEST_F(JournalFileTest, ASnapshotWithoutALogOrOfAnOlderVersionLoadsAsItIs) {
  {
    std::ofstream out(path_);
    out << json::serialize(model({"t1"}));  // no logGeneration: written before the log existed
  }
  JournalFile::Loaded l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_TRUE(l.log_note.empty());
  EXPECT_EQ(ids(*l.journal, "transports"), (std::set<std::string>{"t1"}));

  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  std::filesystem::remove(path_ + ".log");
  l = JournalFile::load(path_);
  ASSERT_TRUE(l.journal);
  EXPECT_NE(l.log_note.find("no log"), std::string::npos) << l.log_note;
}

TEST_F(JournalFileTest, NotJsonIsAnErrorAndNoFileIsNoJournal) {
  JournalFile::Loaded none = JournalFile::load(path_);
  EXPECT_FALSE(none.journal);
  EXPECT_TRUE(none.error.empty());
  {
    std::ofstream out(path_);
    out << "{\"routers\": [";
  }
  JournalFile::Loaded bad = JournalFile::load(path_);
  EXPECT_FALSE(bad.journal);
  EXPECT_NE(bad.error.find("not JSON"), std::string::npos) << bad.error;
}

TEST_F(JournalFileTest, ALogThatOutgrowsItsSnapshotAsksForACompaction) {
  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  const std::string pad(64 * 1024, 'x');
  int appended = 0;
  while (!f.wants_snapshot() && appended < 1000) {
    ASSERT_TRUE(f.append(json::array{put("transports", {{"id", "t1"}, {"pad", pad}})}));
    ++appended;
  }
  EXPECT_TRUE(f.wants_snapshot());
  // 4 MiB floor: a small model does not snapshot after every few requests.
  EXPECT_GE(appended * (pad.size() + 40), JournalFile::kMinCompactBytes);
  EXPECT_LT(appended, 1000);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  EXPECT_FALSE(f.wants_snapshot());
  EXPECT_LT(std::filesystem::file_size(path_ + ".log"), 200u);
}

TEST_F(JournalFileTest, TheFilesArePrivate) {
  JournalFile f(path_);
  ASSERT_TRUE(f.write_snapshot(model({"t1"})));
  for (const std::string& p : {path_, path_ + ".log"}) {
    struct stat st {};
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << p << ": the journal holds ICE passwords and keys";
  }
}

TEST_F(JournalFileTest, AnUnwritableDirectoryFailsWithThePath) {
  JournalFile f(dir_ + "/missing/state.json");
  EXPECT_FALSE(f.write_snapshot(model({"t1"})));
  EXPECT_NE(f.last_error().find("missing/state.json"), std::string::npos) << f.last_error();
  EXPECT_TRUE(f.wants_snapshot());
  EXPECT_FALSE(f.append(json::array{del("transports", "t1")}));
}

TEST(JournalFileOff, AnEmptyPathWritesNothing) {
  JournalFile f("");
  EXPECT_FALSE(f.wants_snapshot());
  EXPECT_TRUE(f.write_snapshot(json::object{}));
  EXPECT_TRUE(f.append(json::array{json::object{{"del", "transports"}, {"id", "t"}}}));
  EXPECT_FALSE(JournalFile::load("").journal);
}

}  // namespace
}  // namespace fanout::cp::test
