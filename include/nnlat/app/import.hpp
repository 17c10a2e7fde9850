// `nnlat import mlbench|csv`: measurements taken elsewhere (phone datasets, a user's own
// table) into a store, where predictors learn from them like from our own profiling.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/campaigns/csv_measurements.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

using ProgressLine = std::function<void(const std::string&)>;  // one line per target; may be empty

struct MlbenchImportRequest {
  std::string e2e;        // end-to-end CSV
  std::string ops;        // per-operation GPU CSV; empty: the models are already in the store
  std::string db;         // created if absent
  std::string framework;  // "tflite" | "torch"; empty: from the files (campaigns::ImportOptions)
};
struct MlbenchImportResult {
  std::string db;
  campaigns::ImportSummary summary;

  nlohmann::json to_json() const;
  std::string to_text() const;
  // Models left out for want of an op sequence, as a one-line warning; nothing when none.
  std::optional<std::string> warning() const;
};
Result<MlbenchImportResult> import_mlbench(const MlbenchImportRequest& request, const ProgressLine& progress);

struct CsvImportRequest {
  std::string csv;
  std::string model_column;
  std::string format;  // nb201 | nb101 | zoo | path
  std::vector<std::string> target_columns;
  std::string unit = "ms";  // ms | us
  std::string db;           // created if absent
};
struct CsvImportResult {
  std::string db;
  campaigns::CsvImportSummary summary;

  nlohmann::json to_json() const;
  std::string to_text() const;
};
Result<CsvImportResult> import_csv(const CsvImportRequest& request, const ProgressLine& progress);

}  // namespace nnlat::app
