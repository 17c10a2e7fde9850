#include "store/sqlite.hpp"

namespace nnlat::store::sqlite {
namespace {

// "[first 60 characters of the SQL...]" for error messages. Built with append: GCC 12
// reports a false -Wrestrict on `"[" + std::string`.
std::string sql_excerpt(std::string_view sql) {
  std::string out;
  out.reserve(66);
  out.append(1, '[');
  out.append(sql.substr(0, 60));
  if (sql.size() > 60) out.append("...");
  out.append(1, ']');
  return out;
}

ErrorCode error_code_for(int code) {
  switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return ErrorCode::kParseError;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kIoError;
    case SQLITE_CONSTRAINT:
      return ErrorCode::kInvalidArgument;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Error make_sqlite_error(const std::string& path, const std::string& what, int code, const char* message) {
  std::string text = path + ": " + what + ": ";
  text += message != nullptr ? message : sqlite3_errstr(code);
  text += " (";
  text += sqlite3_errstr(code);
  text += ", code " + std::to_string(code) + ")";
  return make_error(error_code_for(code), text);
}

// ---- Stmt

Error Stmt::error(int code, const std::string& what) const {
  return make_sqlite_error(path_, what + " " + sql_excerpt(sql_), code, sqlite3_errmsg(db_));
}

Status Stmt::reset() {
  sqlite3_reset(stmt_.get());  // returns the last step's error, already reported
  sqlite3_clear_bindings(stmt_.get());
  return Status::Ok();
}

Status Stmt::bind(const std::vector<Param>& params) {
  NNLAT_RETURN_IF_ERROR(reset());
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt_.get())) {
    return make_error(ErrorCode::kInternal, path_ + ": wrong parameter count for [" + sql_ + "]");
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(params[i])) {
      rc = sqlite3_bind_null(stmt_.get(), index);
    } else if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(stmt_.get(), index, *v);
    } else if (const auto* d = std::get_if<double>(&params[i])) {
      rc = sqlite3_bind_double(stmt_.get(), index, *d);
    } else {
      const auto& s = std::get<std::string_view>(params[i]);
      rc = sqlite3_bind_text64(stmt_.get(), index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) return error(rc, "bind parameter " + std::to_string(index));
  }
  return Status::Ok();
}

Result<bool> Stmt::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error(rc, "statement failed");
}

Status Stmt::run(const std::vector<Param>& params) {
  NNLAT_RETURN_IF_ERROR(bind(params));
  NNLAT_ASSIGN_OR_RETURN(bool row, step());
  (void)row;  // PRAGMAs may return a row; it is ignored
  return Status::Ok();
}

Result<int64_t> Stmt::query_int64(const std::vector<Param>& params) {
  NNLAT_RETURN_IF_ERROR(bind(params));
  NNLAT_ASSIGN_OR_RETURN(bool row, step());
  if (!row) return error(SQLITE_DONE, "no result");
  const int64_t value = column_int64(0);
  NNLAT_RETURN_IF_ERROR(reset());
  return value;
}

bool Stmt::is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
int64_t Stmt::column_int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Stmt::column_double(int column) const { return sqlite3_column_double(stmt_.get(), column); }
std::string Stmt::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}
std::optional<int64_t> Stmt::column_optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}
std::optional<std::string> Stmt::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

// ---- Db

Result<Db> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(path, raw);  // closes the handle on every path out
  if (rc != SQLITE_OK) {
    return make_sqlite_error(path, "cannot open database", rc, raw != nullptr ? sqlite3_errmsg(raw) : nullptr);
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<Stmt> Db::prepare(std::string_view sql) const {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Stmt stmt(db_.get(), path_, std::string(sql), raw);
  if (rc != SQLITE_OK) return stmt.error(rc, "cannot prepare statement");
  if (raw == nullptr) return make_error(ErrorCode::kInternal, path_ + ": empty statement");
  return stmt;
}

Status Db::exec(const std::string& sql) const {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    Error e = make_sqlite_error(path_, sql_excerpt(sql), rc, message != nullptr ? message : sqlite3_errmsg(db_.get()));
    sqlite3_free(message);
    return e;
  }
  return Status::Ok();
}

Result<std::string> Db::query_text(std::string_view sql) const {
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql));
  NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return error(ErrorCode::kInternal, "no result for " + sql_excerpt(sql));
  return stmt.column_text(0);
}

Result<int64_t> Db::query_int64(std::string_view sql, const std::vector<Param>& params) const {
  NNLAT_ASSIGN_OR_RETURN(Stmt stmt, prepare(sql));
  NNLAT_RETURN_IF_ERROR(stmt.bind(params));
  NNLAT_ASSIGN_OR_RETURN(bool row, stmt.step());
  if (!row) return error(ErrorCode::kInternal, "no result for " + sql_excerpt(sql));
  return stmt.column_int64(0);
}

// ---- Transaction

Result<Transaction> Transaction::begin(const Db& db) {
  const bool nested = sqlite3_get_autocommit(db.handle()) == 0;
  NNLAT_RETURN_IF_ERROR(db.exec(nested ? "SAVEPOINT nnlat_nested" : "BEGIN IMMEDIATE"));
  return Transaction(&db, nested);
}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  // A savepoint of the same name nests: these reach the innermost one, this transaction's.
  const char* sql = nested_ ? "ROLLBACK TO nnlat_nested; RELEASE nnlat_nested" : "ROLLBACK";
  sqlite3_exec(db_->handle(), sql, nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  if (db_ == nullptr) return make_error(ErrorCode::kInternal, "transaction already finished");
  const Db* db = db_;
  Status s = db->exec(nested_ ? "RELEASE nnlat_nested" : "COMMIT");
  if (s.ok()) db_ = nullptr;  // on failure the destructor rolls back
  return s;
}

}  // namespace nnlat::store::sqlite
