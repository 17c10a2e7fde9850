// Checking a backend's outputs against the naive reference loops with the same weights and
// inputs. The backend test suites use it on this machine; the device runner answers the
// protocol's "check" request with it, so a cross-built runner is checked where it runs (under
// qemu in the tests, on the phone itself in the field).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends {

// max |got - want| / max |want|: the error relative to the output's largest magnitude (an
// element-wise relative error is meaningless near zero crossings of sums). NaN: infinity.
double relative_error(const std::vector<float>& got, const std::vector<float>& want);

struct ReferenceCheck {
  double max_relative_error = 0;  // over every output
  size_t outputs = 0;
  std::unique_ptr<PreparedGraph> prepared;  // kept for backend-specific checks
};

// Prepares `graph` on `backend` with `config`, sets `inputs` (graph-input order), runs twice
// (a second run must give the same result: no state carried between runs) and compares every
// output with the reference evaluation with the same weights (config.weight_seed). Errors:
// the backend's own (refused, failed run) or an output count or size that differs.
Result<ReferenceCheck> check_against_reference(Backend& backend, const ir::Graph& graph, const RunConfig& config,
                                               const std::vector<std::vector<float>>& inputs);

// Inputs for a check: int8 configs get the calibration inputs their activation ranges were
// measured on (anything else would saturate and say nothing); others uniform in [lo, hi],
// input i seeded with `seed + i`.
std::vector<std::vector<float>> check_inputs(const ir::Graph& graph, const RunConfig& config, uint64_t seed, float lo,
                                             float hi);

}  // namespace nnlat::backends
