// Test cases shared by the backend-vs-reference suites (XNNPACK, OpenCL): one small graph
// per op configuration (odd sizes, strides, padding modes, groups, dilation, broadcasting,
// fusions), the error measure, and the zoo's network names.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::backends::testing_cases {

struct OpCase {
  std::string name;
  std::function<ir::Graph()> build;
  float lo = -1, hi = 1;  // input range
};

// gtest prints a failing case by name rather than as bytes.
inline void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

std::vector<OpCase> op_cases();

// max |got - want| / max |want|: the error relative to the output's largest magnitude (an
// element-wise relative error is meaningless near zero crossings of sums). NaN: infinity.
double relative_error(const std::vector<float>& got, const std::vector<float>& want);

// Prepares `g` on `backend` with `config`, sets `inputs` (graph-input order), runs twice (a
// second run must give the same result: no state carried between runs) and compares every
// output with the reference run with the same weights (config.weight_seed). The prepared
// graph is kept for backend-specific checks.
struct ReferenceComparison {
  std::string error;  // non-empty: something failed before comparing
  double max_relative_error = 0;
  std::unique_ptr<PreparedGraph> prepared;
};
ReferenceComparison compare_with_reference(Backend& backend, const ir::Graph& g, const RunConfig& config,
                                           const std::vector<std::vector<float>>& inputs);

// Every zoo network's name.
std::vector<std::string> zoo_names();

}  // namespace nnlat::backends::testing_cases
