// Bring-your-own end-to-end measurements: a CSV with a row per network and a column per
// target (`nnlat import csv`, docs/phones.md). Each network is built from its model column
// (a NAS-Bench-201 string, a NAS-Bench-101 spec file, a zoo name or a model file); each
// target is named exactly as its column.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::campaigns {

enum class ModelColumnFormat { kNb201, kNb101, kZoo, kPath };
Result<ModelColumnFormat> parse_model_column_format(std::string_view name);  // nb201|nb101|zoo|path

struct CsvImportOptions {
  std::string csv_path;
  std::string model_column;
  ModelColumnFormat format = ModelColumnFormat::kPath;
  std::vector<std::string> target_columns;
  double ms_per_unit = 1.0;                          // 1 for ms, 1e-3 for µs
  std::function<void(const std::string&)> progress;  // optional, one line per target
};

struct CsvImportSummary {
  size_t networks = 0;
  size_t measurements = 0;
  size_t already_imported = 0;
  size_t skipped = 0;  // cells missing, empty or non-positive
};

// Builds every row's network first (a bad reference is an error naming the file and line),
// then writes one measurement per positive cell; each target is a campaign keyed by the
// file's contents, so a re-run adds nothing twice.
Result<CsvImportSummary> import_csv_measurements(store::Store& store, const CsvImportOptions& options);

}  // namespace nnlat::campaigns
