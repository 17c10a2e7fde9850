// How the mobile ML benchmark's names become nnlat's: frameworks, targets, implementations
// and network families.
#include <algorithm>
#include <cctype>

#include "campaigns/mlbench/mlbench_rows.hpp"
#include "nnlat/campaigns/mlbench.hpp"
#include "nnlat/measure/target.hpp"

namespace nnlat::campaigns {

std::string_view mlbench_framework_name(MlbenchFramework framework) {
  return framework == MlbenchFramework::kTorch ? "torch" : "tflite";
}

std::string mlbench_network_source(MlbenchFramework framework) {
  return framework == MlbenchFramework::kTorch ? "mlbench-torch" : "mlbench";
}

Result<MlbenchFramework> parse_mlbench_framework(std::string_view name) {
  if (name == "tflite") return MlbenchFramework::kTflite;
  if (name == "torch") return MlbenchFramework::kTorch;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown framework '" + std::string(name) + "' (expected tflite or torch)");
}

Result<std::string> mlbench_target(const std::string& device, const std::string& config, const std::string& precision,
                                   const MlbenchNaming& naming, const std::string& where) {
  std::string full_config = config;
  if (naming.framework == MlbenchFramework::kTorch) {
    // The framework joins the config so that both frameworks' targets of one phone coexist;
    // the GPU is named by its API because that decides the kernels (docs/phones.md).
    if (config == "gpu") {
      auto api = naming.gpu_api.find(device);
      if (api == naming.gpu_api.end()) {
        return make_error(ErrorCode::kInvalidArgument,
                          where + ": cannot tell whether " + device +
                              "'s PyTorch Mobile GPU ran Vulkan or Metal; import the per-operation file with it "
                              "(--ops), whose kernel names say");
      }
      full_config = "torch-" + api->second;
    } else {
      full_config = "torch-" + config;
    }
  }
  auto name = measure::parse_target_name(device + ":" + full_config + ":" + precision);
  if (!name.ok()) return name.error().with_context(where);
  return name->str();
}

std::string mlbench_implementation(std::string_view kernel_name) {
  return std::string(mlbench_rows::without_node_numbers(kernel_name.substr(0, kernel_name.find("_linked_"))));
}

std::string mlbench_family(std::string_view model) {
  std::string s(model.substr(0, model.find('_')));
  size_t end = s.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(s[end - 1]))) --end;
  if (end > 0 && end < s.size() && s[end - 1] == 'v') return s;  // mobilenetv2: a version
  return end == 0 ? s : s.substr(0, end);
}

}  // namespace nnlat::campaigns
