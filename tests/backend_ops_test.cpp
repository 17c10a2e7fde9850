// The backend x op driver (as ggml's test-backend-ops; DESIGN.md principles 6 and 12): every
// op case of tests/backend_op_cases.cpp runs on every local backend in every precision it
// offers, and is compared with the naive reference run with the same seeded weights and
// inputs. Where a backend cannot run a case, the refusal is checked against the reviewed
// support list below (backend variant x case -> a substring of the reason), so that a
// regression in supports() fails instead of skipping, and a backend that learns an op fails
// until its row is removed and the case runs.
//
// Tolerances: max |backend - reference| / max |reference| per output (the error relative
// to the output's largest magnitude; an element-wise relative error is meaningless near the
// zero crossings of sums). fp32 1e-4: the reference accumulates in double, the backends in
// float in their own order (XNNPACK's polynomial sigmoid/exp and OpenCL's Winograd
// F(4x4,3x3) transforms stay around 1e-6). int8 5%: quantisation of activations calibrated
// on the reference and of per-channel weights; layout or parameter mistakes give errors of
// order 1. fp16 storage 5e-3 (observed on pocl: <= 1e-3).
//
// Adding an op: give it at least one case in backend_op_cases.cpp (EveryOpOfTheTableHasACase
// fails until then), then add a support-list row for each variant that refuses it, with the
// words of its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "backend_op_cases.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/ir/op_table.hpp"

namespace nnlat::backends {
namespace {

using ir::GraphBuilder;
using testing_cases::op_cases;
using testing_cases::OpCase;

// ---- the variants: a backend in one precision ---------------------------------------------
struct Variant {
  std::string name;  // test-name prefix and support-list key, e.g. "xnnpack_int8"
  std::string backend;
  Precision precision;
  double tolerance;
  bool needs_opencl_device = false;
};

const std::vector<Variant>& variants() {
  static const std::vector<Variant> v = {
      {"reference_fp32", "reference", Precision::kFloat32, 0.0},  // itself through Backend: exact
      {"xnnpack_fp32", "xnnpack", Precision::kFloat32, 1e-4},
      {"xnnpack_int8", "xnnpack", Precision::kInt8, 0.05},
      {"opencl_fp32", "opencl", Precision::kFloat32, 1e-4, true},
      {"opencl_fp16", "opencl", Precision::kFloat16, 5e-3, true},
  };
  return v;
}

// Precisions a backend does not offer at all: every case must be refused with this reason.
struct PrecisionRefusal {
  std::string name;
  std::string backend;
  Precision precision;
  std::string reason;
};

const std::vector<PrecisionRefusal>& precision_refusals() {
  static const std::vector<PrecisionRefusal> r = {
      {"reference_fp16", "reference", Precision::kFloat16, "float32 only"},
      {"reference_int8", "reference", Precision::kInt8, "float32 only"},
      {"xnnpack_fp16", "xnnpack", Precision::kFloat16, "float16 is not offered"},
      {"opencl_int8", "opencl", Precision::kInt8, "int8 is not implemented"},
  };
  return r;
}

// ---- the reviewed support list -------------------------------------------------------------
// Every (variant, case) not listed here must be accepted by supports() and match the
// reference. Each row says why the backend refuses, in words its error must contain.
struct ExpectedRefusal {
  std::string_view variant;
  std::string_view op_case;
  std::string_view reason;
};

constexpr ExpectedRefusal kSupportList[] = {
    // XNNPACK 2022-02 lacks these ops or modes; in float32 they run as host steps
    // (xnnpack_host_step.hpp), which have no int8 kernels.
    {"xnnpack_int8", "tanh", "no float tanh"},
    {"xnnpack_int8", "gelu_exact_and_tanh", "no gelu"},
    {"xnnpack_int8", "matmul_batched", "no batch matrix multiply"},
    {"xnnpack_int8", "matmul_broadcast_rhs", "no batch matrix multiply"},
    {"xnnpack_int8", "transpose_0213", "no transpose"},
    {"xnnpack_int8", "pad_reflect_edge", "pads with a constant"},
    {"xnnpack_int8", "resize_nearest", "bilinear only"},
    {"xnnpack_int8", "reduce_mean_channels", "only over H and W"},
    {"xnnpack_int8", "fc_rank4_tokens", "acts on W"},
    // XNNPACK 2022-02 has no int8 (QS8) kernel for these (probed against the library).
    {"xnnpack_int8", "avg_pool3x3_exclude_pad", "no int8 (QS8) average pooling"},
    {"xnnpack_int8", "avg_pool_include_pad", "no int8 (QS8) average pooling"},
    {"xnnpack_int8", "avg_pool_ceil_include_pad", "no int8 (QS8) average pooling"},
    {"xnnpack_int8", "avg_pool2x2_s2_ceil", "no int8 (QS8) average pooling"},
    {"xnnpack_int8", "hardswish", "no int8 (QS8) hardswish"},
    {"xnnpack_int8", "sigmoid", "no int8 (QS8) sigmoid"},
    {"xnnpack_int8", "swish", "no int8 (QS8) swish"},
    {"xnnpack_int8", "hardsigmoid", "no int8 (QS8) hardsigmoid"},
    {"xnnpack_int8", "hardsigmoid_torch", "no int8 (QS8) hardsigmoid"},
    {"xnnpack_int8", "div_positive_denominator", "no int8 (QS8) div"},
    {"xnnpack_int8", "div_scalar", "no int8 (QS8) div"},
    {"xnnpack_int8", "softmax_rank2", "no int8 (QS8) softmax"},
    {"xnnpack_int8", "softmax_channels", "no int8 (QS8) softmax"},
    {"xnnpack_int8", "squeeze_excite_hardsigmoid", "no int8 (QS8) hardsigmoid"},
    {"xnnpack_int8", "tail_add_broadcast_then_swish", "no int8 (QS8) swish"},
    // Transformer ops (issues 15, 16): float32 host steps on XNNPACK, none in int8.
    {"xnnpack_int8", "layer_norm_last_axis", "no layer normalization"},
    {"xnnpack_int8", "layer_norm_two_axes_no_affine", "no layer normalization"},
    {"xnnpack_int8", "l2_normalize_last_axis", "no l2 normalization node"},
    {"xnnpack_int8", "slice_tokens", "no slice"},
    {"xnnpack_int8", "slice_strided_two_axes", "no slice"},
    {"xnnpack_int8", "add_position_embedding", "with a constant tensor operand"},
    {"xnnpack_int8", "mul_layer_scale", "with a constant tensor operand"},
    {"xnnpack_int8", "concat_class_token", "concat with a constant operand"},
};

const ExpectedRefusal* expected_refusal(std::string_view variant, std::string_view op_case) {
  for (const auto& r : kSupportList) {
    if (r.variant == variant && r.op_case == op_case) return &r;
  }
  return nullptr;
}

// fp16 storage runs a subset: each fp16 program is a separate build (about 1.4 s each on a
// cold pocl cache), so one case per implementation and tail kind, plus one per op that no
// other listed case covers. EveryVariantCoversEveryOp holds the subset to every op.
const std::set<std::string>& fp16_case_names() {
  static const std::set<std::string> names = {
      "conv3x3_pad1", "conv_groups3", "conv1x1", "winograd_odd_sizes", "depthwise3x3_same_stride2", "fc_bias",
      "fc_gemm_tiles_with_remainders", "matmul_batched", "max_pool3x3_s2_p1", "avg_pool_include_pad", "global_avg_pool",
      "add_broadcast_channel", "mul_scalar", "hardswish", "batch_norm_rank4", "concat_channels_between_convs",
      "split_channels", "channel_shuffle_g3", "pad_reflect_edge", "resize_bilinear_up2", "softmax_channels",
      "conv_bn_relu6", "add_relu_residual", "tail_add_broadcast_then_swish", "squeeze_excite_hardsigmoid",
      // one per op not covered above
      "clamp", "sigmoid", "tanh", "gelu_exact_and_tanh", "reduce_mean_channels", "sub_same_shape", "div_scalar",
      "reshape_rank2_to_rank3", "flatten_after_gap", "transpose_0213", "identity", "layer_norm_last_axis",
      "slice_tokens", "l2_normalize_last_axis", "add_position_embedding", "concat_class_token"};
  return names;
}

bool runs_case(const Variant& v, const OpCase& c) {
  return v.precision != Precision::kFloat16 || fp16_case_names().contains(c.name);
}

// ---- helpers ---------------------------------------------------------------------------------
// One instance per backend for the whole program: OpenCL's program cache makes later cases
// cheap.
Backend& backend_named(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Backend>> instances;
  auto& b = instances[name];
  if (!b) b = make_backend(name);
  return *b;
}

RunConfig config_of(Precision precision) {
  RunConfig config;
  config.precision = precision;
  config.weight_seed = 7;
  return config;
}

// Uniform inputs in the case's range; int8: the calibration inputs, on which the
// activation ranges were measured.
std::vector<std::vector<float>> inputs_for(const ir::Graph& g, const Variant& v, const OpCase& c) {
  if (v.precision == Precision::kInt8) return xnnpack_int8_calibration_inputs(g, config_of(v.precision).weight_seed);
  std::vector<std::vector<float>> inputs;
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    const auto n = static_cast<size_t>(ir::num_elements(g.value(g.inputs()[i]).shape));
    inputs.push_back(random_uniform(n, 1000 + i, c.lo, c.hi));
  }
  return inputs;
}

// The ops of a case's graph (none when it does not build; the driver reports that).
std::set<ir::OpKind> ops_of(const OpCase& c) {
  std::set<ir::OpKind> ops;
  auto g = GraphBuilder::run(c.build);
  if (g.ok()) {
    for (const auto& n : g->nodes()) ops.insert(n.op);
  }
  return ops;
}

// ---- the driver --------------------------------------------------------------------------------
struct BackendOpCase {
  const Variant* variant;
  OpCase op_case;
};

void PrintTo(const BackendOpCase& c, std::ostream* os) { *os << c.variant->name << " " << c.op_case.name; }

std::vector<BackendOpCase> backend_op_cases() {
  std::vector<BackendOpCase> out;
  const auto cases = op_cases();
  for (const Variant& v : variants()) {
    for (const OpCase& c : cases) {
      if (runs_case(v, c)) out.push_back({&v, c});
    }
  }
  return out;
}

class BackendOp : public ::testing::TestWithParam<BackendOpCase> {};

TEST_P(BackendOp, MatchesReferenceOrIsRefusedAsListed) {
  const Variant& v = *GetParam().variant;
  const OpCase& oc = GetParam().op_case;
  auto graph = GraphBuilder::run(oc.build);
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  Backend& backend = backend_named(v.backend);
  const RunConfig config = config_of(v.precision);
  const Status supported = backend.supports(*graph, config);

  if (const ExpectedRefusal* refusal = expected_refusal(v.name, oc.name)) {
    ASSERT_FALSE(supported.ok()) << "the support list says " << v.name << " refuses " << oc.name << " ("
                                 << refusal->reason << "), but supports() accepts it: remove the row";
    EXPECT_EQ(supported.error().code, ErrorCode::kUnsupported);
    EXPECT_NE(supported.error().message.find(refusal->reason), std::string::npos) << supported.error().message;
    auto prepared = backend.prepare(*graph, config);  // refuses before touching a device
    ASSERT_FALSE(prepared.ok()) << "supports() refuses but prepare() accepts";
    EXPECT_EQ(prepared.error().code, ErrorCode::kUnsupported);
    return;
  }

  ASSERT_TRUE(supported.ok()) << v.name << " refuses " << oc.name
                              << ", which the support list says it runs: " << supported.error().message;
  if (v.needs_opencl_device && list_opencl_devices().empty()) {
    GTEST_SKIP() << "no OpenCL platform/device on this machine (install pocl-opencl-icd to run these tests)";
  }
  const auto result = testing_cases::compare_with_reference(backend, *graph, config, inputs_for(*graph, v, oc));
  ASSERT_TRUE(result.error.empty()) << result.error;
  EXPECT_LE(result.max_relative_error, v.tolerance) << v.name << " " << oc.name;
}

INSTANTIATE_TEST_SUITE_P(BackendOps, BackendOp, ::testing::ValuesIn(backend_op_cases()),
                         [](const ::testing::TestParamInfo<BackendOpCase>& info) {
                           return info.param.variant->name + "_" + info.param.op_case.name;
                         });

// A precision a backend does not offer: every case is refused up front, with the reason.
class BackendPrecisionRefusal : public ::testing::TestWithParam<PrecisionRefusal> {};

TEST_P(BackendPrecisionRefusal, EveryCaseIsRefusedWithTheReason) {
  const PrecisionRefusal& r = GetParam();
  Backend& backend = backend_named(r.backend);
  for (const OpCase& oc : op_cases()) {
    auto graph = GraphBuilder::run(oc.build);
    ASSERT_TRUE(graph.ok()) << graph.error().message;
    const Status st = backend.supports(*graph, config_of(r.precision));
    ASSERT_FALSE(st.ok()) << r.name << " accepts " << oc.name;
    EXPECT_EQ(st.error().code, ErrorCode::kUnsupported) << oc.name;
    EXPECT_NE(st.error().message.find(r.reason), std::string::npos) << oc.name << ": " << st.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(BackendOps, BackendPrecisionRefusal, ::testing::ValuesIn(precision_refusals()),
                         [](const ::testing::TestParamInfo<PrecisionRefusal>& info) { return info.param.name; });

// ---- the lists themselves ----------------------------------------------------------------------
TEST(BackendOpLists, EveryBackendAndPrecisionIsAVariantOrARefusal) {
  const Precision precisions[] = {Precision::kFloat32, Precision::kFloat16, Precision::kInt8};
  for (const std::string& backend : backend_names()) {
    for (Precision p : precisions) {
      const auto runs = std::count_if(variants().begin(), variants().end(),
                                      [&](const Variant& v) { return v.backend == backend && v.precision == p; });
      const auto refuses =
          std::count_if(precision_refusals().begin(), precision_refusals().end(),
                        [&](const PrecisionRefusal& r) { return r.backend == backend && r.precision == p; });
      EXPECT_EQ(runs + refuses, 1) << "backend " << backend << ", precision " << static_cast<int>(p)
                                   << ": list it once, as a variant or as a precision refusal";
    }
  }
}

TEST(BackendOpLists, EverySupportListRowNamesAVariantAndACaseItRuns) {
  const auto cases = op_cases();
  for (const auto& row : kSupportList) {
    const auto v =
        std::find_if(variants().begin(), variants().end(), [&](const Variant& x) { return x.name == row.variant; });
    ASSERT_NE(v, variants().end()) << "unknown variant " << row.variant;
    const auto c = std::find_if(cases.begin(), cases.end(), [&](const OpCase& x) { return x.name == row.op_case; });
    ASSERT_NE(c, cases.end()) << "unknown case " << row.op_case;
    EXPECT_TRUE(runs_case(*v, *c)) << row.variant << " does not run " << row.op_case << ": a stale row";
    EXPECT_FALSE(row.reason.empty()) << row.variant << " " << row.op_case;
  }
}

TEST(BackendOpLists, EveryFp16CaseExists) {
  std::set<std::string> names;
  for (const OpCase& c : op_cases()) names.insert(c.name);
  for (const std::string& n : fp16_case_names()) EXPECT_TRUE(names.contains(n)) << n;
}

TEST(BackendOpLists, CaseNamesAreUnique) {
  std::set<std::string> names;
  for (const OpCase& c : op_cases()) EXPECT_TRUE(names.insert(c.name).second) << c.name;
}

TEST(BackendOpLists, EveryOpOfTheTableHasACase) {
  std::set<ir::OpKind> covered;
  for (const OpCase& c : op_cases()) {
    for (ir::OpKind op : ops_of(c)) covered.insert(op);
  }
  for (const auto& info : ir::all_ops()) {
    EXPECT_TRUE(covered.contains(info.kind)) << "op " << info.name << " has no case in tests/backend_op_cases.cpp";
  }
}

TEST(BackendOpLists, EveryVariantCoversEveryOp) {
  const auto cases = op_cases();
  for (const Variant& v : variants()) {
    std::set<ir::OpKind> covered;
    for (const OpCase& c : cases) {
      if (!runs_case(v, c)) continue;
      for (ir::OpKind op : ops_of(c)) covered.insert(op);
    }
    for (const auto& info : ir::all_ops()) {
      EXPECT_TRUE(covered.contains(info.kind)) << v.name << " runs no case with op " << info.name;
    }
  }
}

}  // namespace
}  // namespace nnlat::backends
