// Checks of what an import wrote into a store, shared by the dataset targets.
#pragma once

#include <string_view>

#include "fuzz_support.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::fuzz {

// A fresh store in memory (SQLite's ":memory:"), one per input.
store::Store memory_store();

// Every network measurement finite and positive (never a silent 0 ms), every kernel
// measurement finite and not negative, and every stored network's graph an accepted model
// (check_accepted_graph).
void check_stored_measurements(const store::Store& store, std::string_view where);

// What the dataset targets do with an import's result: a refusal must say why; an accepted
// import leaves a store that passes check_stored_measurements.
template <class Summary>
void check_store_import(const Result<Summary>& imported, const store::Store& store, std::string_view where) {
  if (!imported.ok()) return require_clear_error(imported.error(), where);
  check_stored_measurements(store, where);
}

}  // namespace nnlat::fuzz
