// What the store's tests share: a temporary directory per test, raw SQL on a store file, and
// opening a store or a target that must succeed.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "nnlat/measure/target.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::store {

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("nnlat_store_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Raw SQL on the store file, for checks the API does not offer (on purpose).
struct RawDb {
  explicit RawDb(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK); }
  ~RawDb() { sqlite3_close(db); }
  // Runs `sql`; returns "" on success or SQLite's message.
  std::string exec(const std::string& sql) {
    char* msg = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
    std::string out = rc == SQLITE_OK ? "" : (msg != nullptr ? msg : "error");
    sqlite3_free(msg);
    return out;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* db = nullptr;
};

inline Store open_or_die(const std::string& path) {
  auto s = Store::open(path);
  if (!s.ok()) {
    ADD_FAILURE() << s.error().message;
    std::abort();
  }
  return std::move(s).value();
}

inline int64_t target_or_die(Store& store, const std::string& name = "local:fake-t1:float",
                             const std::string& backend = "fake") {
  auto t = measure::parse_target_name(name);
  EXPECT_TRUE(t.ok());
  auto id = store.upsert_target(*t, backend);
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id.ok() ? *id : -1;
}

}  // namespace nnlat::store
