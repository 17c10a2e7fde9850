// XNNPACK backend: unsupported-op reporting, precisions, threads, CPU affinity, version.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "backends/reference/reference_backend.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::backends {
namespace {

using ir::GraphBuilder;
using ir::OpKind;

ir::Graph small_net() {
  models::ZooParams p;
  p.width = 0.35;
  p.resolution = 64;
  p.num_classes = 10;
  auto g = models::build_zoo_model("mobilenet_v2", p);
  EXPECT_TRUE(g.ok()) << g.error().message;
  return std::move(g).value();
}

// Max |got - want| / max |want| of the single output of `g` run with `config`.
double error_vs_reference(const ir::Graph& g, const RunConfig& config) {
  XnnpackBackend xnn;
  auto prepared = xnn.prepare(g, config);
  EXPECT_TRUE(prepared.ok()) << prepared.error().message;
  if (!prepared.ok()) return INFINITY;
  const auto input = random_uniform(static_cast<size_t>(ir::num_elements(g.value(g.inputs()[0]).shape)), 5, -1, 1);
  EXPECT_TRUE((*prepared)->set_input(0, input).ok());
  EXPECT_TRUE((*prepared)->run().ok());
  const auto got = (*prepared)->outputs();
  auto weights = make_weights(g, config.weight_seed);
  auto want = reference::evaluate(g, *weights, {input});
  EXPECT_TRUE(want.ok()) << want.error().message;
  double max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < got[0].size(); ++i) {
    max_ref = std::max(max_ref, std::abs(static_cast<double>((*want)[0][i])));
    max_diff = std::max(max_diff, std::abs(static_cast<double>(got[0][i]) - (*want)[0][i]));
  }
  return max_diff / max_ref;
}

std::set<int> current_thread_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
  std::set<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.insert(c);
  return cpus;
}

TEST(XnnpackBackend, NameAndVersion) {
  XnnpackBackend xnn;
  EXPECT_EQ(xnn.name(), "xnnpack");
  EXPECT_EQ(xnn.version().rfind("xnnpack-2022-02 (libxnnpack0 ", 0), 0u) << xnn.version();
  EXPECT_EQ(xnn.version().find("unknown"), std::string::npos) << xnn.version();
}

// Ops XNNPACK 2022-02 lacks run as float32 host steps; in int8 every one of them is refused
// by node name and op, in one report.
TEST(XnnpackUnsupported, HostStepsRunInFloatAndInt8ListsEveryNodeByNameAndOp) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("bad");
    auto x = b.input({1, 4, 6, 6}, "x");
    auto y = b.op(OpKind::kTanh, {x}, {}, "my_tanh");
    y = b.op(OpKind::kGelu, {y}, {}, "my_gelu");
    y = b.op(OpKind::kTranspose, {y}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}}, "my_transpose");
    y = b.op(OpKind::kRelu, {y}, {}, "fine_relu");
    auto z = b.op(OpKind::kResize, {x}, {{"scales", std::vector<double>{2.0, 2.0}}}, "my_nearest");
    auto r = b.op(OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>{1, 4, 36}}}, "my_reshape");
    auto m = b.op(OpKind::kMatMul, {r, b.op(OpKind::kReshape, {x}, {{"shape", std::vector<int64_t>{1, 36, 4}}})}, {},
                  "my_matmul");
    auto p =
        b.op(OpKind::kPad, {x},
             {{"pads", std::vector<int64_t>{0, 0, 1, 1, 0, 0, 1, 1}}, {"mode", std::string("reflect")}}, "my_reflect");
    auto s = b.op(OpKind::kSoftmax, {x}, {{"axis", int64_t{2}}}, "my_softmax");
    return b.finish({y, z, m, p, s});
  });
  ASSERT_TRUE(g.ok()) << g.error().message;
  XnnpackBackend xnn;
  ASSERT_TRUE(xnn.supports(*g, {}).ok());
  auto in_float = xnn.prepare(*g, {});
  ASSERT_TRUE(in_float.ok()) << in_float.error().message;
  ASSERT_TRUE((*in_float)->run().ok());
  const auto* x = dynamic_cast<const XnnpackPreparedGraph*>(in_float->get());
  ASSERT_NE(x, nullptr);
  EXPECT_GE(x->num_operator_steps(), 9u);  // the nine nodes above (two reshapes)
  RunConfig int8;
  int8.precision = Precision::kInt8;
  const Status st = xnn.supports(*g, int8);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnsupported);
  const std::string& msg = st.error().message;
  for (const char* expected :
       {"node my_tanh (tanh)", "node my_gelu (gelu)", "node my_transpose (transpose)", "node my_nearest (resize)",
        "node my_reshape (reshape)", "node my_matmul (matmul)", "node my_reflect (pad)", "node my_softmax (softmax)"}) {
    EXPECT_NE(msg.find(expected), std::string::npos) << "missing '" << expected << "' in:\n" << msg;
  }
  EXPECT_NE(msg.find("host steps that run it in float32 have no int8 kernels"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("fine_relu"), std::string::npos) << msg;
  // prepare() refuses with the same report instead of failing inside XNNPACK.
  auto prepared = xnn.prepare(*g, int8);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().message, msg);
}

TEST(XnnpackUnsupported, Int8ListsOpsWithoutInt8Kernels) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("se");
    auto x = b.input({1, 8, 6, 6});
    auto y = b.conv_bn_act(x, 8, 3, 1, 1, ir::Act::kHardSwish);
    y = b.avg_pool(y, 3, 1, 1);
    return b.finish({b.squeeze_excite(y, 4, ir::Act::kRelu, ir::Act::kSigmoid)});
  });
  ASSERT_TRUE(g.ok()) << g.error().message;
  XnnpackBackend xnn;
  EXPECT_TRUE(xnn.supports(*g, {}).ok());
  RunConfig cfg;
  cfg.precision = Precision::kInt8;
  const Status st = xnn.supports(*g, cfg);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnsupported);
  for (const char* expected : {"node hardswish_0 (hardswish): XNNPACK 2022-02 has no int8",
                               "node avg_pool2d_0 (avg_pool2d)", "node sigmoid_0 (sigmoid)"}) {
    EXPECT_NE(st.error().message.find(expected), std::string::npos) << st.error().message;
  }
  EXPECT_FALSE(xnn.prepare(*g, cfg).ok());
}

TEST(XnnpackPrecision, Int8CalibrationInputsAreDeterministic) {
  const ir::Graph g = small_net();
  const auto a = xnnpack_int8_calibration_inputs(g, 4);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].size(), static_cast<size_t>(ir::num_elements(g.value(g.inputs()[0]).shape)));
  EXPECT_EQ(a, xnnpack_int8_calibration_inputs(g, 4));
  EXPECT_NE(a, xnnpack_int8_calibration_inputs(g, 5));
}

TEST(XnnpackThreads, Int8WithTwoThreadsAndAffinity) {
  if (!current_thread_cpus().contains(0)) GTEST_SKIP() << "CPU 0 is not available to this process";
  const ir::Graph g = small_net();
  RunConfig cfg;
  cfg.precision = Precision::kInt8;
  cfg.threads = 2;
  cfg.affinity = {0};
  XnnpackBackend xnn;
  auto prepared = xnn.prepare(g, cfg);
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  ASSERT_TRUE((*prepared)->set_input(0, xnnpack_int8_calibration_inputs(g, 0)[0]).ok());
  ASSERT_TRUE((*prepared)->run().ok());
  const auto out = (*prepared)->outputs();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::all_of(out[0].begin(), out[0].end(), [](float v) { return std::isfinite(v); }));
}

TEST(XnnpackUnsupported, ZeroThreadsIsAnError) {
  XnnpackBackend xnn;
  RunConfig cfg;
  cfg.threads = 0;
  EXPECT_FALSE(xnn.supports(small_net(), cfg).ok());
}

TEST(XnnpackUnsupported, Float16IsRefusedUpFront) {
  // The fp16 path of this XNNPACK build aborts on some ops: it must be refused before any
  // XNNPACK call, by supports() and prepare() alike.
  XnnpackBackend xnn;
  RunConfig cfg;
  cfg.precision = Precision::kFloat16;
  const Status st = xnn.supports(small_net(), cfg);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("float16 is not offered"), std::string::npos) << st.error().message;
  EXPECT_FALSE(xnn.prepare(small_net(), cfg).ok());
}

TEST(XnnpackThreads, TwoThreadsMatchReferenceAndUseTwoThreads) {
  const ir::Graph g = small_net();
  RunConfig cfg;
  cfg.threads = 2;
  cfg.weight_seed = 11;
  EXPECT_LE(error_vs_reference(g, cfg), 1e-4);
  XnnpackBackend xnn;
  auto prepared = xnn.prepare(g, cfg);
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  auto* x = dynamic_cast<XnnpackPreparedGraph*>(prepared->get());
  ASSERT_NE(x, nullptr);
  auto probe = x->probe_threads(64);
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->threads, 2u);
}

TEST(XnnpackThreads, OneThreadRunsOnTheCaller) {
  XnnpackBackend xnn;
  auto prepared = xnn.prepare(small_net(), {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  auto probe = dynamic_cast<XnnpackPreparedGraph*>(prepared->get())->probe_threads(8);
  ASSERT_TRUE(probe.ok()) << probe.error().message;
  EXPECT_EQ(probe->threads, 1u);
}

TEST(XnnpackAffinity, PinsWorkersAndCallerToCpu0AndRestoresTheCaller) {
  const std::set<int> before = current_thread_cpus();
  if (!before.contains(0)) GTEST_SKIP() << "CPU 0 is not available to this process";
  const ir::Graph g = small_net();
  RunConfig cfg;
  cfg.threads = 2;
  cfg.affinity = {0};
  {
    XnnpackBackend xnn;
    auto prepared = xnn.prepare(g, cfg);
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    EXPECT_EQ(current_thread_cpus(), before) << "prepare() must leave the caller's mask alone";
    ASSERT_TRUE((*prepared)->run().ok());
    EXPECT_EQ(current_thread_cpus(), std::set<int>{0}) << "run() pins the calling thread";
    auto probe = dynamic_cast<XnnpackPreparedGraph*>(prepared->get())->probe_threads(64);
    ASSERT_TRUE(probe.ok()) << probe.error().message;
    EXPECT_EQ(probe->threads, 2u);
    EXPECT_EQ(probe->allowed_cpus, std::set<int>{0});
  }
  EXPECT_EQ(current_thread_cpus(), before) << "destroying the prepared graph restores the caller's mask";
  EXPECT_LE(error_vs_reference(g, cfg), 1e-4);
  EXPECT_EQ(current_thread_cpus(), before);
}

TEST(XnnpackAffinity, InvalidCpusAreErrors) {
  XnnpackBackend xnn;
  RunConfig cfg;
  cfg.threads = 2;
  cfg.affinity = {-1};
  auto bad_id = xnn.prepare(small_net(), cfg);
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.error().message.find("-1"), std::string::npos) << bad_id.error().message;
  cfg.affinity = {CPU_SETSIZE - 1};  // valid id, but (almost surely) not a CPU of this machine
  if (current_thread_cpus().contains(CPU_SETSIZE - 1)) GTEST_SKIP();
  for (int threads : {1, 2}) {
    cfg.threads = threads;
    auto absent = xnn.prepare(small_net(), cfg);
    ASSERT_FALSE(absent.ok());
    EXPECT_NE(absent.error().message.find("cannot pin"), std::string::npos) << absent.error().message;
  }
}

TEST(XnnpackInputs, SetInputChecksIndexAndSize) {
  XnnpackBackend xnn;
  auto prepared = xnn.prepare(small_net(), {});
  ASSERT_TRUE(prepared.ok());
  EXPECT_FALSE((*prepared)->set_input(1, {}).ok());
  EXPECT_FALSE((*prepared)->set_input(0, {1.0f, 2.0f}).ok());
}

TEST(XnnpackReferenceBackend, IsABackendToo) {
  reference::ReferenceBackend ref;
  EXPECT_EQ(ref.name(), "reference");
  const ir::Graph g = small_net();
  auto prepared = ref.prepare(g, {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  ASSERT_TRUE((*prepared)->run().ok());
  EXPECT_EQ((*prepared)->outputs().at(0).size(), 10u);
}

}  // namespace
}  // namespace nnlat::backends
