#include "predictors/overhead_json.hpp"

#include <algorithm>
#include <cmath>

namespace nnlat::predictors {

nlohmann::json overhead_to_json(const OverheadModel& model, const KernelModels& kernels) {
  nlohmann::json per_kernel = nlohmann::json::object();
  nlohmann::json scale = nlohmann::json::object();
  for (auto f : features::all_families()) {
    per_kernel[std::string(features::family_name(f))] = model.per_kernel_ms[static_cast<size_t>(f)];
    scale[std::string(features::family_name(f))] = model.scale[static_cast<size_t>(f)];
  }
  nlohmann::json j = {{"constant_ms", model.constant_ms},
                      {"per_kernel_ms", per_kernel},
                      {"scale", scale},
                      {"per_weight_mb_ms", model.per_weight_mb_ms},
                      {"per_activation_mb_ms", model.per_activation_mb_ms},
                      {"per_family", model.per_family},
                      {"networks", model.networks}};
  j["min_ratio"] = model.min_ratio;  // absent in files from before it: their floor was 0.2
  nlohmann::json per_implementation = nlohmann::json::array();
  for (size_t slot = 0; slot < model.per_implementation_ms.size(); ++slot) {
    const double ms = model.per_implementation_ms[slot];
    const auto family = static_cast<features::KernelFamily>(slot / kImplementationSlots);
    const auto& names = kernels.implementation_names(family);
    const size_t index = slot % kImplementationSlots;
    if (ms == 0 || index >= names.size()) continue;
    per_implementation.push_back(
        {{"family", features::family_name(family)}, {"implementation", names[index]}, {"ms", ms}});
  }
  j["per_implementation_ms"] = per_implementation;
  return j;
}

Result<OverheadModel> overhead_from_json(const nlohmann::json& o, const KernelModels& kernels,
                                         const std::string& source) {
  auto fail = [&](const std::string& what) { return make_error(ErrorCode::kParseError, source + ": " + what); };
  OverheadModel model;
  model.constant_ms = o.at("constant_ms").get<double>();
  for (auto f : features::all_families()) {
    const std::string name(features::family_name(f));
    model.per_kernel_ms[static_cast<size_t>(f)] = o.at("per_kernel_ms").at(name).get<double>();
    model.scale[static_cast<size_t>(f)] = o.at("scale").at(name).get<double>();
  }
  model.per_family = o.at("per_family").get<bool>();
  model.per_weight_mb_ms = o.at("per_weight_mb_ms").get<double>();
  model.per_activation_mb_ms = o.at("per_activation_mb_ms").get<double>();
  for (const auto& e : o.value("per_implementation_ms", nlohmann::json::array())) {
    auto fam = features::parse_family(e.at("family").get<std::string>());
    if (!fam.ok()) return fail(fam.error().message);
    const auto name = e.at("implementation").get<std::string>();
    const auto& names = kernels.implementation_names(*fam);
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return fail("overhead names implementation '" + name + "' that its family does not know");
    const size_t slot = static_cast<size_t>(*fam) * kImplementationSlots + static_cast<size_t>(it - names.begin());
    model.per_implementation_ms[slot] = e.at("ms").get<double>();
  }
  model.networks = o.at("networks").get<size_t>();
  model.min_ratio = o.value("min_ratio", model.min_ratio);
  if (!(model.min_ratio >= 0) || !std::isfinite(model.min_ratio)) {
    return fail("overhead min_ratio " + std::to_string(model.min_ratio) + " is not a finite non-negative ratio");
  }
  return model;
}

}  // namespace nnlat::predictors
