#include "app/ready_recipe.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <set>

#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {
namespace {

constexpr const char* kKernelMethod = "opwise-gbdt";
constexpr const char* kNetworkMethod = "e2e-gbdt";
// Bumped when a build would give other predictors from the same files (a change of recipe
// that the fields of the key below do not show).
constexpr int kRecipeVersion = 1;

}  // namespace

std::string ready_method(bool kernel_timings) { return kernel_timings ? kKernelMethod : kNetworkMethod; }

Result<ReadyData> read_ready_data(const std::string& folder) {
  ReadyData d;
  d.folder = folder;
  d.e2e_path = (std::filesystem::path(folder) / kReadyE2eFile).string();
  d.ops_path = (std::filesystem::path(folder) / kReadyOpsFile).string();
  NNLAT_ASSIGN_OR_RETURN(d.e2e_text, read_file(d.e2e_path));
  NNLAT_ASSIGN_OR_RETURN(d.ops_text, read_file(d.ops_path));
  const std::string inputs = fmt::format(
      "recipe {} ({}: {}, else {}; {}-fold CV, seed {})\n{} {}\n{} {}\nfeature schema {} v{} {}\npredictor format {}\n",
      kRecipeVersion, "per-kernel timings", kKernelMethod, kNetworkMethod, kReadyCvFolds, kReadySeed, kReadyE2eFile,
      stable_hash_hex(d.e2e_text), kReadyOpsFile, stable_hash_hex(d.ops_text), features::kSchemaName,
      features::kSchemaVersion, features::schema_hash(), predictors::kPredictorVersion);
  d.key = stable_hash_hex(inputs);
  return d;
}

Result<std::vector<ReadyTarget>> ready_targets(const ReadyData& data) {
  NNLAT_ASSIGN_OR_RETURN(auto e2e, campaigns::parse_mlbench_e2e(data.e2e_text, data.e2e_path));
  NNLAT_ASSIGN_OR_RETURN(auto ops, campaigns::parse_mlbench_ops(data.ops_text, data.ops_path));
  std::set<std::string> with_ops;
  for (const auto& m : ops.models) with_ops.insert(m.name);
  std::map<std::string, size_t> networks;
  for (const auto& v : e2e.values) {
    if (with_ops.contains(v.model)) ++networks[v.target];
  }
  const std::set<std::string> timed(ops.targets.begin(), ops.targets.end());
  std::vector<ReadyTarget> out;
  for (const auto& name : e2e.targets) {
    if (networks[name] < static_cast<size_t>(kReadyCvFolds)) continue;  // too few for the stored CV
    const bool kernels = timed.contains(name);
    out.push_back({name, kernels, ready_method(kernels), networks[name]});
  }
  return out;
}

}  // namespace nnlat::app
