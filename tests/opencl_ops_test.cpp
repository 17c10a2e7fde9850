// OpenCL backend beyond the single ops (which tests/backend_ops_test.cpp runs on every
// backend): the implementation-selection policy, half conversion, kernels and launches per
// implementation, profiling events, the program cache, and reduced zoo networks and NAS
// samples end to end against the naive reference (DESIGN.md principle 12).
//
// Tolerance (fp32): max |opencl - reference| / max |reference| <= 1e-4 for the small graphs
// here (the reference accumulates in double; the kernels in float, in their own order), 1e-3
// for whole networks. Needs an OpenCL device (CI: pocl); every device test is skipped with a
// message when there is none.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "backend_op_cases.hpp"
#include "backends/opencl/opencl_half.hpp"
#include "backends/opencl/opencl_plan.hpp"
#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::backends {
namespace {

using ir::GraphBuilder;
using ir::OpKind;

// Per-op tolerances and the op cases themselves: tests/backend_ops_test.cpp.
constexpr double kTolerance = 1e-4;
constexpr double kNetworkTolerance = 1e-3;
// fp16 storage (observed on pocl: <= 1e-3 per op, <= 1e-2 for the networks below).
constexpr double kFp16NetworkTolerance = 3e-2;

#define SKIP_WITHOUT_OPENCL()                                                                                 \
  if (list_opencl_devices().empty()) {                                                                        \
    GTEST_SKIP() << "no OpenCL platform/device on this machine (install pocl-opencl-icd to run these tests)"; \
  }

// One backend for the whole suite: its program cache makes later cases cheap.
OpenClBackend& backend() {
  static OpenClBackend b;
  return b;
}

struct Comparison {
  std::string error;
  double max_relative_error = 0;
  std::vector<std::string> kernels, impls;
  std::vector<int> launches;
};

Comparison compare(const ir::Graph& g, uint64_t seed = 7, float lo = -1, float hi = 1,
                   Precision precision = Precision::kFloat32) {
  RunConfig config;
  config.weight_seed = seed;
  config.precision = precision;
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    inputs.push_back(
        random_uniform(static_cast<size_t>(ir::num_elements(g.value(g.inputs()[i]).shape)), 1000 + i, lo, hi));
  }
  auto r = testing_cases::compare_with_reference(backend(), g, config, inputs);
  Comparison c;
  c.error = r.error;
  c.max_relative_error = r.max_relative_error;
  if (!c.error.empty()) return c;
  const auto* p = dynamic_cast<const OpenClPreparedGraph*>(r.prepared.get());
  c.kernels = p->kernel_names();
  c.impls = p->kernel_implementations();
  c.launches = p->kernel_launches();
  return c;
}

// A zoo network at width 0.35, 10 classes, 64x64 input (96x96 for nets that shrink too fast
// for 64x64: Inception-v3 needs >= 75).
Result<ir::Graph> reduced_zoo(const std::string& name) {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  p.num_classes = 10;
  auto g = models::build_zoo_model(name, p);
  if (g.ok()) return g;
  p.resolution = 96;
  return models::build_zoo_model(name, p);
}

// ---- the selection policy (pure: no device needed) ---------------------------------------------
opencl::ConvShape conv_shape(int64_t cin, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t out_hw,
                             int64_t groups = 1) {
  return {cin, cout, k, k, stride, stride, 1, 1, groups, pad, pad, pad, pad, out_hw, out_hw};
}

TEST(OpenClPolicy, ChoosesTheDocumentedImplementation) {
  using opencl::choose_conv_impl;
  using opencl::Impl;
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 1, 1, 0, 28)), Impl::kConv1x1Gemm);
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 1, 2, 0, 14)), Impl::kConvDirect);  // strided 1x1
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 3, 1, 1, 28)), Impl::kConvWinograd);
  EXPECT_EQ(choose_conv_impl(conv_shape(8, 32, 3, 1, 1, 28)), Impl::kConvDirect);      // too few input channels
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 3, 1, 1, 12)), Impl::kConvDirect);     // 9 tiles < 16
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 3, 1, 1, 16)), Impl::kConvWinograd);   // 16 tiles
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 3, 2, 1, 28)), Impl::kConvDirect);     // stride 2
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 3, 1, 1, 28, 2)), Impl::kConvDirect);  // grouped
  EXPECT_EQ(choose_conv_impl(conv_shape(32, 32, 5, 1, 2, 28)), Impl::kConvDirect);
  EXPECT_EQ(opencl::choose_fc_impl(1), Impl::kFcGemv);
  EXPECT_EQ(opencl::choose_fc_impl(opencl::kGemmMinRows), Impl::kFcGemm);
}

TEST(OpenClPolicy, RefusesInt8AcceptsFp16) {
  GraphBuilder b("t");
  auto g = b.finish({b.op(OpKind::kRelu, {b.input({1, 2, 3, 3})})});
  RunConfig cfg;
  cfg.precision = Precision::kInt8;
  const Status st = OpenClBackend().supports(g, cfg);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnsupported);
  cfg.precision = Precision::kFloat16;
  EXPECT_TRUE(OpenClBackend().supports(g, cfg).ok());
}

TEST(OpenClHalf, ConversionRoundsToNearestEven) {
  using opencl::float_to_half;
  using opencl::half_to_float;
  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);               // the largest half
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);               // halfway to the next step: infinity
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3c00);     // tie: to even (down)
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3c02);     // tie: to even (up)
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(float_to_half(NAN) & 0x7e00, 0x7e00);
  for (uint32_t h = 0; h < 0x7c00; ++h) {  // every finite positive half survives a round trip
    ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h) << h;
    ASSERT_EQ(float_to_half(-half_to_float(static_cast<uint16_t>(h))), h | 0x8000) << h;
  }
  EXPECT_TRUE(std::isinf(half_to_float(0x7c00)));
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

// ---- implementations and fusion are visible per kernel -----------------------------------------
TEST(OpenClKernels, ImplementationsAndLaunchesPerKernel) {
  SKIP_WITHOUT_OPENCL();
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 16, 16, 16});
    auto y = b.conv_bn_act(x, 16, 3, 1, 1, ir::Act::kRelu);  // Winograd: 3 launches
    y = b.conv_bn_act(y, 24, 1, 1, 1, ir::Act::kRelu6);      // 1x1 GEMM
    y = b.activation(b.batch_norm(b.depthwise(y, 3, 2)), ir::Act::kRelu);
    return b.finish({b.fully_connected(b.flatten(b.global_avg_pool(y)), 10)});
  });
  ASSERT_TRUE(g.ok()) << g.error().message;
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kTolerance);
  const std::vector<std::string> impls = {"conv2d_winograd4x4", "conv2d_1x1_gemm", "depthwise_conv2d", "reduce_mean",
                                          "fully_connected_gemv"};
  EXPECT_EQ(c.impls, impls);
  EXPECT_EQ(c.launches, (std::vector<int>{3, 1, 1, 1, 1}));
  ASSERT_EQ(c.kernels.size(), 5u);
  // conv + batch norm + relu are one kernel (the batch norm folded, the relu linked).
  EXPECT_EQ(std::count(c.kernels[0].begin(), c.kernels[0].end(), '+'), 2) << c.kernels[0];
}

TEST(OpenClKernels, BroadcastingGateIsASecondLaunchOfItsKernel) {
  SKIP_WITHOUT_OPENCL();
  // Squeeze-excite: the gate's multiply broadcasts [1,C,1,1] to [1,C,H,W], so it cannot be
  // linked into the threads of the 1x1 kernel that computes the gate; it runs as a second
  // launch, still reported as part of the rule file's kernel.
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 8, 5, 5});
    return b.finish({b.squeeze_excite(x, 4, ir::Act::kRelu, ir::Act::kHardSigmoid)});
  });
  ASSERT_TRUE(g.ok());
  const Comparison c = compare(*g);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kTolerance);
  ASSERT_FALSE(c.impls.empty());
  EXPECT_EQ(c.impls.back(), "conv2d_1x1_gemm");
  EXPECT_EQ(c.launches.back(), 2);
  EXPECT_NE(c.kernels.back().find("mul"), std::string::npos) << c.kernels.back();
}

TEST(OpenClKernels, KernelTimesFromProfilingEvents) {
  SKIP_WITHOUT_OPENCL();
  auto g = reduced_zoo("mobilenet_v2");
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto prepared = backend().prepare(*g, {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  auto* p2 = dynamic_cast<OpenClPreparedGraph*>(prepared->get());
  EXPECT_FALSE(p2->last_kernel_times_ms().ok());  // timing is off by default
  p2->set_kernel_timing(true);
  ASSERT_TRUE(p2->run().ok());
  auto times = p2->last_kernel_times_ms();
  ASSERT_TRUE(times.ok()) << times.error().message;
  ASSERT_EQ(times->size(), p2->kernel_names().size());
  for (double t : *times) EXPECT_GE(t, 0.0);
  EXPECT_GT(*std::max_element(times->begin(), times->end()), 0.0);
}

TEST(OpenClKernels, KernelRunsNameTheImplementationAndDeviceTime) {
  SKIP_WITHOUT_OPENCL();
  auto g = GraphBuilder::run([] {
    GraphBuilder b("t");
    auto x = b.input({1, 16, 16, 16});
    return b.finish({b.conv_bn_act(b.conv_bn_act(x, 16, 3, 1, 1, ir::Act::kRelu), 8, 1, 1, 1, ir::Act::kNone)});
  });
  ASSERT_TRUE(g.ok());
  auto prepared = backend().prepare(*g, {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  auto untimed = (*prepared)->kernel_runs(0);
  ASSERT_TRUE(untimed.ok());
  ASSERT_EQ(untimed->size(), 2u);
  EXPECT_EQ((*untimed)[0].implementation, "conv2d_winograd4x4");
  EXPECT_EQ((*untimed)[1].implementation, "conv2d_1x1_gemm");
  EXPECT_LT((*untimed)[0].device_ms, 0.0);
  auto timed = (*prepared)->kernel_runs(3);
  ASSERT_TRUE(timed.ok()) << timed.error().message;
  for (const auto& k : *timed) EXPECT_GT(k.device_ms, 0.0) << k.name;
  // Timing for the breakdown leaves later runs untimed.
  EXPECT_FALSE(dynamic_cast<OpenClPreparedGraph*>(prepared->get())->last_kernel_times_ms().ok());
}

TEST(OpenClKernels, KernelListIsTheTfliteGpuRuleFilesList) {
  SKIP_WITHOUT_OPENCL();
  // Per-kernel reports line up with the rule file's kernels (what predictors train on), with
  // (MobileNetV3: squeeze-excite gates) or without (MobileNetV2) broadcasting tails.
  auto rules = fusion::load_rule_set("tflite-gpu");
  ASSERT_TRUE(rules.ok());
  for (const char* net : {"mobilenet_v2", "mobilenet_v3_small"}) {
    auto g = reduced_zoo(net);
    ASSERT_TRUE(g.ok());
    auto detected = fusion::detect_kernels(*g, *rules);
    ASSERT_TRUE(detected.ok());
    auto prepared = backend().prepare(*g, {});
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    auto* p = dynamic_cast<OpenClPreparedGraph*>(prepared->get());
    const auto names = p->kernel_names();
    ASSERT_EQ(names.size(), detected->size()) << net;
    for (size_t i = 0; i < names.size(); ++i) {
      std::string want;
      for (size_t j = 0; j < (*detected)[i].nodes.size(); ++j) {
        want += (j ? "+" : "") + g->node((*detected)[i].nodes[j]).name;
      }
      EXPECT_EQ(names[i], want) << net;
    }
    EXPECT_EQ(p->kernel_implementations().size(), names.size());
    EXPECT_EQ(p->kernel_launches().size(), names.size());
    auto runs = p->kernel_runs(1);
    ASSERT_TRUE(runs.ok()) << runs.error().message;
    EXPECT_EQ(runs->size(), names.size());
  }
}

TEST(OpenClRuntime, ProgramsAreBuiltOnceAndNeverByRun) {
  SKIP_WITHOUT_OPENCL();
  OpenClBackend fresh;
  auto g = reduced_zoo("mobilenet_v2");
  ASSERT_TRUE(g.ok());
  auto first = fresh.prepare(*g, {});
  ASSERT_TRUE(first.ok()) << first.error().message;
  const size_t built = fresh.programs_built();
  EXPECT_GT(built, 0u);
  // Shapes are arguments: MobileNetV2's ~50 kernels share a handful of programs.
  EXPECT_LT(built, dynamic_cast<OpenClPreparedGraph*>(first->get())->kernel_names().size() / 2);
  ASSERT_TRUE((*first)->run().ok());
  EXPECT_EQ(fresh.programs_built(), built);  // run() builds nothing
  auto second = fresh.prepare(*g, {});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(fresh.programs_built(), built);  // the same kernels again: all cached
}

TEST(OpenClRuntime, InputValidation) {
  SKIP_WITHOUT_OPENCL();
  GraphBuilder b("t");
  auto g = b.finish({b.op(OpKind::kRelu, {b.input({1, 2, 3, 3})})});
  auto prepared = backend().prepare(g, {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  EXPECT_EQ((*prepared)->set_input(1, {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*prepared)->set_input(0, {1.0f}).error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenClRuntime, TargetsResolveToDevices) {
  auto missing = resolve_local_target("local:opencl-nosuchplatform:float");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("nosuchplatform"), std::string::npos);
  const auto devices = list_opencl_devices();
  if (devices.empty()) GTEST_SKIP() << "no OpenCL platform/device on this machine";
  const std::string name = "local:" + devices.front().target_config + ":float";
  auto t = resolve_local_target(name);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->backend, "opencl");
  EXPECT_EQ(t->config.device, devices.front().selector);
  EXPECT_FALSE(resolve_local_target("local:" + devices.front().target_config + ":quant").ok());
  auto half = resolve_local_target("local:" + devices.front().target_config + ":fp16");
  ASSERT_TRUE(half.ok()) << half.error().message;
  EXPECT_EQ(half->config.precision, Precision::kFloat16);
  EXPECT_FALSE(resolve_local_target("local:xnnpack-t1:fp16").ok());
  EXPECT_FALSE(resolve_local_target("local:reference:fp16").ok());
  auto b = make_backend(*t);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b->version().find(devices.front().name), std::string::npos) << b->version();
  const auto listed = available_local_targets();
  EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [&](const AvailableTarget& a) { return a.name == name; }));
}

// ---- whole networks at reduced size --------------------------------------------------------------
class OpenClZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClZoo, MatchesReference) {
  SKIP_WITHOUT_OPENCL();
  auto g = reduced_zoo(GetParam());
  ASSERT_TRUE(g.ok()) << g.error().message;
  if (ir::graph_cost(*g).total.macs > 80'000'000) GTEST_SKIP() << "too large for the naive reference";
  const Comparison c = compare(*g, 3);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kNetworkTolerance) << GetParam();
}

// Every zoo network, skipped only where the naive reference would be too slow (as for
// XNNPACK); together they use every implementation.
INSTANTIATE_TEST_SUITE_P(OpenClNets, OpenClZoo, ::testing::ValuesIn(testing_cases::zoo_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// fp16 storage end to end on networks that together use every implementation. Random
// weights let some networks' activations outgrow half's range (GhostNet reaches 1e5 >
// 65504 at width 0.35): those are skipped, saying so, since overflow is then the right
// answer, not a kernel error.
class OpenClZooFp16 : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClZooFp16, MatchesReferenceWithinHalfRounding) {
  SKIP_WITHOUT_OPENCL();
  auto g = reduced_zoo(GetParam());
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto weights = make_weights(*g, 3);
  ASSERT_TRUE(weights.ok());
  const auto n = static_cast<size_t>(ir::num_elements(g->value(g->inputs()[0]).shape));
  auto values = reference::evaluate_values(*g, *weights, {random_uniform(n, 1000, -1, 1)});
  ASSERT_TRUE(values.ok()) << values.error().message;
  float largest = 0;
  for (const auto& v : *values) {
    for (float x : v) largest = std::max(largest, std::abs(x));
  }
  if (largest > 65504.0f) GTEST_SKIP() << "activations reach " << largest << ", beyond half's range";
  const Comparison c = compare(*g, 3, -1, 1, Precision::kFloat16);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kFp16NetworkTolerance) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(OpenClNets, OpenClZooFp16,
                         ::testing::Values("mobilenet_v2", "mobilenet_v3_small", "resnet18", "shufflenet_v2",
                                           "squeezenet1_1", "ghostnet"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// NAS spaces: two sampled architectures of each space at reduced size (NB101 with a small
// stem, MobileNetV2-space and the block spaces at 64x64), end to end against the reference.
class OpenClNas : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClNas, SampledArchitecturesMatchReference) {
  SKIP_WITHOUT_OPENCL();
  models::SpaceOptions options;
  options.nb101_stem_channels = 16;
  options.nb101_cells_per_stack = 1;
  options.nb201_cells_per_stage = 1;
  options.resolution = GetParam().starts_with("nb") ? 0 : 64;  // NB101/NB201: their CIFAR 32x32
  options.num_classes = 10;
  auto encodings = models::sample_space(GetParam(), 2, 11);
  ASSERT_TRUE(encodings.ok()) << encodings.error().message;
  for (const auto& encoding : *encodings) {
    auto g = models::build_space_graph(GetParam(), encoding, options);
    ASSERT_TRUE(g.ok()) << g.error().message;
    const Comparison c = compare(*g, 5);
    ASSERT_TRUE(c.error.empty()) << c.error;
    EXPECT_LE(c.max_relative_error, kNetworkTolerance) << encoding;
  }
}

INSTANTIATE_TEST_SUITE_P(OpenClSpaces, OpenClNas, ::testing::ValuesIn(models::space_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace nnlat::backends
