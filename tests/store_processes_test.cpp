// A store shared by processes and store files that are not stores, through the real binary:
// two `nnlat import csv` processes writing one store at once both succeed and lose nothing,
// and a file that is not an SQLite database, a truncated store or a store of a newer schema
// version is refused with an error naming the file (exit 2, never a crash).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_test_util.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

// One CSV of `rows` NAS-Bench-201 cells (the same cells for every seed-equal call) with one
// latency column named `target`: each process imports its own target over shared networks,
// so both upsert the same network rows while the other writes.
std::string write_csv(const TempDir& dir, const std::string& target, int rows) {
  auto cells = models::sample_space("nb201", rows, 17);
  EXPECT_TRUE(cells.ok());
  const std::string path = dir.file(target + ".csv");
  std::ofstream out(path);
  out << "arch," << target << "\n";
  for (size_t i = 0; i < cells->size(); ++i) out << '"' << (*cells)[i] << "\"," << 1000 + i << "\n";
  return path;
}

std::string import_command(const std::string& csv, const std::string& target, const std::string& db) {
  return std::string(NNLAT_BINARY) + " import csv --csv " + csv +
         " --model-column arch --format nb201 --target-columns " + target + " --unit us --db " + db + " >/dev/null 2>" +
         db + "." + target + ".err";
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

TEST(StoreProcesses, TwoImportsIntoOneStoreAtOnceBothSucceedAndLoseNothing) {
  TempDir dir("store_processes");
  constexpr int kRows = 40;
  const std::string db = dir.file("shared.db");
  const std::string a = write_csv(dir, "phone_a", kRows);
  const std::string b = write_csv(dir, "phone_b", kRows);
  // Both started by one shell, in the background, so they run at the same time; each
  // one's exit code is written to a file of its own.
  const std::string script = "(" + import_command(a, "phone_a", db) + "; echo $? >" + dir.file("a.rc") + ") & (" +
                             import_command(b, "phone_b", db) + "; echo $? >" + dir.file("b.rc") + ") & wait";
  ASSERT_EQ(exit_code_of(std::system(script.c_str())), 0);
  for (const char* who : {"a", "b"}) {
    std::ifstream rc(dir.file(std::string(who) + ".rc"));
    int code = -1;
    rc >> code;
    std::ifstream err(db + ".phone_" + who + ".err");
    const std::string message((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    EXPECT_EQ(code, 0) << "import " << who << ": " << message;
  }
  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const char* target : {"phone_a", "phone_b"}) {
    auto rows = store->subject_latencies(target, store::MeasurementKind::kNetwork);
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    EXPECT_EQ(rows->size(), static_cast<size_t>(kRows)) << target;
  }
  // The networks both imported are one row each, not two.
  auto stats = run_cli("db stats --db " + db + " --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const auto json = nlohmann::json::parse(stats.out);
  EXPECT_EQ(json.at("networks").get<int>(), kRows) << stats.out;
  EXPECT_EQ(json.at("network_measurements").get<int>(), 2 * kRows) << stats.out;
}

// `nnlat db stats` on `path`: exit 2 and a message that starts with the path.
void expect_refused(const std::string& path, const std::string& reason) {
  auto r = run_cli("db stats --db " + path);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
}

TEST(StoreProcesses, FilesThatAreNotStoresAreRefusedNamingTheFile) {
  TempDir dir("store_bad_files");
  const std::string text = dir.file("notes.db");
  std::ofstream(text) << "this is a text file, not an SQLite database\n" << std::string(4096, 'x');
  expect_refused(text, "not a database");

  // A store cut inside its first page, without its WAL: what a partial copy leaves.
  const std::string truncated = dir.file("truncated.db");
  ASSERT_EQ(run_cli("db stats --db " + truncated).exit_code, 0);
  std::filesystem::resize_file(truncated, 50);
  std::filesystem::remove(truncated + "-wal");
  std::filesystem::remove(truncated + "-shm");
  expect_refused(truncated, "not a database");

  // A store written by a later nnlat: its schema version is newer than this one reads.
  const std::string newer = dir.file("newer.db");
  ASSERT_EQ(run_cli("db stats --db " + newer).exit_code, 0);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(newer.c_str(), &raw), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(raw, "INSERT INTO schema_version (version, nnlat_version) VALUES (99, '9.9')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  expect_refused(newer, "schema version 99 is newer");
}

}  // namespace
}  // namespace nnlat
