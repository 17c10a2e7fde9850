// int8 (QS8) support of the XNNPACK backend: quantisation parameters of every activation,
// calibrated by running the float reference on seeded random inputs, as a post-training
// quantisation tool (the TFLite converter) would with a representative dataset.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/xnnpack/xnnpack_plan.hpp"
#include "nnlat/backends/weights.hpp"

namespace nnlat::backends::xnnpack {

struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;  // int8: real = scale * (q - zero_point)
};

// Asymmetric int8 parameters covering [lo, hi] (extended to include 0).
QuantParams params_for_range(float lo, float hi);

// The inputs calibration runs on (uniform in [-1, 1), seeded), in graph-input order, NCHW.
std::vector<std::vector<float>> calibration_inputs(const ir::Graph& graph, uint64_t seed);

// Parameters per IR value (indexed by ValueId.index). Values joined by ops that XNNPACK
// (and TFLite's quantisation spec) require to keep their input's parameters -- concat,
// split, channel shuffle, reshape, pad, max pooling, resize, a lone clamp -- share one set
// covering all their ranges. Runs on calibration_inputs(graph, seed).
Result<std::vector<QuantParams>> calibrate(const ir::Graph& graph, const GraphWeights& weights, const Plan& plan,
                                           uint64_t seed);

}  // namespace nnlat::backends::xnnpack
