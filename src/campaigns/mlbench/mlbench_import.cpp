// Writing a parsed mobile ML benchmark into the store: targets, networks, measurements.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "campaigns/dataset_import.hpp"
#include "campaigns/mlbench/mlbench_rows.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/csv.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::campaigns {
namespace {

// Which framework the files are: the flag, else what the operation names say, else a
// `torch` prefix of the end-to-end file's name, else TFLite. Sets summary.framework(_from).
Status resolve_framework(const ImportOptions& options, const MlbenchOps* ops, ImportSummary& summary) {
  if (options.framework) {
    summary.framework = *options.framework;
    summary.framework_from = "--framework";
    if (ops && !ops->models.empty() && ops->framework != *options.framework) {
      return make_error(ErrorCode::kInvalidArgument,
                        *options.ops_path + ": --framework " + std::string(mlbench_framework_name(*options.framework)) +
                            " but the file names " + std::string(mlbench_framework_name(ops->framework)) +
                            " operations");
    }
  } else if (ops && !ops->models.empty()) {
    summary.framework = ops->framework;
    summary.framework_from = "operation names";
  } else if (std::filesystem::path(options.e2e_path).filename().string().rfind("torch", 0) == 0) {
    summary.framework = MlbenchFramework::kTorch;
    summary.framework_from = "file name";
  } else {
    summary.framework = MlbenchFramework::kTflite;
    summary.framework_from = "default";
  }
  return Status::Ok();
}

// Without a per-operation file, a PyTorch Mobile GPU column's API comes from the targets
// imported before for that phone (`pixel4:torch-vulkan:float`).
Result<std::map<std::string, std::string>> known_gpu_apis(const store::Store& store, std::string_view e2e_text,
                                                          const std::string& source) {
  NNLAT_ASSIGN_OR_RETURN(CsvTable t, parse_csv(e2e_text, source));
  std::map<std::string, std::string> apis;
  for (const auto& column : t.header) {
    const auto parts = mlbench_rows::split_header(column);
    if (parts.size() != 4 || parts[1] != "gpu") continue;
    for (const char* api : {"vulkan", "metal"}) {
      if (store.target_id(parts[0] + ":torch-" + api + ":" + parts[2]).ok()) apis[parts[0]] = api;
    }
  }
  return apis;
}

// The end-to-end models without a network yet whose checkpoint name the zoo knows (the
// transformer files, which have no op rows): their graphs built from the zoo, stored under the
// framework's source like the networks of its op files, named by the checkpoint and of the
// zoo entry's family. Built before the first write, so a zoo error leaves the store as it was.
struct ZooNetwork {
  std::string checkpoint;
  std::string family;
  ir::Graph graph;
};

Result<std::vector<ZooNetwork>> zoo_networks(const MlbenchE2e& e2e, const std::map<std::string, int64_t>& network_of) {
  std::set<std::string> seen;
  std::vector<ZooNetwork> out;
  for (const auto& v : e2e.values) {
    if (network_of.contains(v.model) || !seen.insert(v.model).second) continue;
    const auto ref = models::zoo_ref_for_checkpoint(v.model);
    if (!ref) continue;
    const models::ZooEntry* entry = models::find_zoo_entry(*ref);
    auto graph = models::load_model("zoo:" + *ref);
    if (!entry || !graph.ok()) {
      return make_error(ErrorCode::kInternal,
                        "checkpoint '" + v.model + "' maps to zoo:" + *ref + ", which does not build" +
                            (graph.ok() ? std::string(" (no such zoo entry)") : ": " + graph.error().message));
    }
    out.push_back({v.model, std::string(entry->family), std::move(*graph)});
  }
  return out;
}

// The writes of an import: networks, targets, measurements. `files_hash` keys its campaigns.
Status write_mlbench(store::Store& store, const ImportOptions& options, const MlbenchOps& ops, const MlbenchE2e& e2e,
                     const std::string& files_hash, ImportSummary& summary) {
  // Networks: from the op sequences, or (without an ops file) those imported before by name.
  std::map<std::string, int64_t> network_of;
  std::map<std::string, const MlbenchModel*> model_of;
  for (const auto& m : ops.models) {
    NNLAT_ASSIGN_OR_RETURN(int64_t id, store.upsert_network(m.graph, {m.name, mlbench_network_source(ops.framework), "",
                                                                      mlbench_family(m.name), ""}));
    network_of[m.name] = id;
    model_of[m.name] = &m;
  }
  if (!options.ops_path) {
    NNLAT_ASSIGN_OR_RETURN(network_of, store.network_ids_by_name(mlbench_network_source(summary.framework)));
  }
  NNLAT_ASSIGN_OR_RETURN(auto from_zoo, zoo_networks(e2e, network_of));
  for (const auto& z : from_zoo) {
    NNLAT_ASSIGN_OR_RETURN(
        int64_t id,
        store.upsert_network(z.graph, {z.checkpoint, mlbench_network_source(summary.framework), "", z.family, ""}));
    network_of[z.checkpoint] = id;
  }
  summary.from_zoo = from_zoo.size();
  std::set<std::string> unknown;
  for (const auto& v : e2e.values) {
    if (!network_of.contains(v.model)) unknown.insert(v.model);
  }
  summary.unknown_models.assign(unknown.begin(), unknown.end());
  std::set<int64_t> networks;

  measure::Environment env = measure::capture_environment();
  env.backend = kDatasetBackend;
  env.backend_version = "mlbench import of " + options.e2e_path;

  for (const std::string& target : e2e.targets) {
    NNLAT_ASSIGN_OR_RETURN(auto name, measure::parse_target_name(target));
    NNLAT_ASSIGN_OR_RETURN(int64_t target_id, store.upsert_target(name, kDatasetBackend));
    ++summary.targets;
    std::vector<DatasetValue> values;
    for (const auto& v : e2e.values) {
      if (v.target != target || !network_of.contains(v.model)) continue;
      networks.insert(network_of[v.model]);
      DatasetValue value{v.model, network_of[v.model], {}, {}};
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
  return Status::Ok();
}

}  // namespace

Result<ImportSummary> import_mlbench(store::Store& store, const ImportOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(std::string e2e_text, read_file(options.e2e_path));
  std::string ops_text;
  MlbenchOps ops;
  if (options.ops_path) {
    NNLAT_ASSIGN_OR_RETURN(ops_text, read_file(*options.ops_path));
    NNLAT_ASSIGN_OR_RETURN(ops, parse_mlbench_ops(ops_text, *options.ops_path));
  }
  ImportSummary summary;
  NNLAT_RETURN_IF_ERROR(resolve_framework(options, options.ops_path ? &ops : nullptr, summary));
  MlbenchNaming naming{summary.framework, ops.gpu_api};
  if (summary.framework == MlbenchFramework::kTorch && !options.ops_path) {
    NNLAT_ASSIGN_OR_RETURN(naming.gpu_api, known_gpu_apis(store, e2e_text, options.e2e_path));
  }
  NNLAT_ASSIGN_OR_RETURN(MlbenchE2e e2e, parse_mlbench_e2e(e2e_text, options.e2e_path, naming));

  summary.missing = e2e.missing + ops.missing;
  summary.metal_rows_repaired = ops.metal_rows_repaired;
  const std::string files_hash =
      stable_hash_hex(e2e_text) + (options.ops_path ? ":" + stable_hash_hex(ops_text) : std::string());
  // All writes are one transaction: one can fail after others were made (a target column
  // stored before with another backend, a bad value), and the import then leaves the store as
  // it found it, never some of the files' targets or networks.
  NNLAT_RETURN_IF_ERROR(
      store.transaction([&]() -> Status { return write_mlbench(store, options, ops, e2e, files_hash, summary); }));
  return summary;
}

}  // namespace nnlat::campaigns
