// RAII wrappers over the SQLite C API for the measurement store: a connection, a prepared
// statement and a transaction. Every error names the database path and SQLite's reason.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::store::sqlite {

// An SQLite result code as an nnlat error: "<path>: <what>: <sqlite message> (<code>)".
Error make_sqlite_error(const std::string& path, const std::string& what, int code, const char* message);

// A value bound to a statement parameter.
using Param = std::variant<std::nullptr_t, int64_t, double, std::string_view>;

class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&&) noexcept = default;
  Stmt& operator=(Stmt&&) noexcept = default;

  // Binds parameters 1..n in order (after a reset).
  Status bind(const std::vector<Param>& params);
  // true: a row is available; false: done.
  Result<bool> step();
  // Steps once and expects no row (INSERT / UPDATE / DDL).
  Status run(const std::vector<Param>& params = {});
  // Binds, steps once and returns the first column of the row it must give (a prepared
  // statement reused for many look-ups), then resets.
  Result<int64_t> query_int64(const std::vector<Param>& params);
  Status reset();

  bool is_null(int column) const;
  int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<int64_t> column_optional_int64(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

 private:
  friend class Db;
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Stmt(sqlite3* db, std::string path, std::string sql, sqlite3_stmt* stmt)
      : db_(db), path_(std::move(path)), sql_(std::move(sql)), stmt_(stmt) {}
  Error error(int code, const std::string& what) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  std::string sql_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

class Db {
 public:
  // Opens (creating if absent) a read-write connection with extended result codes.
  static Result<Db> open(const std::string& path);

  Db(Db&&) noexcept = default;
  Db& operator=(Db&&) noexcept = default;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }

  Result<Stmt> prepare(std::string_view sql) const;
  // Runs one or more statements that take no parameters.
  Status exec(const std::string& sql) const;
  // The single value of a one-row, one-column query ("PRAGMA journal_mode=WAL").
  Result<std::string> query_text(std::string_view sql) const;
  Result<int64_t> query_int64(std::string_view sql, const std::vector<Param>& params = {}) const;

  // An error prefixed with the database path.
  Error error(ErrorCode code, const std::string& message) const { return make_error(code, path_ + ": " + message); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Db(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
};

// BEGIN IMMEDIATE on construction (via begin()), ROLLBACK on destruction unless committed.
// Inside a transaction already open on the connection (Store::transaction wrapping many
// writes) it is a SAVEPOINT instead: its commit releases it into the outer transaction, its
// rollback undoes only its own writes, and the outer one decides what reaches the file.
class Transaction {
 public:
  static Result<Transaction> begin(const Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_), nested_(other.nested_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  Transaction(const Db* db, bool nested) : db_(db), nested_(nested) {}
  const Db* db_;
  bool nested_;
};

}  // namespace nnlat::store::sqlite
