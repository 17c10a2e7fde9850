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

}  // namespace nnlat::models
