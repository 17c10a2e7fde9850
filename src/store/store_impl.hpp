// The store's private state, shared by the files that implement Store (store.cpp, drift.cpp).
#pragma once

#include <utility>

#include "nnlat/store/store.hpp"
#include "store/sqlite.hpp"

namespace nnlat::store {

struct Store::Impl {
  explicit Impl(sqlite::Db database) : db(std::move(database)) {}
  sqlite::Db db;
};

}  // namespace nnlat::store
