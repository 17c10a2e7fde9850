#include "nnlat/app/import.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "nnlat/store/store.hpp"

namespace nnlat::app {

Result<MlbenchImportResult> import_mlbench(const MlbenchImportRequest& request, const ProgressLine& progress) {
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
  campaigns::ImportOptions options;
  options.e2e_path = request.e2e;
  if (!request.ops.empty()) options.ops_path = request.ops;
  if (!request.framework.empty()) {
    NNLAT_ASSIGN_OR_RETURN(options.framework, campaigns::parse_mlbench_framework(request.framework));
  }
  options.progress = progress;
  NNLAT_ASSIGN_OR_RETURN(auto summary, campaigns::import_mlbench(store, options));
  return MlbenchImportResult{request.db, std::move(summary)};
}

nlohmann::json MlbenchImportResult::to_json() const {
  const auto& s = summary;
  return {{"framework", campaigns::mlbench_framework_name(s.framework)},
          {"framework_from", s.framework_from},
          {"targets", s.targets},
          {"networks", s.networks},
          {"measurements", s.measurements},
          {"already_imported", s.already_imported},
          {"with_kernel_timings", s.with_kernel_timings},
          {"missing", s.missing},
          {"from_zoo", s.from_zoo},
          {"metal_rows_repaired", s.metal_rows_repaired},
          {"unknown_models", s.unknown_models}};
}

std::string MlbenchImportResult::to_text() const {
  const auto& s = summary;
  return fmt::format(
      "imported {} measurements ({} with per-kernel GPU timings) of {} networks ({} built from the zoo by "
      "checkpoint name) on {} {} targets into {}; {} already there, {} cells missing (framework from {}){}\n",
      s.measurements, s.with_kernel_timings, s.networks, s.from_zoo, s.targets,
      campaigns::mlbench_framework_name(s.framework), db, s.already_imported, s.missing, s.framework_from,
      s.metal_rows_repaired == 0
          ? std::string()
          : fmt::format("; {} Metal op times re-paired with their rows (docs/phones.md)", s.metal_rows_repaired));
}

std::optional<std::string> MlbenchImportResult::warning() const {
  const auto& unknown = summary.unknown_models;
  if (unknown.empty()) return std::nullopt;
  return fmt::format(
      "{} models have neither an op sequence (pass --ops) nor a zoo model of their checkpoint name, and were not "
      "imported: {}",
      unknown.size(), fmt::join(unknown, ", "));
}

Result<CsvImportResult> import_csv(const CsvImportRequest& request, const ProgressLine& progress) {
  NNLAT_ASSIGN_OR_RETURN(auto format, campaigns::parse_model_column_format(request.format));
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
  campaigns::CsvImportOptions options;
  options.csv_path = request.csv;
  options.model_column = request.model_column;
  options.format = format;
  options.target_columns = request.target_columns;
  options.ms_per_unit = request.unit == "us" ? 1e-3 : 1.0;
  options.progress = progress;
  NNLAT_ASSIGN_OR_RETURN(auto summary, campaigns::import_csv_measurements(store, options));
  return CsvImportResult{request.db, std::move(summary)};
}

nlohmann::json CsvImportResult::to_json() const {
  const auto& s = summary;
  return {{"networks", s.networks},
          {"measurements", s.measurements},
          {"already_imported", s.already_imported},
          {"skipped", s.skipped}};
}

std::string CsvImportResult::to_text() const {
  const auto& s = summary;
  return fmt::format(
      "imported {} measurements of {} networks into {}; {} already there, {} cells skipped (missing or "
      "not positive)\n",
      s.measurements, s.networks, db, s.already_imported, s.skipped);
}

}  // namespace nnlat::app
