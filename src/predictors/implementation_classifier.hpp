// Kernel selection (docs/phones.md): which implementation a runtime picks for a kernel, e.g.
// the TFLite GPU delegate's Winograd vs direct convolution, a 1×1 convolution on a 1×1 map
// run as fully_connected, or Apple's depthwise + 1×1 fused into one kernel. The choice
// differs between GPUs and drives latency, so predictors learn it from kernel features and
// use the predicted choice, never a held-out network's real kernel names.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/regressor.hpp"

namespace nnlat::predictors {

// The implementation name of a kernel that another kernel ran (its time is that kernel's).
inline constexpr std::string_view kFusedImplementation = "fused";
// A family with more distinct implementations than this is modelled without them.
inline constexpr size_t kMaxImplementations = 8;

// One-vs-rest: a small GBDT per implementation scores how likely it is (squared error on a
// 0/1 target), and the highest score wins. With one label it always answers that label.
class ImplementationClassifier {
 public:
  // `labels` holds one label index per row of `x`; `names` the label names (≥ 1).
  static Result<ImplementationClassifier> fit(const FeatureMatrix& x, std::span<const size_t> labels,
                                              std::vector<std::string> names, const RegressorOptions& options);
  size_t predict(std::span<const float> row) const;  // an index into names()
  const std::vector<std::string>& names() const { return names_; }

  nlohmann::json to_json() const;
  static Result<ImplementationClassifier> from_json(const nlohmann::json& j, const std::string& source);

 private:
  std::vector<std::string> names_;
  std::vector<std::shared_ptr<Regressor>> scorers_;  // one per name when names_.size() > 1
};

}  // namespace nnlat::predictors
