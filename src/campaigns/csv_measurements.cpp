#include "nnlat/campaigns/csv_measurements.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "campaigns/dataset_import.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::campaigns {

Result<ModelColumnFormat> parse_model_column_format(std::string_view name) {
  if (name == "nb201") return ModelColumnFormat::kNb201;
  if (name == "nb101") return ModelColumnFormat::kNb101;
  if (name == "zoo") return ModelColumnFormat::kZoo;
  if (name == "path") return ModelColumnFormat::kPath;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown model column format '" + std::string(name) + "' (nb201 | nb101 | zoo | path)");
}

namespace {

std::string reference_of(ModelColumnFormat format, const std::string& value) {
  switch (format) {
    case ModelColumnFormat::kNb201:
      return value.rfind("nb201:", 0) == 0 ? value : "nb201:" + value;
    case ModelColumnFormat::kNb101:
      return value.rfind("nb101:", 0) == 0 ? value : "nb101:" + value;
    case ModelColumnFormat::kZoo:
      return value.rfind("zoo:", 0) == 0 ? value : "zoo:" + value;
    case ModelColumnFormat::kPath:
      break;
  }
  return value;
}

}  // namespace

Result<CsvImportSummary> import_csv_measurements(store::Store& store, const CsvImportOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(options.csv_path));
  NNLAT_ASSIGN_OR_RETURN(CsvTable table, parse_csv(text, options.csv_path));
  const auto model_col = table.column(options.model_column);
  if (!model_col) {
    return make_error(ErrorCode::kInvalidArgument,
                      options.csv_path + ": no column '" + options.model_column + "' in the header");
  }
  if (options.target_columns.empty()) {
    return make_error(ErrorCode::kInvalidArgument, options.csv_path + ": no target columns given");
  }
  std::vector<size_t> target_cols;
  std::vector<measure::TargetName> targets;
  for (const auto& c : options.target_columns) {
    const auto col = table.column(c);
    if (!col)
      return make_error(ErrorCode::kInvalidArgument, options.csv_path + ": no column '" + c + "' in the header");
    auto name = measure::parse_target_name(c);
    if (!name.ok()) return name.error().with_context(options.csv_path + ": column '" + c + "'");
    target_cols.push_back(*col);
    targets.push_back(*name);
  }

  // Every network and every value is checked before the first write.
  std::vector<int64_t> network_ids;
  std::vector<std::string> keys;
  std::vector<ir::Graph> graphs;
  std::set<std::string> seen;
  for (const auto& row : table.rows) {
    const std::string where = options.csv_path + ":" + std::to_string(row.line);
    const std::string& value = row.fields[*model_col];
    if (value.empty()) return make_error(ErrorCode::kParseError, where + ": empty model");
    auto graph = models::load_model(reference_of(options.format, value));
    if (!graph.ok()) return graph.error().with_context(where);
    if (!seen.insert(value).second)
      return make_error(ErrorCode::kParseError, where + ": model '" + value + "' repeated");
    for (size_t c : target_cols) {
      auto cell = parse_csv_number(row.fields[c], where + ": column '" + table.header[c] + "'");
      if (!cell.ok()) return cell.error();
    }
    graphs.push_back(std::move(*graph));
    keys.push_back(value);
  }

  CsvImportSummary summary;
  for (size_t r = 0; r < graphs.size(); ++r) {
    NNLAT_ASSIGN_OR_RETURN(int64_t id, store.upsert_network(graphs[r]));
    network_ids.push_back(id);
  }
  summary.networks = network_ids.size();
  measure::Environment env = measure::capture_environment();
  env.backend = kDatasetBackend;
  env.backend_version = "csv import of " + options.csv_path;
  for (size_t t = 0; t < targets.size(); ++t) {
    NNLAT_ASSIGN_OR_RETURN(int64_t target_id, store.upsert_target(targets[t], kDatasetBackend));
    std::vector<DatasetValue> values;
    for (size_t r = 0; r < table.rows.size(); ++r) {
      NNLAT_ASSIGN_OR_RETURN(auto v, parse_csv_number(table.rows[r].fields[target_cols[t]], options.csv_path));
      if (!v || *v <= 0) {
        ++summary.skipped;
        continue;
      }
      // One published value per cell: it is the central value; no samples, no spread.
      DatasetValue value{keys[r], network_ids[r], {}};
      value.record.measurement = published_measurement(*v * options.ms_per_unit, std::nullopt);
      value.record.environment = env;
      values.push_back(std::move(value));
    }
    const nlohmann::json args = {
        {"target", targets[t].str()}, {"file", stable_hash_hex(text)}, {"model_column", options.model_column}};
    NNLAT_ASSIGN_OR_RETURN(auto imported, import_target_values(store, "import-csv", target_id, targets[t].str(), args,
                                                               values, options.progress));
    summary.already_imported += imported.already;
    summary.measurements += imported.written.size();
  }
  return summary;
}

}  // namespace nnlat::campaigns
