// Model references as the CLI accepts them:
//   path.onnx | path.tflite | path.json          a file
//   zoo:NAME[?width=W&res=R&classes=K&batch=B]   a zoo network
//   nb201:|op~0|+|op~0|op~1|+|...|               a NAS-Bench-201 cell (CIFAR skeleton)
//   nb101:SPEC.json                              a NAS-Bench-101 cell spec file
//   space:SPACE:ENCODING                         a sample of any space of nas.hpp, e.g.
//                                                space:mbv2:k3e6-..., space:fire:r128-s16-...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::models {

// Loads, shape-infers and verifies the referenced model. Errors name the reference.
Result<ir::Graph> load_model(std::string_view reference);

// Expands CLI arguments: a directory becomes every .json/.onnx/.tflite file in it (sorted);
// anything else is kept as is.
Result<std::vector<std::string>> expand_model_references(const std::vector<std::string>& arguments);

}  // namespace nnlat::models
