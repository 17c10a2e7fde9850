// `nnlat kernels MODEL... --rules NAME`: the kernels a framework really runs after its fusions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/fusion/fusion.hpp"

namespace nnlat::app {

struct KernelRow {
  std::string name;
  std::string type;
  std::string ops = {};  // the fused ops, joined by '+'
  ir::Shape output_shape = {};
  int64_t macs = 0;
};

struct ModelKernels {
  std::string model;
  size_t num_ops = 0;
  std::string rules;  // the rule set's name
  std::vector<KernelRow> kernels = {};

  nlohmann::ordered_json to_json() const;  // {model, rules, kernels[]}
  std::string to_text() const;             // a heading, a table and an empty line
};

// One model reference under an already loaded rule set (fusion::load_rule_set), so that a
// list of models is shown model by model.
Result<ModelKernels> model_kernels(const std::string& reference, const fusion::RuleSet& rules);

}  // namespace nnlat::app
