// OpenCL backend vs the naive reference (DESIGN.md principle 12): every implementation
// (direct, 1x1-as-GEMM and Winograd convolution, depthwise, GEMM fully connected and matmul,
// pooling, reductions, element-wise with linked tails, data movement) on small graphs with
// odd sizes, and reduced zoo networks end to end, with the same seeded weights and inputs.
//
// Tolerance (fp32): max |opencl - reference| / max |reference| <= 1e-4 per output (the
// reference accumulates in double; the kernels in float, in their own order; Winograd
// F(4x4,3x3) adds its transforms' rounding, observed ~1e-6 on the cases below), 1e-3 for
// whole networks. Needs an OpenCL device (CI: pocl); every device test is skipped with a
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

using ir::Attrs;
using ir::GraphBuilder;
using ir::OpKind;
using testing_cases::OpCase;
using V = std::vector<int64_t>;

constexpr double kTolerance = 1e-4;
constexpr double kNetworkTolerance = 1e-3;
// fp16 storage (observed on pocl: <= 1e-3 per op, <= 1e-2 for the networks below).
constexpr double kFp16Tolerance = 5e-3;
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

ir::Graph conv_graph(ir::Shape in, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t groups = 1) {
  GraphBuilder b("t");
  auto x = b.input(std::move(in));
  return b.finish({b.op(OpKind::kConv2d, {x},
                        {{"out_channels", cout},
                         {"kernel", V{k, k}},
                         {"stride", V{stride, stride}},
                         {"pads", V{pad, pad, pad, pad}},
                         {"groups", groups}})});
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

// Cases beyond the shared list: shapes that select Winograd and the GEMMs, ops XNNPACK
// lacks (tanh, gelu, matmul, transpose, nearest resize, edge/reflect pad, other reductions)
// and linked tails with broadcasting operands.
std::vector<OpCase> opencl_cases() {
  std::vector<OpCase> c = testing_cases::op_cases();
  c.push_back({"winograd_odd_sizes", [] { return conv_graph({1, 17, 19, 21}, 19, 3, 1, 1); }});
  c.push_back({"winograd_no_pad_batch2", [] { return conv_graph({2, 16, 18, 17}, 20, 3, 1, 0); }});
  c.push_back({"winograd_bn_relu6_tail", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 24, 17, 16});
                 return b.finish({b.conv_bn_act(x, 32, 3, 1, 1, ir::Act::kRelu6)});
               }});
  c.push_back({"conv1x1_gemm_large", [] { return conv_graph({2, 37, 9, 11}, 29, 1, 1, 0); }});
  c.push_back({"conv3x3_groups2", [] { return conv_graph({1, 8, 9, 7}, 6, 3, 2, 1, 2); }});
  c.push_back({"fc_gemm_tiles_with_remainders", [] {
                 GraphBuilder b("t");
                 return b.finish({b.fully_connected(b.input({19, 70}), 33)});
               }});
  c.push_back({"tanh",
               [] {
                 GraphBuilder b("t");
                 return b.finish({b.op(OpKind::kTanh, {b.input({1, 3, 5, 7})})});
               },
               -3, 3});
  c.push_back(
      {"gelu_exact_and_tanh",
       [] {
         GraphBuilder b("t");
         auto x = b.input({2, 9});
         return b.finish({b.op(OpKind::kGelu, {x}), b.op(OpKind::kGelu, {x}, {{"approximate", std::string("tanh")}})});
       },
       -3, 3});
  c.push_back({"matmul_batched", [] {
                 GraphBuilder b("t");
                 auto x = b.input({3, 5, 17}, "x");
                 auto y = b.input({3, 17, 6}, "y");
                 return b.finish({b.op(OpKind::kMatMul, {x, y})});
               }});
  c.push_back({"matmul_broadcast_rhs", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 4, 9}, "x");
                 auto y = b.input({9, 3}, "y");
                 return b.finish({b.op(OpKind::kMatMul, {x, y})});
               }});
  c.push_back({"transpose_0213", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 3, 4, 5});
                 return b.finish({b.op(OpKind::kTranspose, {x}, {{"perm", V{0, 2, 1, 3}}})});
               }});
  c.push_back({"pad_reflect_edge", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 2, 5, 4});
                 return b.finish(
                     {b.op(OpKind::kPad, {x}, {{"pads", V{0, 0, 2, 1, 0, 0, 1, 3}}, {"mode", std::string("reflect")}}),
                      b.op(OpKind::kPad, {x}, {{"pads", V{0, 1, 1, 0, 0, 0, 2, 2}}, {"mode", std::string("edge")}})});
               }});
  c.push_back({"resize_nearest", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 5, 4});
                 return b.finish({b.op(OpKind::kResize, {x}, {{"size", V{9, 11}}, {"mode", std::string("nearest")}})});
               }});
  c.push_back({"reduce_mean_channels", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 6, 3, 5});
                 return b.finish({b.op(OpKind::kReduceMean, {x}, {{"axes", V{1}}, {"keepdims", int64_t{0}}})});
               }});
  c.push_back({"tail_add_broadcast_then_swish", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 6, 5, 7}, "x");
                 auto bias = b.input({6, 1, 1}, "b");
                 auto y = b.conv(x, 6, 3);
                 return b.finish({b.op(OpKind::kSwish, {b.op(OpKind::kAdd, {bias, y})})});
               }});
  c.push_back({"tail_sub_other_first_and_square", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 4, 6, 6}, "x");
                 auto y = b.conv(x, 4, 1);
                 auto d = b.op(OpKind::kSub, {x, y});
                 return b.finish({b.op(OpKind::kMul, {d, d})});
               }});
  c.push_back({"concat_then_relu_tail", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 4, 5}, "x");
                 auto y = b.input({1, 2, 4, 5}, "y");
                 return b.finish({b.op(OpKind::kRelu, {b.concat({x, y}, 1)})});
               }});
  return c;
}

class OpenClOp : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpenClOp, MatchesReference) {
  SKIP_WITHOUT_OPENCL();
  const OpCase& oc = GetParam();
  auto graph = GraphBuilder::run(oc.build);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  const Comparison c = compare(*graph, 7, oc.lo, oc.hi);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kTolerance) << oc.name;
}

INSTANTIATE_TEST_SUITE_P(OpenClOps, OpenClOp, ::testing::ValuesIn(opencl_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

// fp16 storage: every tensor (inputs included) is rounded to half (relative step 2^-11) on
// every store, then computed in float.
class OpenClOpFp16 : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpenClOpFp16, MatchesReferenceWithinHalfRounding) {
  SKIP_WITHOUT_OPENCL();
  const OpCase& oc = GetParam();
  auto graph = GraphBuilder::run(oc.build);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  const Comparison c = compare(*graph, 7, oc.lo, oc.hi, Precision::kFloat16);
  ASSERT_TRUE(c.error.empty()) << c.error;
  EXPECT_LE(c.max_relative_error, kFp16Tolerance) << oc.name;
}

// One case per implementation and tail kind (each fp16 program is a separate build, and
// the suite must stay quick on a cold pocl cache).
std::vector<OpCase> fp16_cases() {
  const std::vector<std::string> names = {"conv3x3_pad1",
                                          "conv_groups3",
                                          "conv1x1",
                                          "winograd_odd_sizes",
                                          "depthwise3x3_same_stride2",
                                          "fc_bias",
                                          "fc_gemm_tiles_with_remainders",
                                          "matmul_batched",
                                          "max_pool3x3_s2_p1",
                                          "avg_pool_include_pad",
                                          "global_avg_pool",
                                          "add_broadcast_channel",
                                          "mul_scalar",
                                          "hardswish",
                                          "batch_norm_rank4",
                                          "concat_channels_between_convs",
                                          "split_channels",
                                          "channel_shuffle_g3",
                                          "pad_reflect_edge",
                                          "resize_bilinear_up2",
                                          "softmax_channels",
                                          "conv_bn_relu6",
                                          "add_relu_residual",
                                          "tail_add_broadcast_then_swish",
                                          "squeeze_excite_hardsigmoid"};
  std::vector<OpCase> out;
  for (auto& c : opencl_cases()) {
    if (std::find(names.begin(), names.end(), c.name) != names.end()) out.push_back(std::move(c));
  }
  return out;
}

TEST(OpenClOpFp16Cases, EveryListedCaseExists) { EXPECT_EQ(fp16_cases().size(), 25u); }

INSTANTIATE_TEST_SUITE_P(OpenClOps, OpenClOpFp16, ::testing::ValuesIn(fp16_cases()),
                         [](const ::testing::TestParamInfo<OpCase>& info) { return info.param.name; });

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
// stem, MobileNetV2-space at 64x64), end to end against the reference.
class OpenClNas : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenClNas, SampledArchitecturesMatchReference) {
  SKIP_WITHOUT_OPENCL();
  models::SpaceOptions options;
  options.nb101_stem_channels = 16;
  options.nb101_cells_per_stack = 1;
  options.nb201_cells_per_stage = 1;
  options.resolution = GetParam() == "mbv2" ? 64 : 0;
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
