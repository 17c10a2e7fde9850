// Writing a parsed mobile ML benchmark into the store: targets, networks, measurements.
#include <nlohmann/json.hpp>
#include <set>

#include "nnlat/backends/environment.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/importers/mlbench.hpp"

namespace nnlat::importers {
namespace {

constexpr const char* kBackend = "dataset";

backends::Measurement measurement_of(const MlbenchE2eValue& v) {
  // The benchmark publishes mean and standard deviation, not samples: the mean is the
  // central value (median_ms) and the minimum is unknown (set to the mean, never 0).
  backends::Measurement m;
  m.median_ms = v.mean_ms;
  m.mean_ms = v.mean_ms;
  m.min_ms = v.mean_ms;
  m.std_ms = v.std_ms.value_or(0.0);
  m.cv = v.std_ms ? *v.std_ms / v.mean_ms : 0.0;
  return m;
}

}  // namespace

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

  backends::Environment env = backends::capture_environment();
  env.backend = kBackend;
  env.backend_version = "mlbench import of " + options.e2e_path;
  const std::string files_hash =
      stable_hash_hex(e2e_text) + (options.ops_path ? ":" + stable_hash_hex(ops_text) : std::string());

  for (const std::string& target : e2e.targets) {
    NNLAT_ASSIGN_OR_RETURN(auto name, backends::parse_target_name(target));
    NNLAT_ASSIGN_OR_RETURN(int64_t target_id, store.upsert_target(name, kBackend));
    ++summary.targets;
    std::vector<const MlbenchE2eValue*> values;
    std::vector<std::string> items;
    for (const auto& v : e2e.values) {
      if (v.target != target || !network_of.contains(v.model)) continue;
      values.push_back(&v);
      items.push_back(v.model);
    }
    if (items.empty()) continue;
    const nlohmann::json args = {{"target", target}, {"files", files_hash}};
    NNLAT_ASSIGN_OR_RETURN(auto campaign, store.open_campaign(store::campaign_key("import-mlbench", args),
                                                              "import-mlbench", target_id, args, items));
    NNLAT_ASSIGN_OR_RETURN(auto pending, store.pending_items(campaign.id));
    const std::set<std::string> todo(pending.begin(), pending.end());
    summary.already_imported += items.size() - todo.size();
    size_t added = 0;
    for (const MlbenchE2eValue* v : values) {
      networks.insert(network_of[v->model]);
      if (!todo.contains(v->model)) continue;
      store::MeasurementRecord record;
      record.target_id = target_id;
      record.campaign_id = campaign.id;
      record.item_key = v->model;
      record.measurement = measurement_of(*v);
      record.environment = env;
      if (auto it = model_of.find(v->model); it != model_of.end()) {
        if (auto t = it->second->timings.find(target); t != it->second->timings.end()) {
          record.kernel_timings = t->second;
          ++summary.with_kernel_timings;
        }
      }
      NNLAT_RETURN_IF_ERROR(store.add_network_measurement(network_of[v->model], record));
      ++summary.measurements;
      ++added;
    }
    NNLAT_RETURN_IF_ERROR(store.finish_campaign(campaign.id));
    if (options.progress) {
      options.progress(target + ": " + std::to_string(added) + " measurements added, " +
                       std::to_string(items.size() - todo.size()) + " already imported");
    }
  }
  summary.networks = networks.size();
  return summary;
}

}  // namespace nnlat::importers
