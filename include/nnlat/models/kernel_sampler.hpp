// Standalone kernel configurations drawn from a prior over realistic mobile-CNN shapes, per
// kernel family, for profiling kernels independently of any network (`nnlat profile kernels
// --sample FAMILY`). Seeded and platform-independent: the same seed gives the same list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::models {

std::vector<std::string> kernel_sample_families();
// `n` distinct kernel graphs of `family` (an op name: conv2d, depthwise_conv2d, ...).
Result<std::vector<ir::Graph>> sample_kernels(std::string_view family, int64_t n, uint64_t seed);

// `n` distinct kernel graphs near the kernels of `networks` (decomposed with `rules`): each
// is a random kernel of those networks with its channel counts scaled by one of
// {0.5, 0.75, 1.25, 1.5, 2} (rounded to a multiple of 4) and/or its feature map halved or
// doubled, keeping kernel size, stride and fused tail. Adaptive sampling in the spirit of
// nn-Meter: training data concentrated where the networks users predict actually live.
// Perturbations that do not verify (e.g. channels no longer divisible by groups) are
// redrawn; the networks' own kernels are never returned.
Result<std::vector<ir::Graph>> sample_kernels_around(const std::vector<ir::Graph>& networks, const std::string& rules,
                                                     int64_t n, uint64_t seed);

}  // namespace nnlat::models
