#include "nnlat/campaigns/csv_measurements.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "campaigns/dataset_import.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/stored_network.hpp"

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

struct CsvRow {
  std::string where;  // file:line
  std::string key;    // the model column's value
  std::string reference;
  std::optional<models::SpaceEncoding> nas;
  std::optional<ir::Graph> graph;  // a network that is not a NAS encoding, built when read
};

// The store's id of each row's network. A NAS network the store already keeps (space +
// encoding) is found by its encoding: a re-import builds no graph. Any other NAS network is
// built here, one at a time, to compute its hash (the id that keys it, the same as a graph
// stored whole would have), and stored as its space and encoding.
Result<std::vector<int64_t>> network_ids_of(store::Store& store, std::vector<CsvRow>& rows) {
  std::map<std::string, std::map<std::string, int64_t>> stored;  // space → encoding → id
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (CsvRow& row : rows) {
    if (!row.nas) {
      NNLAT_ASSIGN_OR_RETURN(int64_t id, store.upsert_network(*row.graph));
      row.graph.reset();
      ids.push_back(id);
      continue;
    }
    auto space = stored.find(row.nas->space);
    if (space == stored.end()) {
      NNLAT_ASSIGN_OR_RETURN(auto by_encoding, store.network_ids_by_encoding(row.nas->space));
      space = stored.emplace(row.nas->space, std::move(by_encoding)).first;
    }
    if (const auto it = space->second.find(row.nas->encoding); it != space->second.end()) {
      ids.push_back(it->second);
      continue;
    }
    auto graph = models::build_space_graph(row.nas->space, row.nas->encoding, {});
    if (!graph.ok()) return graph.error().with_context(row.where);
    store::NetworkInfo info;
    info.space = row.nas->space;
    NNLAT_ASSIGN_OR_RETURN(int64_t id, store.upsert_network(*graph, info));
    space->second.emplace(row.nas->encoding, id);
    ids.push_back(id);
  }
  return ids;
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

  // Every reference and every value is checked before the first write. A NAS network is
  // only parsed here (space + canonical encoding): its graph is built later, and only when
  // the store does not hold it yet.
  std::vector<CsvRow> rows;
  rows.reserve(table.rows.size());
  std::set<std::string> seen;
  for (const auto& row : table.rows) {
    const std::string where = options.csv_path + ":" + std::to_string(row.line);
    const std::string& value = row.fields[*model_col];
    if (value.empty()) return make_error(ErrorCode::kParseError, where + ": empty model");
    if (!seen.insert(value).second)
      return make_error(ErrorCode::kParseError, where + ": model '" + value + "' repeated");
    CsvRow r{where, value, reference_of(options.format, value), std::nullopt, std::nullopt};
    auto nas = models::space_reference(r.reference);
    if (!nas.ok()) return nas.error().with_context(where);
    r.nas = std::move(*nas);
    if (!r.nas) {
      auto graph = models::load_model(r.reference);
      if (!graph.ok()) return graph.error().with_context(where);
      r.graph = std::move(*graph);
    }
    for (size_t c : target_cols) {
      auto cell = parse_csv_number(row.fields[c], where + ": column '" + table.header[c] + "'");
      if (!cell.ok()) return cell.error();
    }
    rows.push_back(std::move(r));
  }

  measure::Environment env = measure::capture_environment();
  env.backend = kDatasetBackend;
  env.backend_version = "csv import of " + options.csv_path;
  CsvImportSummary summary;
  // All writes are one transaction: a NAS network's graph is only built here, so a row can
  // still fail after others were written (its builder, a target stored with another
  // backend); the import then leaves the store as it found it, never half a table.
  NNLAT_RETURN_IF_ERROR(store.transaction([&]() -> Status {
    NNLAT_ASSIGN_OR_RETURN(std::vector<int64_t> network_ids, network_ids_of(store, rows));
    summary.networks = network_ids.size();
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
        // The item is the network (a short key: a NAS encoding is ~90 bytes, stored four times
        // per measurement); campaigns planned by older nnlat keyed items by the model column.
        DatasetValue value{"network:" + std::to_string(network_ids[r]), network_ids[r], {}, rows[r].key};
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
    return Status::Ok();
  }));
  return summary;
}

}  // namespace nnlat::campaigns
