// Writing a parsed mobile ML benchmark into the store: targets, networks, measurements.
#include <nlohmann/json.hpp>
#include <set>

#include "campaigns/dataset_import.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/measure/environment.hpp"

namespace nnlat::campaigns {

Result<ImportSummary> import_mlbench(store::Store& store, const ImportOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(std::string e2e_text, read_file(options.e2e_path));
  NNLAT_ASSIGN_OR_RETURN(MlbenchE2e e2e, parse_mlbench_e2e(e2e_text, options.e2e_path));
  std::string ops_text;
  MlbenchOps ops;
  if (options.ops_path) {
    NNLAT_ASSIGN_OR_RETURN(ops_text, read_file(*options.ops_path));
    NNLAT_ASSIGN_OR_RETURN(ops, parse_mlbench_ops(ops_text, *options.ops_path));
  }

  ImportSummary summary;
  summary.missing = e2e.missing + ops.missing;
  // Networks: from the op sequences, or (without an ops file) those imported before by name.
  std::map<std::string, int64_t> network_of;
  std::map<std::string, const MlbenchModel*> model_of;
  for (const auto& m : ops.models) {
    NNLAT_ASSIGN_OR_RETURN(int64_t id, store.upsert_network(m.graph, {m.name, "mlbench", "", mlbench_family(m.name)}));
    network_of[m.name] = id;
    model_of[m.name] = &m;
  }
  if (!options.ops_path) {
    NNLAT_ASSIGN_OR_RETURN(network_of, store.network_ids_by_name());
  }
  std::set<std::string> unknown;
  for (const auto& v : e2e.values) {
    if (!network_of.contains(v.model)) unknown.insert(v.model);
  }
  summary.unknown_models.assign(unknown.begin(), unknown.end());
  std::set<int64_t> networks;

  measure::Environment env = measure::capture_environment();
  env.backend = kDatasetBackend;
  env.backend_version = "mlbench import of " + options.e2e_path;
  const std::string files_hash =
      stable_hash_hex(e2e_text) + (options.ops_path ? ":" + stable_hash_hex(ops_text) : std::string());

  for (const std::string& target : e2e.targets) {
    NNLAT_ASSIGN_OR_RETURN(auto name, measure::parse_target_name(target));
    NNLAT_ASSIGN_OR_RETURN(int64_t target_id, store.upsert_target(name, kDatasetBackend));
    ++summary.targets;
    std::vector<DatasetValue> values;
    for (const auto& v : e2e.values) {
      if (v.target != target || !network_of.contains(v.model)) continue;
      networks.insert(network_of[v.model]);
      DatasetValue value{v.model, network_of[v.model], {}};
      value.record.measurement = published_measurement(v.mean_ms, v.std_ms);
      value.record.environment = env;
      if (auto it = model_of.find(v.model); it != model_of.end()) {
        if (auto t = it->second->timings.find(target); t != it->second->timings.end()) {
          value.record.kernel_timings = t->second;
        }
      }
      values.push_back(std::move(value));
    }
    const nlohmann::json args = {{"target", target}, {"files", files_hash}};
    NNLAT_ASSIGN_OR_RETURN(auto imported, import_target_values(store, "import-mlbench", target_id, target, args, values,
                                                               options.progress));
    summary.already_imported += imported.already;
    summary.measurements += imported.written.size();
    for (size_t i : imported.written) summary.with_kernel_timings += values[i].record.kernel_timings.empty() ? 0 : 1;
  }
  summary.networks = networks.size();
  return summary;
}

}  // namespace nnlat::campaigns
