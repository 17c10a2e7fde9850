// What every importer of measurements taken elsewhere shares: how a published value becomes a
// measurement, and how one target's values are written as a resumable campaign (a re-run
// or a run after a kill adds nothing twice).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::campaigns {

// The backend name of targets whose measurements were imported.
inline constexpr const char* kDatasetBackend = "dataset";

// A published central value (and its spread when known) as a measurement. Datasets publish
// no samples; the minimum is unknown and set to the value, never 0.
measure::Measurement published_measurement(double ms, std::optional<double> std_ms);

// One value to write: the campaign item it completes, its network, and its record (target,
// campaign and item key are filled in when written).
struct DatasetValue {
  std::string item;
  int64_t network_id = 0;
  store::MeasurementRecord record;
  // The item's key in campaigns that an older nnlat planned with other keys ("" when the
  // same): reopening such a campaign resumes it under its stored keys.
  std::string legacy_item;
};

struct DatasetImport {
  std::vector<size_t> written;  // indices into the values, in order
  size_t already = 0;           // values imported before
};

// Writes `values` (their records get target, campaign and item filled in) on `target` as the campaign `kind` keyed by
// `arguments`, skipping items already measured in it, in one transaction, then reports one line through `progress`
// (when set).
Result<DatasetImport> import_target_values(store::Store& store, const std::string& kind, int64_t target_id,
                                           const std::string& target, const nlohmann::json& arguments,
                                           std::vector<DatasetValue>& values,
                                           const std::function<void(const std::string&)>& progress);

}  // namespace nnlat::campaigns
