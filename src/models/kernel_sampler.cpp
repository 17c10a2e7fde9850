#include "nnlat/models/kernel_sampler.hpp"

#include <algorithm>
#include <random>
#include <set>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {
namespace {

using ir::Act;
using ir::GraphBuilder;

// The prior: feature-map sizes and channel counts that mobile CNNs at 224x224 use, in
// roughly the proportions they appear (small maps with many channels, large maps with few).
constexpr int64_t kSizes[] = {7, 7, 14, 14, 14, 28, 28, 56, 56, 112};
constexpr int64_t kChannels[] = {16,  24,  32,  40,  48,  64,  72,  80,  96,  112, 120, 144, 160,
                                 192, 240, 256, 288, 320, 384, 480, 512, 576, 672, 768, 960, 1024};
constexpr int64_t kKernels[] = {1, 1, 3, 3, 3, 5, 7};
constexpr Act kActs[] = {Act::kNone, Act::kRelu, Act::kRelu6};

template <typename T, size_t N>
T pick(std::mt19937_64& rng, const T (&values)[N]) {
  return values[rng() % N];  // mt19937_64 output is fixed by the standard: same list everywhere
}

// Keeps very large maps for narrow layers only, as real networks do.
int64_t channels_for(std::mt19937_64& rng, int64_t size) {
  int64_t c = pick(rng, kChannels);
  while (size >= 56 && c > 192) c /= 2;
  return c;
}

ir::Graph build(std::string_view family, std::mt19937_64& rng) {
  GraphBuilder b{std::string(family)};
  const int64_t size = pick(rng, kSizes);
  const int64_t cin = channels_for(rng, size);
  auto x = b.input({1, cin, size, size});
  ir::ValueId y = x;
  if (family == "conv2d") {
    const int64_t k = pick(rng, kKernels);
    const int64_t stride = (size >= 14 && rng() % 4 == 0) ? 2 : 1;
    y = b.activation(b.conv(x, channels_for(rng, size), k, stride, 1, true), pick(rng, kActs));
  } else if (family == "depthwise_conv2d") {
    constexpr int64_t kDepthwiseKernels[] = {3, 3, 5, 7};
    const int64_t k = pick(rng, kDepthwiseKernels);
    const int64_t stride = (size >= 14 && rng() % 4 == 0) ? 2 : 1;
    y = b.activation(b.depthwise(x, k, stride, true), pick(rng, kActs));
  } else if (family == "fully_connected") {
    // Classifier-style layers: a pooled feature vector in, classes or a hidden width out.
    constexpr int64_t kOuts[] = {10, 100, 1000, 1280, 1024};
    GraphBuilder fc("fully_connected");
    auto in = fc.input({1, cin}, "input");
    return fc.finish({fc.activation(fc.fully_connected(in, pick(rng, kOuts)), pick(rng, kActs))});
  } else if (family == "max_pool2d" || family == "avg_pool2d") {
    const int64_t k = rng() % 2 ? 3 : 2;
    const int64_t stride = 2;
    const int64_t pad = k == 3 ? 1 : 0;
    y = family == "max_pool2d" ? b.max_pool(x, k, stride, pad) : b.avg_pool(x, k, stride, pad);
  } else if (family == "global_avg_pool") {
    y = b.global_avg_pool(x);
  } else if (family == "add" || family == "mul") {
    auto other = b.input({1, cin, size, size}, "other");
    y = family == "add" ? b.add(x, other) : b.mul(x, other);
  } else if (family == "concat") {
    auto other = b.input({1, channels_for(rng, size), size, size}, "other");
    y = b.concat({x, other});
  } else if (family == "hardswish" || family == "sigmoid" || family == "swish") {
    y = b.activation(x, family == "hardswish" ? Act::kHardSwish : family == "sigmoid" ? Act::kSigmoid : Act::kSwish);
  }
  return b.finish({y});
}

}  // namespace

std::vector<std::string> kernel_sample_families() {
  return {"conv2d", "depthwise_conv2d", "fully_connected", "max_pool2d", "avg_pool2d", "global_avg_pool", "add",
          "mul",    "concat",           "hardswish",       "sigmoid",    "swish"};
}

Result<std::vector<ir::Graph>> sample_kernels(std::string_view family, int64_t n, uint64_t seed) {
  const auto families = kernel_sample_families();
  if (std::find(families.begin(), families.end(), family) == families.end()) {
    std::string known;
    for (const auto& f : families) {
      if (!known.empty()) known += ", ";
      known += f;
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "kernel family '" + std::string(family) + "' unknown (" + known + ")");
  }
  if (n <= 0) return make_error(ErrorCode::kInvalidArgument, "--n must be positive");
  std::mt19937_64 rng(seed);
  std::vector<ir::Graph> out;
  std::set<std::string> seen;
  // The prior is finite: give up after many repeats instead of looping forever.
  for (int64_t attempts = 0; static_cast<int64_t>(out.size()) < n && attempts < 200 * n; ++attempts) {
    auto g = GraphBuilder::run([&] { return build(family, rng); });
    if (!g.ok()) continue;  // a draw the prior allows but the op rejects (too small a map)
    if (!seen.insert(formats::graph_json_hash(*g)).second) continue;
    out.push_back(std::move(*g));
  }
  if (static_cast<int64_t>(out.size()) < n) {
    return make_error(ErrorCode::kInvalidArgument, "only " + std::to_string(out.size()) + " distinct " +
                                                       std::string(family) +
                                                       " kernels exist in the prior; ask for fewer");
  }
  return out;
}

}  // namespace nnlat::models
