#include "store/schema.hpp"

#include <iterator>
#include <string>

#include "nnlat/store/store.hpp"

namespace nnlat::store {
namespace {

#define NNLAT_NOW "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

// Version 1. Keep docs/store.md in step with this text.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE schema_version (
  version       INTEGER PRIMARY KEY,
  applied       TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(,
  nnlat_version TEXT NOT NULL
);

CREATE TABLE targets (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL UNIQUE,
  device    TEXT NOT NULL,
  config    TEXT NOT NULL,
  precision TEXT NOT NULL,
  backend   TEXT NOT NULL,
  created   TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(
);

CREATE TABLE networks (
  id         INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  source     TEXT NOT NULL,
  encoding   TEXT NOT NULL,
  family     TEXT NOT NULL,
  macs       INTEGER NOT NULL,
  params     INTEGER NOT NULL,
  graph_json TEXT NOT NULL,
  created    TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(
);

CREATE TABLE kernels (
  id            INTEGER PRIMARY KEY,
  hash          TEXT NOT NULL UNIQUE,
  type          TEXT NOT NULL,
  features_json TEXT NOT NULL,
  graph_json    TEXT NOT NULL,
  created       TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(
);

CREATE TABLE campaigns (
  id             INTEGER PRIMARY KEY,
  key            TEXT NOT NULL UNIQUE,
  kind           TEXT NOT NULL,
  target_id      INTEGER NOT NULL REFERENCES targets(id),
  arguments_json TEXT NOT NULL,
  planned_items  INTEGER NOT NULL,
  created        TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(,
  finished       TEXT
);

-- The primary-key columns come first: SQLite 3.40's integrity_check reports false "NULL
-- value" errors for a WITHOUT ROWID table whose key columns are declared out of order.
CREATE TABLE campaign_items (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  item_key    TEXT NOT NULL CHECK (item_key <> ''),
  position    INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, item_key),
  UNIQUE (campaign_id, position)
) WITHOUT ROWID;

CREATE TABLE network_measurements (
  id               INTEGER PRIMARY KEY,
  target_id        INTEGER NOT NULL REFERENCES targets(id),
  network_id       INTEGER NOT NULL REFERENCES networks(id),
  campaign_id      INTEGER REFERENCES campaigns(id),
  item_key         TEXT,
  protocol_json    TEXT NOT NULL,
  median_ms        REAL NOT NULL,
  mean_ms          REAL NOT NULL,
  std_ms           REAL NOT NULL,
  cv               REAL NOT NULL,
  min_ms           REAL NOT NULL,
  n_samples        INTEGER NOT NULL,
  samples_json     TEXT NOT NULL,
  unstable         INTEGER NOT NULL CHECK (unstable IN (0, 1)),
  remeasures       INTEGER NOT NULL,
  environment_json TEXT NOT NULL,
  created          TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(,
  CHECK ((campaign_id IS NULL) = (item_key IS NULL)),
  UNIQUE (campaign_id, item_key),
  FOREIGN KEY (campaign_id, item_key) REFERENCES campaign_items(campaign_id, item_key)
);
CREATE INDEX network_measurements_by_target ON network_measurements(target_id, network_id);

CREATE TABLE kernel_measurements (
  id               INTEGER PRIMARY KEY,
  target_id        INTEGER NOT NULL REFERENCES targets(id),
  kernel_id        INTEGER NOT NULL REFERENCES kernels(id),
  campaign_id      INTEGER REFERENCES campaigns(id),
  item_key         TEXT,
  protocol_json    TEXT NOT NULL,
  median_ms        REAL NOT NULL,
  mean_ms          REAL NOT NULL,
  std_ms           REAL NOT NULL,
  cv               REAL NOT NULL,
  min_ms           REAL NOT NULL,
  n_samples        INTEGER NOT NULL,
  samples_json     TEXT NOT NULL,
  unstable         INTEGER NOT NULL CHECK (unstable IN (0, 1)),
  remeasures       INTEGER NOT NULL,
  environment_json TEXT NOT NULL,
  created          TEXT NOT NULL DEFAULT )sql" NNLAT_NOW R"sql(,
  CHECK ((campaign_id IS NULL) = (item_key IS NULL)),
  UNIQUE (campaign_id, item_key),
  FOREIGN KEY (campaign_id, item_key) REFERENCES campaign_items(campaign_id, item_key)
);
CREATE INDEX kernel_measurements_by_target ON kernel_measurements(target_id, kernel_id);

-- Measurements are append-only data (DESIGN.md principle 8).
CREATE TRIGGER network_measurements_no_update BEFORE UPDATE ON network_measurements
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
CREATE TRIGGER network_measurements_no_delete BEFORE DELETE ON network_measurements
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
CREATE TRIGGER kernel_measurements_no_update BEFORE UPDATE ON kernel_measurements
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
CREATE TRIGGER kernel_measurements_no_delete BEFORE DELETE ON kernel_measurements
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
)sql";

// Version 2 adds the per-kernel breakdown of a network measurement: what a runtime's profiler
// (OpenCL events) or a dataset's per-op table reports for the kernels of one network run,
// including the implementation the runtime chose (predictors learn that choice).
constexpr const char* kSchemaV2Delta = R"sql(
CREATE TABLE kernel_timings (
  measurement_id INTEGER NOT NULL REFERENCES network_measurements(id),
  position       INTEGER NOT NULL CHECK (position >= 0),
  name           TEXT NOT NULL,
  implementation TEXT NOT NULL,
  latency_ms     REAL NOT NULL CHECK (latency_ms >= 0),
  PRIMARY KEY (measurement_id, position)
) WITHOUT ROWID;
CREATE TRIGGER kernel_timings_no_update BEFORE UPDATE ON kernel_timings
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
CREATE TRIGGER kernel_timings_no_delete BEFORE DELETE ON kernel_timings
BEGIN SELECT RAISE(ABORT, 'measurements are append-only'); END;
)sql";

// Version 3 makes a store hold NAS-scale datasets (docs/store.md, "NAS networks"):
// - a NAS network is kept as its space and encoding (`networks.space`), its graph rebuilt on
//   demand, instead of ~55 KB of graph JSON each;
// - the protocol and environment of a measurement are kept once per distinct text
//   (`json_texts`), referenced by id, instead of ~600 bytes on every row: a dataset import
//   writes one environment for hundreds of thousands of measurements.
// Rows written before keep their inline texts and graphs; readers take either.
constexpr const char* kSchemaV3Delta = R"sql(
ALTER TABLE networks ADD COLUMN space TEXT NOT NULL DEFAULT '';
CREATE TABLE json_texts (
  id   INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  text TEXT NOT NULL
);
ALTER TABLE network_measurements ADD COLUMN protocol_ref INTEGER REFERENCES json_texts(id);
ALTER TABLE network_measurements ADD COLUMN environment_ref INTEGER REFERENCES json_texts(id);
ALTER TABLE kernel_measurements ADD COLUMN protocol_ref INTEGER REFERENCES json_texts(id);
ALTER TABLE kernel_measurements ADD COLUMN environment_ref INTEGER REFERENCES json_texts(id);
)sql";

#undef NNLAT_NOW

const char* nnlat_version_text() {
#ifdef NNLAT_VERSION
  return NNLAT_VERSION;
#else
  return "unknown";
#endif
}

Status record_version(const sqlite::Db& db, int64_t version) {
  NNLAT_RETURN_IF_ERROR(db.exec("PRAGMA user_version=" + std::to_string(version) + ";"));
  NNLAT_ASSIGN_OR_RETURN(auto insert, db.prepare("INSERT INTO schema_version (version, nnlat_version) VALUES (?, ?)"));
  return insert.run({version, std::string_view(nnlat_version_text())});
}

}  // namespace

std::string schema_script(int version) {
  const char* deltas[] = {kSchemaV1, kSchemaV2Delta, kSchemaV3Delta};
  static_assert(std::size(deltas) == kSchemaVersion);
  std::string sql = "PRAGMA application_id=" + std::to_string(kApplicationId) + ";\n";
  for (int v = 1; v <= version && v <= kSchemaVersion; ++v) {
    sql += deltas[v - 1];
    sql += "INSERT INTO schema_version (version, nnlat_version) VALUES (" + std::to_string(v) + ", 'test');\n";
  }
  return sql + "PRAGMA user_version=" + std::to_string(version) + ";\n";
}

Status prepare_store(const sqlite::Db& db, int busy_timeout_ms) {
  if (busy_timeout_ms < 0) return db.error(ErrorCode::kInvalidArgument, "busy timeout must be >= 0");
  if (const int rc = sqlite3_busy_timeout(db.handle(), busy_timeout_ms); rc != SQLITE_OK) {
    return sqlite::make_sqlite_error(db.path(), "cannot set busy timeout", rc, sqlite3_errmsg(db.handle()));
  }
  // The first read of the file: a file that is not SQLite, or a store cut short by a partial
  // copy, fails here. Said in words, not as the statement that happened to read it first.
  if (auto first = db.query_int64("SELECT count(*) FROM sqlite_schema"); !first.ok()) {
    if (first.error().code != ErrorCode::kParseError) return first.error();
    return db.error(
        ErrorCode::kParseError,
        std::string("not a database, or a damaged one (truncated or overwritten): ") + sqlite3_errmsg(db.handle()));
  }
  NNLAT_ASSIGN_OR_RETURN(std::string mode, db.query_text("PRAGMA journal_mode=WAL"));
  if (mode != "wal" && mode != "memory") {
    return db.error(ErrorCode::kIoError, "cannot switch to WAL journal mode (mode is '" + mode + "')");
  }
  NNLAT_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"));

  NNLAT_ASSIGN_OR_RETURN(auto tx, sqlite::Transaction::begin(db));
  NNLAT_ASSIGN_OR_RETURN(int64_t app_id, db.query_int64("PRAGMA application_id"));
  NNLAT_ASSIGN_OR_RETURN(int64_t objects, db.query_int64("SELECT count(*) FROM sqlite_schema"));
  if (app_id != 0 && app_id != kApplicationId) {
    return db.error(ErrorCode::kParseError,
                    "not an nnlat store (SQLite application id " + std::to_string(app_id) + ")");
  }
  if (objects == 0) {
    NNLAT_RETURN_IF_ERROR(db.exec(kSchemaV1));
    NNLAT_RETURN_IF_ERROR(db.exec("PRAGMA application_id=" + std::to_string(kApplicationId) + ";"));
    NNLAT_RETURN_IF_ERROR(record_version(db, 1));
    NNLAT_RETURN_IF_ERROR(db.exec(kSchemaV2Delta));
    NNLAT_RETURN_IF_ERROR(record_version(db, 2));
    NNLAT_RETURN_IF_ERROR(db.exec(kSchemaV3Delta));
    NNLAT_RETURN_IF_ERROR(record_version(db, 3));
    return tx.commit();
  }
  NNLAT_ASSIGN_OR_RETURN(
      int64_t has_version_table,
      db.query_int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'"));
  if (has_version_table == 0) {
    return db.error(ErrorCode::kParseError, "not an nnlat store (an SQLite database without a schema_version table)");
  }
  NNLAT_ASSIGN_OR_RETURN(int64_t version, db.query_int64("SELECT coalesce(max(version), 0) FROM schema_version"));
  if (version > kSchemaVersion) {
    return db.error(ErrorCode::kUnsupported, "store schema version " + std::to_string(version) +
                                                 " is newer than this nnlat supports (" +
                                                 std::to_string(kSchemaVersion) + "); upgrade nnlat");
  }
  if (version < 1) {
    return db.error(ErrorCode::kUnsupported, "unknown store schema version " + std::to_string(version) +
                                                 " (this nnlat reads version " + std::to_string(kSchemaVersion) + ")");
  }
  // Migrations, each in this one transaction: a failure leaves the store as it was.
  if (version < 2) {
    NNLAT_RETURN_IF_ERROR(db.exec(kSchemaV2Delta));
    NNLAT_RETURN_IF_ERROR(record_version(db, 2));
  }
  if (version < 3) {
    NNLAT_RETURN_IF_ERROR(db.exec(kSchemaV3Delta));
    NNLAT_RETURN_IF_ERROR(record_version(db, 3));
  }
  return tx.commit();
}

}  // namespace nnlat::store
