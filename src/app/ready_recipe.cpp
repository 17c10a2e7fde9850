#include "app/ready_recipe.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <set>

#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/models/zoo.hpp"
#include "nnlat/predictors/predictor.hpp"

namespace nnlat::app {
namespace {

constexpr const char* kKernelMethod = "opwise-gbdt";
constexpr const char* kNetworkMethod = "e2e-gbdt";
// Bumped when a build would give other predictors from the same files (a change of recipe
// that the fields of the key below do not show).
// 2: PyTorch Mobile targets; 3: transformers train the core sets; 4: core sets keep the CNN-only
// model too, for networks without attention (docs/ready-predictors.md)
constexpr int kRecipeVersion = 4;

}  // namespace

std::string ready_method(bool kernel_timings) { return kernel_timings ? kKernelMethod : kNetworkMethod; }

Result<ReadyData> read_ready_data(const std::string& folder) {
  ReadyData d;
  d.folder = folder;
  std::string inputs = fmt::format(
      "recipe {} ({}: {}, else {}; {}-fold CV, seed {})\nfeature schema {} v{} {}\npredictor format {}\n",
      kRecipeVersion, "per-kernel timings", kKernelMethod, kNetworkMethod, kReadyCvFolds, kReadySeed,
      features::kSchemaName, features::kSchemaVersion, features::schema_hash(), predictors::kPredictorVersion);
  for (const auto& files : kReadySourceFiles) {
    ReadySource s;
    s.framework = files.framework;
    s.e2e_path = (std::filesystem::path(folder) / files.e2e_file).string();
    s.ops_path = (std::filesystem::path(folder) / files.ops_file).string();
    std::error_code ec;
    const bool present = std::filesystem::exists(s.e2e_path, ec) || std::filesystem::exists(s.ops_path, ec);
    if (!files.required && !present) continue;  // a folder without this framework: its targets are not listed
    NNLAT_ASSIGN_OR_RETURN(s.e2e_text, read_file(s.e2e_path));
    NNLAT_ASSIGN_OR_RETURN(s.ops_text, read_file(s.ops_path));
    inputs += fmt::format("{}: {} {}, {} {}\n", s.framework, files.e2e_file, stable_hash_hex(s.e2e_text),
                          files.ops_file, stable_hash_hex(s.ops_text));
    const auto transformers = std::filesystem::path(folder) / files.transformer_e2e_file;
    if (std::filesystem::exists(transformers, ec)) {
      s.transformer_path = transformers.string();
      NNLAT_ASSIGN_OR_RETURN(s.transformer_text, read_file(s.transformer_path));
      inputs +=
          fmt::format("{}: {} {}\n", s.framework, files.transformer_e2e_file, stable_hash_hex(s.transformer_text));
    }
    d.sources.push_back(std::move(s));
  }
  d.key = stable_hash_hex(inputs);
  return d;
}

Result<std::vector<ReadyTarget>> ready_targets(const ReadyData& data) {
  std::vector<ReadyTarget> out;
  for (size_t i = 0; i < data.sources.size(); ++i) {
    const ReadySource& source = data.sources[i];
    // The per-op file first: it names the framework's GPU API per device, which the
    // end-to-end file's `gpu` columns need to become target names.
    NNLAT_ASSIGN_OR_RETURN(auto ops, campaigns::parse_mlbench_ops(source.ops_text, source.ops_path));
    const campaigns::MlbenchNaming naming{ops.framework, ops.gpu_api};
    NNLAT_ASSIGN_OR_RETURN(auto e2e, campaigns::parse_mlbench_e2e(source.e2e_text, source.e2e_path, naming));
    std::set<std::string> with_ops;
    for (const auto& m : ops.models) with_ops.insert(m.name);
    std::map<std::string, size_t> networks;
    for (const auto& v : e2e.values) {
      if (with_ops.contains(v.model)) ++networks[v.target];
    }
    std::map<std::string, size_t> transformers;
    if (!source.transformer_path.empty()) {
      NNLAT_ASSIGN_OR_RETURN(auto vit,
                             campaigns::parse_mlbench_e2e(source.transformer_text, source.transformer_path, naming));
      for (const auto& v : vit.values) {
        if (models::zoo_ref_for_checkpoint(v.model)) ++transformers[v.target];
      }
    }
    const std::set<std::string> timed(ops.targets.begin(), ops.targets.end());
    for (const auto& name : e2e.targets) {
      if (networks[name] < static_cast<size_t>(kReadyCvFolds)) continue;  // too few for the stored CV
      const bool kernels = timed.contains(name);
      out.push_back({name, kernels, ready_method(kernels), networks[name], kernels ? 0 : transformers[name], i});
    }
  }
  return out;
}

}  // namespace nnlat::app
