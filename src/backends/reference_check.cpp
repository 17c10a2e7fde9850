#include "nnlat/backends/reference_check.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"

namespace nnlat::backends {

double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  double max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_ref = std::max(max_ref, std::abs(static_cast<double>(want[i])));
    const double d = std::abs(static_cast<double>(got[i]) - want[i]);
    max_diff = std::isnan(d) ? INFINITY : std::max(max_diff, d);
  }
  return max_diff / std::max(max_ref, 1e-30);
}

Result<ReferenceCheck> check_against_reference(Backend& backend, const ir::Graph& graph, const RunConfig& config,
                                               const std::vector<std::vector<float>>& inputs) {
  ReferenceCheck check;
  NNLAT_ASSIGN_OR_RETURN(check.prepared, backend.prepare(graph, config));
  for (size_t i = 0; i < inputs.size(); ++i) NNLAT_RETURN_IF_ERROR(check.prepared->set_input(i, inputs[i]));
  for (int r = 0; r < 2; ++r) NNLAT_RETURN_IF_ERROR(check.prepared->run());
  NNLAT_ASSIGN_OR_RETURN(auto weights, make_weights(graph, config.weight_seed));
  NNLAT_ASSIGN_OR_RETURN(auto want, reference::evaluate(graph, weights, inputs));
  const auto got = check.prepared->outputs();
  if (got.size() != want.size()) {
    return make_error(ErrorCode::kInternal, backend.name() + " gave " + std::to_string(got.size()) +
                                                " outputs, the reference " + std::to_string(want.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].size() != want[i].size()) {
      return make_error(ErrorCode::kInternal, "output " + std::to_string(i) + " has " + std::to_string(got[i].size()) +
                                                  " values on " + backend.name() + ", " +
                                                  std::to_string(want[i].size()) + " in the reference");
    }
    check.max_relative_error = std::max(check.max_relative_error, relative_error(got[i], want[i]));
  }
  check.outputs = got.size();
  return check;
}

std::vector<std::vector<float>> check_inputs(const ir::Graph& graph, const RunConfig& config, uint64_t seed, float lo,
                                             float hi) {
  if (config.precision == Precision::kInt8) return xnnpack_int8_calibration_inputs(graph, config.weight_seed);
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const auto n = static_cast<size_t>(ir::num_elements(graph.value(graph.inputs()[i]).shape));
    inputs.push_back(random_uniform(n, seed + i, lo, hi));
  }
  return inputs;
}

}  // namespace nnlat::backends
