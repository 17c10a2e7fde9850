// Test cases shared by the backend-vs-reference suites (XNNPACK, OpenCL): one small graph
// per op configuration (odd sizes, strides, padding modes, groups, dilation, broadcasting,
// fusions), the comparison with the reference, and the zoo's network names.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/backends/reference_check.hpp"
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

// backends::check_against_reference with its error as text (empty: compared), for EXPECTs.
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
