// ONNX export -> import round trips: every op of the op table (in several attribute forms)
// and every registered zoo model must come back as the identical graph with identical costs,
// and the exported file must pass onnx::checker.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "formats/onnx/onnx_common.hpp"
#include "nnlat/formats/onnx.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/compare.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat {
namespace {

using ir::Attrs;
using ir::GraphBuilder;
using ir::OpKind;
using ir::Shape;
using ir::ValueId;
using Ints = std::vector<int64_t>;

// Runs onnx::checker::check_model on serialised bytes; returns "" when valid.
std::string check_model(const std::string& bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return "protobuf parse failed";
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string strip_hints(const std::string& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  for (auto& n : *model.mutable_graph()->mutable_node()) n.clear_doc_string();
  return model.SerializeAsString();
}

bool same_cost(const ir::OpCost& a, const ir::OpCost& b) {
  return a.macs == b.macs && a.params == b.params && a.input_bytes == b.input_bytes &&
         a.weight_bytes == b.weight_bytes && a.output_bytes == b.output_bytes && a.output_elements == b.output_elements;
}

// Equality up to the spelling of attributes: the same ops (after canonicalisation: relu6 ==
// clamp(0, 6), depthwise == grouped conv, explicit defaults) wired the same way with the
// same shapes. What a file without nnlat's hints must give.
std::string functional_difference(const ir::Graph& a, const ir::Graph& b) {
  auto oa = a.topological_order();
  auto ob = b.topological_order();
  if (!oa.ok() || !ob.ok()) return "cycle";
  if (oa->size() != ob->size()) return "node counts differ";
  for (size_t i = 0; i < oa->size(); ++i) {
    const ir::Node& na = a.node((*oa)[i]);
    const ir::Node& nb = b.node((*ob)[i]);
    std::vector<Shape> in;
    for (ValueId v : na.inputs) in.push_back(a.value(v).shape);
    if (!formats::onnx_detail::same_function(na.op, na.attrs, nb.op, nb.attrs, in)) {
      return "node " + na.name + ": " + std::string(ir::op_name(na.op)) + " vs " + std::string(ir::op_name(nb.op)) +
             " with different attributes";
    }
    if (na.outputs.size() != nb.outputs.size()) return "node " + na.name + ": arity differs";
    for (size_t k = 0; k < na.outputs.size(); ++k) {
      if (a.value(na.outputs[k]).shape != b.value(nb.outputs[k]).shape) return "node " + na.name + ": shapes differ";
    }
  }
  if (!same_cost(ir::graph_cost(a).total, ir::graph_cost(b).total)) return "costs differ";
  return "";
}

// Runs ONNX's own shape inference on an exported model and compares every value it infers
// with the IR graph's shape: the lowering of each op means, to ONNX, what the IR op means.
void expect_onnx_shapes_match(const ir::Graph& g, const std::string& bytes) {
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(bytes));
  for (auto& vi : *model.mutable_graph()->mutable_output()) vi.mutable_type()->mutable_tensor_type()->clear_shape();
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict_mode=*/1));
  } catch (const std::exception& e) {
    FAIL() << "ONNX shape inference failed: " << e.what();
  }
  std::set<std::string> compared;
  auto check = [&](const onnx::ValueInfoProto& vi) {
    const auto v = g.find_value(vi.name());
    if (!v) return;  // an intermediate value of a multi-node lowering
    ir::Shape s;
    for (const auto& d : vi.type().tensor_type().shape().dim()) s.push_back(d.dim_value());
    EXPECT_EQ(ir::shape_to_string(s), ir::shape_to_string(g.value(*v).shape)) << vi.name();
    compared.insert(vi.name());
  };
  for (const auto& vi : model.graph().value_info()) check(vi);
  for (const auto& vi : model.graph().output()) check(vi);
  size_t expected = 0;
  for (const auto& n : g.nodes()) expected += n.outputs.size();
  EXPECT_EQ(compared.size(), expected) << "ONNX inferred only some of the IR values";
}

// Export, check, import; the import must equal the original exactly. `exact_without_hints`:
// the graph uses the importer's own spelling, so even a hint-free file gives it back exactly.
void expect_round_trip(const ir::Graph& g, bool exact_without_hints, uint64_t seed = 7) {
  SCOPED_TRACE(g.name);
  auto bytes = formats::export_onnx_bytes(g, seed);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(check_model(*bytes), "");
  expect_onnx_shapes_match(g, *bytes);
  auto back = formats::import_onnx_bytes(*bytes, g.name + ".onnx");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(ir::structural_difference(g, *back), "");
  EXPECT_TRUE(same_cost(ir::graph_cost(g).total, ir::graph_cost(*back).total));
  EXPECT_EQ(back->name, g.name);
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    EXPECT_EQ(g.value(g.inputs()[i]).name, back->value(back->inputs()[i]).name);
  }

  auto plain = formats::import_onnx_bytes(strip_hints(*bytes), g.name + ".onnx");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(functional_difference(g, *plain), "");
  if (exact_without_hints) {
    EXPECT_EQ(ir::structural_difference(g, *plain), "") << "without hints";
  }
}

struct Variant {
  std::string name;
  bool exact_without_hints;
  std::function<ValueId(GraphBuilder&, ValueId)> body;  // x: a 1x8x6x6 float input
  Shape input_shape = {1, 8, 6, 6};
};

Variant v(std::string name, bool exact, std::function<ValueId(GraphBuilder&, ValueId)> body, Shape in = {1, 8, 6, 6}) {
  return Variant{std::move(name), exact, std::move(body), std::move(in)};
}

// Shorthand for a one-node body.
std::function<ValueId(GraphBuilder&, ValueId)> one(OpKind op, Attrs attrs) {
  return [op, attrs](GraphBuilder& b, ValueId x) { return b.op(op, {x}, attrs); };
}

std::map<OpKind, std::vector<Variant>> variants() {
  std::map<OpKind, std::vector<Variant>> m;
  const Attrs k3{{"kernel", Ints{3, 3}}, {"stride", Ints{1, 1}}, {"pads", Ints{1, 1, 1, 1}}};
  auto with = [](Attrs a, const Attrs& more) {
    for (const auto& [k, val] : more) a[k] = val;
    return a;
  };
  m[OpKind::kConv2d] = {
      v("conv_builder", true, [](GraphBuilder& b, ValueId x) { return b.conv(x, 16, 3, 2); }),
      v("conv_bias_dilated", true, [](GraphBuilder& b, ValueId x) { return b.conv(x, 4, 3, 1, 1, true, 2); }),
      v("conv_grouped", true, [](GraphBuilder& b, ValueId x) { return b.conv(x, 12, 3, 1, 2); }),
      v("conv_1x1_no_stride_attr", true, one(OpKind::kConv2d, {{"out_channels", int64_t{5}}, {"kernel", Ints{1, 1}}})),
      v("conv_same", true,
        one(OpKind::kConv2d, {{"out_channels", int64_t{8}},
                              {"kernel", Ints{3, 3}},
                              {"stride", Ints{2, 2}},
                              {"padding", std::string("same")}})),
      v("conv_valid", true,
        one(OpKind::kConv2d,
            {{"out_channels", int64_t{8}}, {"kernel", Ints{3, 2}}, {"padding", std::string("valid")}})),
      v("conv_asymmetric", true,
        [](GraphBuilder& b, ValueId x) {
          return b.conv_explicit(x, 6, {3, 1}, {2, 1}, {0, 1, 1, 0});
        }),
      v("conv_explicit_padding_attr", true,
        one(OpKind::kConv2d, with(k3, {{"out_channels", int64_t{8}}, {"padding", std::string("explicit")}}))),
      v("conv_groups_1_explicit", true,
        one(OpKind::kConv2d, with(k3, {{"out_channels", int64_t{8}}, {"groups", int64_t{1}}}))),
      v("conv_one_value_kernel", false,
        one(OpKind::kConv2d,
            {{"out_channels", int64_t{8}}, {"kernel", Ints{3}}, {"stride", Ints{2}}, {"pads", Ints{1, 1, 1, 1}}})),
      v("conv_bias_0_explicit", false,
        one(OpKind::kConv2d, with(k3, {{"out_channels", int64_t{8}}, {"bias", int64_t{0}}}))),
      v("conv_as_depthwise", false,
        one(OpKind::kConv2d, with(k3, {{"out_channels", int64_t{8}}, {"groups", int64_t{8}}}))),
  };
  m[OpKind::kDepthwiseConv2d] = {
      v("dw_builder", true, [](GraphBuilder& b, ValueId x) { return b.depthwise(x, 3, 2); }),
      v("dw_5x5_bias_dilated", true, [](GraphBuilder& b, ValueId x) { return b.depthwise(x, 5, 1, true, 2); }),
      v("dw_multiplier", true,
        one(OpKind::kDepthwiseConv2d, with(k3, {{"multiplier", int64_t{2}}, {"bias", int64_t{1}}}))),
      v("dw_multiplier_1_explicit", false, one(OpKind::kDepthwiseConv2d, with(k3, {{"multiplier", int64_t{1}}}))),
      v("dw_single_channel", false, one(OpKind::kDepthwiseConv2d, k3), {1, 1, 6, 6}),
  };
  auto fc = [](int64_t n, bool bias) {
    return [n, bias](GraphBuilder& b, ValueId x) { return b.fully_connected(b.flatten(x), n, bias); };
  };
  m[OpKind::kFullyConnected] = {
      v("fc_bias", true, fc(10, true)),
      v("fc_no_bias", true, fc(10, false)),
      v("fc_rank3_bias", true, one(OpKind::kFullyConnected, {{"out_features", int64_t{5}}, {"bias", int64_t{1}}}),
        {1, 7, 12}),
      v("fc_rank3_no_bias", true, one(OpKind::kFullyConnected, {{"out_features", int64_t{5}}, {"bias", int64_t{0}}}),
        {2, 3, 7, 12}),
      v("fc_bias_default", false, one(OpKind::kFullyConnected, {{"out_features", int64_t{3}}}), {1, 9}),
  };
  m[OpKind::kMatMul] = {
      v("matmul_self", true,
        [](GraphBuilder& b, ValueId x) {
          return b.op(OpKind::kMatMul, {x, b.op(OpKind::kTranspose, {x}, {{"perm", Ints{0, 2, 1}}})});
        },
        {1, 4, 6}),
  };
  m[OpKind::kBatchNorm] = {
      v("bn", true, [](GraphBuilder& b, ValueId x) { return b.batch_norm(x); }),
      v("bn_epsilon", true, one(OpKind::kBatchNorm, {{"epsilon", 1e-3}})),
  };
  for (OpKind op : {OpKind::kRelu, OpKind::kRelu6, OpKind::kHardSwish, OpKind::kSigmoid, OpKind::kSwish, OpKind::kTanh,
                    OpKind::kGlobalAvgPool, OpKind::kIdentity}) {
    m[op] = {v(std::string(ir::op_name(op)), true, one(op, {}))};
  }
  m[OpKind::kSwish].push_back(v("swish_after_conv", true, [](GraphBuilder& b, ValueId x) {
    return b.activation(b.conv(x, 8, 3, 1), ir::Act::kSwish);
  }));
  m[OpKind::kClamp] = {
      v("clamp_both", true, one(OpKind::kClamp, {{"min", -1.0}, {"max", 1.5}})),
      v("clamp_min", true, one(OpKind::kClamp, {{"min", 0.5}})),
      v("clamp_max", true, one(OpKind::kClamp, {{"max", 2.0}})),
      v("clamp_none", true, one(OpKind::kClamp, {})),
      v("clamp_0_6", false, one(OpKind::kClamp, {{"min", 0.0}, {"max", 6.0}})),
      v("clamp_0", false, one(OpKind::kClamp, {{"min", int64_t{0}}})),
  };
  m[OpKind::kHardSigmoid] = {
      v("hardsigmoid", true, one(OpKind::kHardSigmoid, {})),
      v("hardsigmoid_torch", false, one(OpKind::kHardSigmoid, {{"alpha", 1.0 / 6.0}, {"beta", 0.5}})),
  };
  m[OpKind::kGelu] = {
      v("gelu", true, one(OpKind::kGelu, {})),
      v("gelu_tanh", true, one(OpKind::kGelu, {{"approximate", std::string("tanh")}})),
      v("gelu_none_explicit", false, one(OpKind::kGelu, {{"approximate", std::string("none")}})),
      v("gelu_twice", true,
        [](GraphBuilder& b, ValueId x) {
          return b.op(OpKind::kGelu, {b.op(OpKind::kGelu, {x})}, {{"approximate", std::string("tanh")}});
        }),
  };
  m[OpKind::kMaxPool2d] = {
      v("maxpool_builder", true, [](GraphBuilder& b, ValueId x) { return b.max_pool(x, 3, 2, 1); }),
      v("maxpool_ceil", true, [](GraphBuilder& b, ValueId x) { return b.max_pool(x, 2, 2, 0, true); }, {1, 8, 7, 7}),
      v("maxpool_same", true,
        one(OpKind::kMaxPool2d, {{"kernel", Ints{3, 3}}, {"stride", Ints{2, 2}}, {"padding", std::string("same")}})),
      v("maxpool_dilated", true, one(OpKind::kMaxPool2d, {{"kernel", Ints{2, 2}}, {"dilation", Ints{2, 2}}})),
      v("maxpool_one_value", false, one(OpKind::kMaxPool2d, {{"kernel", Ints{2}}, {"stride", Ints{2}}})),
  };
  m[OpKind::kAvgPool2d] = {
      v("avgpool_builder", true, [](GraphBuilder& b, ValueId x) { return b.avg_pool(x, 3, 1, 1, true); }),
      v("avgpool_ceil", true, [](GraphBuilder& b, ValueId x) { return b.avg_pool(x, 3, 2, 1, false, true); },
        {1, 8, 8, 8}),
      v("avgpool_valid", true,
        one(OpKind::kAvgPool2d, {{"kernel", Ints{2, 2}}, {"stride", Ints{2, 2}}, {"padding", std::string("valid")}})),
  };
  m[OpKind::kReduceMean] = {
      v("mean_hw", true, one(OpKind::kReduceMean, {{"axes", Ints{2, 3}}, {"keepdims", int64_t{1}}})),
      v("mean_last_drop", true, one(OpKind::kReduceMean, {{"axes", Ints{-1}}, {"keepdims", int64_t{0}}})),
      v("mean_default_keep", true, one(OpKind::kReduceMean, {{"axes", Ints{1}}})),
  };
  for (OpKind op : {OpKind::kAdd, OpKind::kSub, OpKind::kMul, OpKind::kDiv}) {
    const std::string nm(ir::op_name(op));
    m[op] = {
        v(nm + "_two", true,
          [op](GraphBuilder& b, ValueId x) {
            return b.op(op, {x, b.op(OpKind::kRelu, {x})});
          }),
        v(nm + "_broadcast", true,
          [op](GraphBuilder& b, ValueId x) {
            return b.op(op, {x, b.op(OpKind::kSigmoid, {b.global_avg_pool(x)})});
          }),
        v(nm + "_scalar", true, one(op, {{"scalar", 0.25}})),
        v(nm + "_scalar_third", false, one(op, {{"scalar", 1.0 / 3.0}})),
        v(nm + "_scalar_int", false, one(op, {{"scalar", int64_t{3}}})),
        v(nm + "_operand", true, one(op, {{"operand", Ints{8, 1, 1}}})),
    };
  }
  m[OpKind::kConcat] = {
      v("concat", true,
        [](GraphBuilder& b, ValueId x) {
          return b.concat({x, b.op(OpKind::kRelu, {x}), x});
        }),
      v("concat_axis_neg", true,
        [](GraphBuilder& b, ValueId x) {
          return b.op(OpKind::kConcat, {x, x}, {{"axis", int64_t{-1}}});
        }),
      v("concat_default_axis", false,
        [](GraphBuilder& b, ValueId x) {
          return b.op(OpKind::kConcat, {x, x});
        }),
      v("concat_operand", true,
        [](GraphBuilder& b, ValueId x) {
          return b.op(OpKind::kConcat, {x, x},
                      {{"axis", int64_t{1}}, {"operand", Ints{1, 2, 6, 6}}, {"operand_index", int64_t{1}}});
        }),
  };
  m[OpKind::kChannelShuffle] = {
      v("shuffle", true, [](GraphBuilder& b, ValueId x) { return b.channel_shuffle(x, 2); }),
      v("shuffle_4", true, [](GraphBuilder& b, ValueId x) { return b.channel_shuffle(x, 4); }, {2, 8, 3, 5}),
  };
  auto split = [](Ints sizes, std::optional<int64_t> axis) {
    return [sizes, axis](GraphBuilder& b, ValueId x) {
      Attrs a{{"sizes", sizes}};
      if (axis) a["axis"] = *axis;
      auto parts = b.op_multi(OpKind::kSplit, {x}, a, sizes.size());
      return b.concat({parts.back(), parts.front()}, axis.value_or(1));
    };
  };
  m[OpKind::kSplit] = {
      v("split_builder", true,
        [](GraphBuilder& b, ValueId x) {
          return b.split(x, {3, 5})[1];
        }),
      v("split_three", true, split({2, 2, 2}, 3)),
      v("split_default_axis", false, split({4, 4}, std::nullopt)),
  };
  m[OpKind::kReshape] = {
      v("reshape", true, one(OpKind::kReshape, {{"shape", Ints{1, 8, 36}}})),
      v("reshape_minus_one", false, one(OpKind::kReshape, {{"shape", Ints{1, -1}}})),
  };
  m[OpKind::kFlatten] = {
      v("flatten", true, [](GraphBuilder& b, ValueId x) { return b.flatten(x); }),
      v("flatten_no_axis", true, one(OpKind::kFlatten, {})),
      v("flatten_axis2", true, one(OpKind::kFlatten, {{"axis", int64_t{2}}})),
  };
  m[OpKind::kTranspose] = {v("transpose", true, one(OpKind::kTranspose, {{"perm", Ints{0, 2, 3, 1}}}))};
  m[OpKind::kPad] = {
      v("pad", true, one(OpKind::kPad, {{"pads", Ints{0, 0, 1, 1, 0, 0, 1, 1}}})),
      v("pad_reflect", true,
        one(OpKind::kPad, {{"pads", Ints{0, 0, 2, 0, 0, 0, 1, 2}}, {"mode", std::string("reflect")}})),
      v("pad_value", true, one(OpKind::kPad, {{"pads", Ints{0, 1, 0, 0, 0, 1, 0, 0}}, {"value", 0.5}})),
  };
  m[OpKind::kResize] = {
      v("resize_scales", true, one(OpKind::kResize, {{"scales", std::vector<double>{2.0, 2.0}}})),
      v("resize_bilinear_size", true, one(OpKind::kResize, {{"size", Ints{7, 9}}, {"mode", std::string("bilinear")}})),
      v("resize_nearest_half", true,
        one(OpKind::kResize, {{"scales", std::vector<double>{0.5, 1.5}}, {"mode", std::string("nearest")}})),
  };
  m[OpKind::kLayerNorm] = {
      v("layer_norm", true, one(OpKind::kLayerNorm, {{"axis", int64_t{-1}}, {"epsilon", 1e-6}})),
      v("layer_norm_two_axes_no_affine", false,
        one(OpKind::kLayerNorm, {{"axis", int64_t{-2}}, {"affine", int64_t{0}}})),
  };
  m[OpKind::kL2Normalize] = {
      v("l2_normalize", true, one(OpKind::kL2Normalize, {{"axis", int64_t{-1}}, {"epsilon", 1e-12}})),
      v("l2_normalize_channels", false, one(OpKind::kL2Normalize, {{"axis", int64_t{1}}})),
  };
  m[OpKind::kSlice] = {
      v("slice", true, one(OpKind::kSlice, {{"axes", Ints{2}}, {"starts", Ints{1}}, {"ends", Ints{5}}})),
      v("slice_steps", true,
        one(OpKind::kSlice,
            {{"axes", Ints{2, 3}}, {"starts", Ints{0, 1}}, {"ends", Ints{5, 6}}, {"steps", Ints{2, 2}}})),
  };
  m[OpKind::kSoftmax] = {
      v("softmax", true, [](GraphBuilder& b, ValueId x) { return b.op(OpKind::kSoftmax, {b.flatten(x)}); }),
      v("softmax_axis1", true, one(OpKind::kSoftmax, {{"axis", int64_t{1}}})),
  };
  return m;
}

// What the exporter refuses: forms of an op that ONNX cannot express, each with the words
// of the reason. Every op of the table has an ONNX lowering (EveryOpOfTheTable round-trips
// each), so the list holds attribute forms; an op that loses its lowering is listed here
// and then needs no round-trip variant.
struct Refused {
  std::string name;
  OpKind op;
  std::function<ValueId(GraphBuilder&, ValueId)> body;
  std::string reason;
};

const std::vector<Refused>& refused() {
  static const std::vector<Refused> r = {
      {"gelu_erf_spelling", OpKind::kGelu, one(OpKind::kGelu, {{"approximate", std::string("erf")}}),
       "approximate 'erf' (none or tanh)"},
  };
  return r;
}

bool op_has_no_lowering(OpKind op) {
  return std::any_of(refused().begin(), refused().end(), [op](const Refused& r) { return r.op == op; });
}

TEST(OnnxRoundTrip, EveryOpOfTheTable) {
  const auto all = variants();
  size_t tested = 0;
  for (const auto& info : ir::all_ops()) {
    SCOPED_TRACE(std::string(info.name));
    const auto it = all.find(info.kind);
    if (it == all.end()) {
      EXPECT_TRUE(op_has_no_lowering(info.kind))
          << "op " << info.name << " has no ONNX round-trip test and is not listed as refused";
      continue;
    }
    EXPECT_FALSE(it->second.empty());
    for (const Variant& var : it->second) {
      auto g = GraphBuilder::run([&] {
        GraphBuilder b(var.name);
        const ValueId x = b.input(var.input_shape);
        return b.finish({var.body(b, x)});
      });
      ASSERT_TRUE(g.ok()) << var.name << ": " << g.error().message;
      expect_round_trip(*g, var.exact_without_hints);
      ++tested;
    }
  }
  EXPECT_GE(tested, static_cast<size_t>(ir::kNumOpKinds));
  RecordProperty("variants", static_cast<int>(tested));
}

// Each refused form is a valid graph that the exporter turns into a clean error: kUnsupported,
// naming the graph, the node and its op, and saying why; and no file is left behind.
TEST(OnnxRoundTrip, UnsupportedOpsAreRejectedCleanly) {
  ASSERT_FALSE(refused().empty());
  for (const Refused& r : refused()) {
    SCOPED_TRACE(r.name);
    auto g = GraphBuilder::run([&] {
      GraphBuilder b(r.name);
      const ValueId x = b.input({1, 8, 6, 6});
      return b.finish({r.body(b, x)});
    });
    ASSERT_TRUE(g.ok()) << g.error().message;
    const auto refused_node =
        std::find_if(g->nodes().begin(), g->nodes().end(), [&](const ir::Node& n) { return n.op == r.op; });
    ASSERT_NE(refused_node, g->nodes().end());
    const std::string& node_name = refused_node->name;
    auto bytes = formats::export_onnx_bytes(*g, 7);
    ASSERT_FALSE(bytes.ok()) << "exported a form ONNX cannot express";
    EXPECT_EQ(bytes.error().code, ErrorCode::kUnsupported);
    const std::string& message = bytes.error().message;
    EXPECT_NE(message.find(r.name), std::string::npos) << message;
    EXPECT_NE(message.find("node " + node_name + " (" + std::string(ir::op_name(r.op)) + ")"), std::string::npos)
        << message;
    EXPECT_NE(message.find(r.reason), std::string::npos) << message;

    const auto path = std::filesystem::temp_directory_path() /
                      ("nnlat_refused_" + std::to_string(::getpid()) + "_" + r.name + ".onnx");
    EXPECT_FALSE(formats::export_onnx_file(*g, path.string(), 7).ok());
    EXPECT_FALSE(std::filesystem::exists(path)) << "a refused export wrote " << path;
  }
}

TEST(OnnxRoundTrip, MultipleInputsAndOutputsAndDtypes) {
  for (ir::DType dt : {ir::DType::kFloat32, ir::DType::kFloat16}) {
    auto g = GraphBuilder::run([&] {
      GraphBuilder b(std::string("two_in_") + std::string(ir::dtype_name(dt)));
      const ValueId x = b.input({1, 4, 8, 8}, "image", dt);
      const ValueId y = b.input({1, 4, 8, 8}, "mask", dt);
      const ValueId s = b.add(b.conv(x, 4, 3, 1, 1, true), y);
      const ValueId r = b.op(OpKind::kRelu6, {s});
      const ValueId c = b.op(OpKind::kClamp, {s}, {{"min", -2.0}, {"max", 2.0}});
      return b.finish({r, c, b.classifier(r, 3)});
    });
    ASSERT_TRUE(g.ok()) << g.error().message;
    expect_round_trip(*g, true);
  }
}

TEST(OnnxRoundTrip, WeightsAreSeeded) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("seeded");
    const ValueId x = b.input({1, 3, 8, 8});
    return b.finish({b.conv_bn_act(x, 8, 3, 1, 1, ir::Act::kRelu)});
  });
  ASSERT_TRUE(g.ok());
  auto a = formats::export_onnx_bytes(*g, 1);
  auto a2 = formats::export_onnx_bytes(*g, 1);
  auto b = formats::export_onnx_bytes(*g, 2);
  ASSERT_TRUE(a.ok() && a2.ok() && b.ok());
  EXPECT_EQ(*a, *a2);
  EXPECT_NE(*a, *b);

  // Batch-norm variances are positive, weights small.
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(*a));
  for (const auto& t : m.graph().initializer()) {
    auto values = formats::onnx_detail::tensor_values(t);
    ASSERT_TRUE(values.ok());
    for (double x : *values) {
      EXPECT_LE(std::abs(x), 1.5) << t.name();
      if (t.name().ends_with(".var")) {
        EXPECT_GT(x, 0.0) << t.name();
      }
    }
  }
}

TEST(OnnxRoundTrip, FileApi) {
  auto g = GraphBuilder::run([] {
    GraphBuilder b("file_api");
    const ValueId x = b.input({1, 3, 16, 16});
    return b.finish({b.classifier(b.conv_bn_act(x, 8, 3, 2, 1, ir::Act::kHardSwish), 10)});
  });
  ASSERT_TRUE(g.ok());
  g->metadata["source"] = "test:file_api";
  const auto path =
      (std::filesystem::temp_directory_path() / ("nnlat_onnx_file_api_" + std::to_string(::getpid()) + ".onnx"))
          .string();
  ASSERT_TRUE(formats::export_onnx_file(*g, path, 3).ok());
  auto back = formats::import_onnx_file(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(ir::structural_difference(*g, *back), "");
  EXPECT_EQ(back->metadata.at("source"), "onnx:" + path);
  EXPECT_EQ(back->metadata.at("exported_from"), "test:file_api");

  auto missing = formats::import_onnx_file(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(path), std::string::npos);
}

TEST(OnnxRoundTrip, ExportRejectsInvalidGraphs) {
  ir::Graph g;
  g.name = "broken";
  const ValueId x = g.add_input("x", {1, 3, 4, 4});
  const ir::NodeId n = g.add_node("r", OpKind::kRelu, {x}, {}, {"y"});
  g.mark_output(g.node(n).outputs[0]);  // shapes never inferred: verify fails
  auto bytes = formats::export_onnx_bytes(g, 0);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find("broken"), std::string::npos);
}

class OnnxZooModel : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxZooModel, RoundTripsExactly) {
  auto g = models::build_zoo_model(GetParam(), {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  // Exact through the hints; without them equal up to attribute spelling (zoo code may spell
  // defaults explicitly, which ONNX cannot tell apart).
  expect_round_trip(*g, false);
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const auto& e : models::zoo_entries()) names.emplace_back(e.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(OnnxZoo, OnnxZooModel, ::testing::ValuesIn(zoo_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nnlat
