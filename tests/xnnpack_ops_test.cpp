// XNNPACK backend beyond the single ops (which tests/backend_ops_test.cpp runs on every
// backend): fusions and segments visible in the kernel list, and reduced zoo networks in
// float and int8 against the naive reference (DESIGN.md principle 12), with the same seeded
// weights and inputs.
//
// Tolerance (fp32): max |xnnpack - reference| / max |reference| <= 1e-4 per output, i.e. the
// error relative to the output's largest magnitude. An element-wise relative error is
// meaningless near zero crossings of sums; the reference accumulates in double, XNNPACK in
// float with its own summation order and polynomial sigmoid/exp, which stays around 1e-6.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "backend_op_cases.hpp"
#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::backends {
namespace {

using ir::GraphBuilder;
using testing_cases::zoo_names;

constexpr double kTolerance = 1e-4;

// int8 networks: quantisation noise compounds over the layers of a random-weight network
// (MobileNetV2 at width 0.35: 2.5% after block 2, ~40% after block 15, growing smoothly), so
// the bound is loose; it still catches layout or parameter mistakes, which give errors of
// order 1 or more. The per-op int8 cases (backend_ops_test.cpp) hold each kernel to 5%.
constexpr double kInt8NetTolerance = 0.6;

struct Comparison {
  std::string error;  // non-empty: something failed before comparing
  double max_relative_error = 0;
  std::vector<std::string> kernels;  // XNNPACK kernel names
  size_t subgraphs = 0, operator_steps = 0;
};

// Runs `g` on XNNPACK and on the reference with the same weights (config.weight_seed) and
// the same uniform inputs in [lo, hi) (int8: the calibration inputs).
Comparison compare(const ir::Graph& g, RunConfig config = {}, float lo = -1, float hi = 1) {
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    const auto n = static_cast<size_t>(ir::num_elements(g.value(g.inputs()[i]).shape));
    inputs.push_back(config.precision == Precision::kInt8 ? xnnpack_int8_calibration_inputs(g, config.weight_seed)[i]
                                                          : random_uniform(n, 1000 + i, lo, hi));
  }
  XnnpackBackend xnn;
  auto r = testing_cases::compare_with_reference(xnn, g, config, inputs);
  Comparison c;
  c.error = r.error;
  c.max_relative_error = r.max_relative_error;
  if (!c.error.empty()) return c;
  const auto* x = dynamic_cast<const XnnpackPreparedGraph*>(r.prepared.get());
  c.kernels = x->kernel_names();
  c.subgraphs = x->num_subgraph_segments();
  c.operator_steps = x->num_operator_steps();
  return c;
}

// ---- fusions are visible in the kernel list -------------------------------------------------
TEST(XnnpackFusion, ConvBatchNormReluBecomeOneKernel) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 3, 9, 9});
    return b.finish({b.conv_bn_act(x, 8, 3, 2, 1, ir::Act::kRelu6)});
  });
  ASSERT_TRUE(g.ok());
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  ASSERT_EQ(c.kernels.size(), 1u);
  EXPECT_EQ(c.kernels[0], "conv2d_0+batch_norm_0+relu6_0");
}

TEST(XnnpackFusion, NoFoldWhenConvOutputIsUsedElsewhere) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 3, 6, 6});
    auto y = b.conv(x, 4, 3);
    return b.finish({b.add(b.batch_norm(y), y)});
  });
  ASSERT_TRUE(g.ok());
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.kernels.size(), 3u);
  EXPECT_LE(c.max_relative_error, kTolerance);
}

TEST(XnnpackFusion, ConcatSplitsTheGraphIntoSegments) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 4, 7, 7});
    auto cat = b.concat({b.conv(x, 3, 3), b.conv(x, 5, 1)});
    return b.finish({b.conv(cat, 6, 3)});
  });
  ASSERT_TRUE(g.ok());
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_EQ(c.subgraphs, 2u);
  EXPECT_EQ(c.operator_steps, 1u);
}

// ---- whole networks at reduced size ------------------------------------------------------------
// Every zoo network at width 0.35 and 64x64 (else 96x96) input, 10 classes, skipped where XNNPACK
// cannot run it (supports() says why) or where the naive reference would be too slow.
class XnnpackZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(XnnpackZoo, MatchesReference) {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  p.num_classes = 10;
  auto g = models::build_zoo_model(GetParam(), p);
  if (!g.ok()) {  // nets that shrink too fast for 64x64 (Inception-v3 needs >= 75)
    p.resolution = 96;
    g = models::build_zoo_model(GetParam(), p);
  }
  if (!g.ok()) GTEST_SKIP() << "not buildable at 64x64 or 96x96: " << g.error().message;
  if (ir::graph_cost(*g).total.macs > 80'000'000) GTEST_SKIP() << "too large for the naive reference";
  XnnpackBackend xnn;
  if (auto st = xnn.supports(*g, {}); !st.ok()) GTEST_SKIP() << st.error().message;
  RunConfig cfg;
  cfg.weight_seed = 3;
  const Comparison c = compare(*g, cfg);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kTolerance) << GetParam();
}

// mobilenet_v2 is the network every target must run; it must not be skipped.
TEST(XnnpackZooRequired, MobileNetV2Int8RunsEndToEnd) {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  auto g = models::build_zoo_model("mobilenet_v2", p);
  ASSERT_TRUE(g.ok()) << g.error().message;
  RunConfig cfg;
  cfg.precision = Precision::kInt8;
  const Comparison c = compare(*g, cfg);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kInt8NetTolerance);
  EXPECT_EQ(c.subgraphs, 3u);  // quantize, the network, dequantize
  EXPECT_EQ(c.kernels.front(), "quantize");
  EXPECT_EQ(c.kernels.back(), "dequantize");
}

TEST(XnnpackZooRequired, MobileNetV2RunsEndToEnd) {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  auto g = models::build_zoo_model("mobilenet_v2", p);
  ASSERT_TRUE(g.ok()) << g.error().message;
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kTolerance);
  EXPECT_EQ(c.subgraphs, 1u);
  EXPECT_EQ(c.operator_steps, 0u);
}

class XnnpackZooInt8 : public ::testing::TestWithParam<std::string> {};

TEST_P(XnnpackZooInt8, MatchesReferenceWithinQuantisationError) {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  p.num_classes = 10;
  auto g = models::build_zoo_model(GetParam(), p);
  if (!g.ok()) GTEST_SKIP() << g.error().message;
  if (ir::graph_cost(*g).total.macs > 80'000'000) GTEST_SKIP() << "too large for the naive reference";
  RunConfig cfg;
  cfg.weight_seed = 3;
  cfg.precision = Precision::kInt8;
  if (auto st = XnnpackBackend().supports(*g, cfg); !st.ok()) GTEST_SKIP() << st.error().message;
  const Comparison c = compare(*g, cfg);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kInt8NetTolerance) << GetParam();
}

// The block spaces exist to be measured here: two samples of each (at 64x64) must run, all
// of them on XNNPACK (no skip), and agree with the reference.
class XnnpackBlockSpaces : public ::testing::TestWithParam<std::string> {};

TEST_P(XnnpackBlockSpaces, SamplesRunAndMatchReference) {
  models::SpaceOptions options;
  options.resolution = 64;
  options.num_classes = 10;
  auto encodings = models::sample_space(GetParam(), 2, 5);
  ASSERT_TRUE(encodings.ok()) << encodings.error().message;
  for (const auto& encoding : *encodings) {
    auto g = models::build_space_graph(GetParam(), encoding, options);
    ASSERT_TRUE(g.ok()) << g.error().message;
    ASSERT_TRUE(XnnpackBackend().supports(*g, {}).ok()) << encoding;
    RunConfig cfg;
    cfg.weight_seed = 3;
    const Comparison c = compare(*g, cfg);
    ASSERT_TRUE(c.error.empty()) << c.error;
    EXPECT_LE(c.max_relative_error, kTolerance) << encoding;
  }
}

INSTANTIATE_TEST_SUITE_P(XnnpackNets, XnnpackBlockSpaces,
                         ::testing::Values("shuffle", "grouped", "fire", "dense", "inception", "se", "largedw",
                                           "mixed"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(XnnpackNets, XnnpackZoo, ::testing::ValuesIn(zoo_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(XnnpackNets, XnnpackZooInt8, ::testing::ValuesIn(zoo_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace nnlat::backends
