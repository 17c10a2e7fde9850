// The store's schema (docs/store.md) and the checks made when a store is opened.
#pragma once

#include <string>

#include "nnlat/core/status.hpp"
#include "store/sqlite.hpp"

namespace nnlat::store {

// Configures the connection (busy timeout, WAL, foreign keys, synchronous=NORMAL), then
// creates the schema in an empty database or checks an existing one: the application id,
// the schema_version table and the version.
Status prepare_store(const sqlite::Db& db, int busy_timeout_ms);

// The SQL script that makes an empty database a store at schema `version` (1 up to
// kSchemaVersion), as the nnlat of that version made it: tests write old stores with it to
// check their migration.
std::string schema_script(int version);

}  // namespace nnlat::store
