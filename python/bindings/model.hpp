// A loaded model as Python sees it: the IR graph (shared, immutable) with its costs, and
// the reference it came from.
#pragma once

#include <memory>
#include <string>

#include "nnlat/ir/cost.hpp"
#include "nnlat/ir/graph.hpp"

namespace pybind11 {
class module_;
}

namespace nnlat::python {

struct Model {
  std::shared_ptr<const ir::Graph> graph;
  ir::GraphCost cost;
  std::string reference;  // what it was loaded from ("" when built otherwise)
};

void bind_models(pybind11::module_& module);

}  // namespace nnlat::python
