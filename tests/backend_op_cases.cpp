#include "backend_op_cases.hpp"

#include <algorithm>

#include "nnlat/ir/builder.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::backends::testing_cases {
namespace {

using ir::Attrs;
using ir::GraphBuilder;
using ir::OpKind;
using V = std::vector<int64_t>;

ir::Graph single(ir::Shape in, OpKind op, Attrs attrs) {
  GraphBuilder b("t");
  auto x = b.input(std::move(in));
  return b.finish({b.op(op, {x}, std::move(attrs))});
}

Attrs conv_attrs(int64_t cout, V kernel, V stride, V pads, int64_t groups = 1, V dilation = {1, 1}, bool bias = true) {
  return {{"out_channels", cout},
          {"kernel", kernel},
          {"stride", stride},
          {"pads", pads},
          {"dilation", dilation},
          {"groups", groups},
          {"bias", int64_t{bias ? 1 : 0}}};
}

// A plain convolution with square kernel, stride and padding (no explicit bias or dilation).
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

}  // namespace

std::vector<OpCase> op_cases() {
  std::vector<OpCase> c;
  // -- convolutions
  c.push_back({"conv3x3_pad1", [] {
                 return single({1, 5, 9, 7}, OpKind::kConv2d, conv_attrs(6, {3, 3}, {1, 1}, {1, 1, 1, 1}));
               }});
  c.push_back(
      {"conv5x3_stride2x1_asymmetric_pads", [] {
         return single({2, 3, 11, 8}, OpKind::kConv2d, conv_attrs(4, {5, 3}, {2, 1}, {1, 2, 0, 1}, 1, {1, 1}, false));
       }});
  c.push_back({"conv_same_stride2", [] {
                 Attrs a = conv_attrs(7, {3, 3}, {2, 2}, {0, 0, 0, 0});
                 a.erase("pads");
                 a["padding"] = std::string("same");
                 return single({1, 4, 11, 13}, OpKind::kConv2d, a);
               }});
  c.push_back({"conv_valid_dilation2", [] {
                 Attrs a = conv_attrs(5, {3, 3}, {1, 1}, {0, 0, 0, 0}, 1, {2, 2});
                 a.erase("pads");
                 a["padding"] = std::string("valid");
                 return single({1, 3, 12, 10}, OpKind::kConv2d, a);
               }});
  c.push_back({"conv_groups3", [] {
                 return single({1, 6, 7, 9}, OpKind::kConv2d, conv_attrs(9, {3, 3}, {1, 1}, {1, 1, 1, 1}, 3));
               }});
  c.push_back({"conv_groups_equal_channels", [] {
                 return single({1, 4, 7, 7}, OpKind::kConv2d, conv_attrs(4, {3, 3}, {2, 2}, {1, 1, 1, 1}, 4));
               }});
  c.push_back({"conv1x1", [] {
                 return single({1, 17, 5, 3}, OpKind::kConv2d, conv_attrs(11, {1, 1}, {1, 1}, {0, 0, 0, 0}));
               }});
  c.push_back(
      {"depthwise3x3_same_stride2", [] {
         return single(
             {1, 7, 9, 11}, OpKind::kDepthwiseConv2d,
             {{"kernel", V{3, 3}}, {"stride", V{2, 2}}, {"padding", std::string("same")}, {"bias", int64_t{1}}});
       }});
  c.push_back({"depthwise_multiplier2_dilation2", [] {
                 return single(
                     {1, 3, 10, 9}, OpKind::kDepthwiseConv2d,
                     {{"kernel", V{3, 3}}, {"dilation", V{2, 2}}, {"pads", V{2, 2, 2, 2}}, {"multiplier", int64_t{2}}});
               }});
  c.push_back({"depthwise5x5", [] {
                 return single({1, 16, 9, 9}, OpKind::kDepthwiseConv2d, {{"kernel", V{5, 5}}, {"pads", V{2, 2, 2, 2}}});
               }});
  c.push_back({"fc_bias", [] { return single({3, 37}, OpKind::kFullyConnected, {{"out_features", int64_t{13}}}); }});
  c.push_back({"fc_no_bias", [] {
                 return single({1, 20}, OpKind::kFullyConnected, {{"out_features", int64_t{7}}, {"bias", int64_t{0}}});
               }});
  c.push_back({"fc_rank3", [] { return single({2, 3, 9}, OpKind::kFullyConnected, {{"out_features", int64_t{5}}}); }});
  // -- batch norm alone (no conv before it)
  c.push_back({"batch_norm_rank4", [] { return single({1, 6, 5, 7}, OpKind::kBatchNorm, {}); }});
  c.push_back({"batch_norm_rank2", [] { return single({3, 10}, OpKind::kBatchNorm, {}); }});
  // -- activations (unfused: directly on an input), inputs in [-4, 4)
  const std::pair<std::string, OpKind> acts[] = {
      {"relu", OpKind::kRelu},       {"relu6", OpKind::kRelu6}, {"hardswish", OpKind::kHardSwish},
      {"sigmoid", OpKind::kSigmoid}, {"swish", OpKind::kSwish}, {"hardsigmoid", OpKind::kHardSigmoid}};
  for (const auto& [name, op] : acts) {
    c.push_back({name, [op = op] { return single({1, 5, 6, 7}, op, {}); }, -8, 8});
  }
  c.push_back({"clamp", [] { return single({1, 5, 6, 7}, OpKind::kClamp, {{"min", -0.5}, {"max", 0.7}}); }});
  c.push_back({"hardsigmoid_torch",
               [] {
                 return single({2, 3, 4, 5}, OpKind::kHardSigmoid, {{"alpha", 1.0 / 6.0}, {"beta", 0.5}});
               },
               -5, 5});
  // -- pools
  c.push_back({"max_pool3x3_s2_p1", [] {
                 return single({1, 4, 11, 9}, OpKind::kMaxPool2d,
                               {{"kernel", V{3, 3}}, {"stride", V{2, 2}}, {"pads", V{1, 1, 1, 1}}});
               }});
  c.push_back({"max_pool_ceil_mode", [] {
                 return single({1, 3, 10, 12}, OpKind::kMaxPool2d,
                               {{"kernel", V{3, 3}}, {"stride", V{2, 2}}, {"ceil_mode", int64_t{1}}});
               }});
  c.push_back({"max_pool_dilation2_same", [] {
                 return single({1, 3, 9, 9}, OpKind::kMaxPool2d,
                               {{"kernel", V{2, 2}}, {"dilation", V{2, 2}}, {"padding", std::string("same")}});
               }});
  c.push_back({"max_pool1x1_stride2", [] {
                 return single({1, 5, 9, 8}, OpKind::kMaxPool2d, {{"kernel", V{1, 1}}, {"stride", V{2, 2}}});
               }});
  c.push_back({"avg_pool3x3_exclude_pad", [] {
                 return single({1, 4, 7, 9}, OpKind::kAvgPool2d, {{"kernel", V{3, 3}}, {"pads", V{1, 1, 1, 1}}});
               }});
  c.push_back(
      {"avg_pool_include_pad", [] {
         return single(
             {1, 4, 7, 9}, OpKind::kAvgPool2d,
             {{"kernel", V{3, 3}}, {"stride", V{2, 2}}, {"pads", V{1, 0, 1, 2}}, {"count_include_pad", int64_t{1}}});
       }});
  c.push_back({"avg_pool_ceil_include_pad", [] {
                 return single({1, 2, 8, 8}, OpKind::kAvgPool2d,
                               {{"kernel", V{3, 3}},
                                {"stride", V{2, 2}},
                                {"pads", V{1, 1, 1, 1}},
                                {"ceil_mode", int64_t{1}},
                                {"count_include_pad", int64_t{1}}});
               }});
  c.push_back({"avg_pool2x2_s2_ceil", [] {
                 return single({1, 3, 7, 5}, OpKind::kAvgPool2d,
                               {{"kernel", V{2, 2}}, {"stride", V{2, 2}}, {"ceil_mode", int64_t{1}}});
               }});
  c.push_back({"global_avg_pool", [] { return single({2, 6, 5, 7}, OpKind::kGlobalAvgPool, {}); }});
  c.push_back({"reduce_mean_hw_keepdims", [] {
                 return single({1, 6, 5, 7}, OpKind::kReduceMean, {{"axes", V{2, 3}}});
               }});
  c.push_back({"reduce_mean_hw_squeeze", [] {
                 return single({2, 6, 5, 7}, OpKind::kReduceMean, {{"axes", V{-1, -2}}, {"keepdims", int64_t{0}}});
               }});
  // -- element-wise
  const OpKind binaries[] = {OpKind::kAdd, OpKind::kSub, OpKind::kMul};
  for (OpKind op : binaries) {
    const std::string n(ir::op_name(op));
    c.push_back({n + "_same_shape", [op] {
                   GraphBuilder b("t");
                   auto x = b.input({1, 5, 6, 7}, "x");
                   auto y = b.input({1, 5, 6, 7}, "y");
                   return b.finish({b.op(op, {x, y})});
                 }});
    c.push_back({n + "_broadcast_channel", [op] {
                   GraphBuilder b("t");
                   auto x = b.input({2, 5, 6, 7}, "x");
                   auto y = b.input({2, 5, 1, 1}, "y");
                   return b.finish({b.op(op, {x, y})});
                 }});
    c.push_back({n + "_scalar", [op] { return single({1, 3, 4, 5}, op, {{"scalar", 0.75}}); }});
  }
  c.push_back({"div_positive_denominator", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 4, 5, 6}, "x");
                 auto y = b.input({1, 4, 5, 6}, "y");
                 auto d = b.op(OpKind::kAdd, {b.op(OpKind::kSigmoid, {y})}, {{"scalar", 1.0}});
                 return b.finish({b.op(OpKind::kDiv, {x, d})});
               }});
  c.push_back({"div_scalar", [] { return single({1, 3, 4, 5}, OpKind::kDiv, {{"scalar", 3.0}}); }});
  c.push_back({"add_lower_rank_operands", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 5, 4, 3}, "x");
                 auto per_channel = b.input({5, 1, 1}, "c");
                 auto per_column = b.input({3}, "w");
                 return b.finish({b.op(OpKind::kMul, {b.op(OpKind::kAdd, {x, per_channel}), per_column})});
               }});
  // -- data movement
  c.push_back({"pad_constant", [] {
                 return single({1, 3, 5, 4}, OpKind::kPad, {{"pads", V{0, 1, 2, 0, 0, 2, 1, 3}}, {"value", 0.5}});
               }});
  c.push_back({"pad_rank2", [] { return single({3, 5}, OpKind::kPad, {{"pads", V{1, 0, 0, 2}}}); }});
  c.push_back({"flatten_after_gap", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 7, 4, 4});
                 return b.finish({b.flatten(b.global_avg_pool(x))});
               }});
  c.push_back({"flatten_spatial_into_fc", [] {  // NHWC reshape + permuted FC weights
                 GraphBuilder b("t");
                 auto x = b.input({2, 4, 3, 5});
                 return b.finish({b.fully_connected(b.flatten(b.op(OpKind::kRelu, {x})), 6)});
               }});
  c.push_back({"reshape_spatial_into_fc", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 2, 2});
                 auto r = b.op(OpKind::kReshape, {x}, {{"shape", V{1, -1}}});
                 return b.finish({b.fully_connected(r, 4), b.fully_connected(r, 5)});
               }});
  c.push_back({"reshape_rank2_to_rank3", [] { return single({2, 12}, OpKind::kReshape, {{"shape", V{2, 3, 4}}}); }});
  c.push_back({"reshape_vector_to_nchw", [] { return single({2, 6}, OpKind::kReshape, {{"shape", V{2, 6, 1, 1}}}); }});
  c.push_back({"identity", [] { return single({1, 3, 4, 5}, OpKind::kIdentity, {}); }});
  c.push_back({"softmax_rank2", [] { return single({3, 10}, OpKind::kSoftmax, {}); }, -4, 4});
  c.push_back({"softmax_channels",
               [] {
                 return single({1, 10, 3, 2}, OpKind::kSoftmax, {{"axis", int64_t{1}}});
               },
               -4, 4});
  c.push_back({"layer_norm_last_axis", [] { return single({1, 5, 8}, OpKind::kLayerNorm, {}); }});
  c.push_back({"layer_norm_two_axes_no_affine", [] {
                 return single({2, 3, 4, 5}, OpKind::kLayerNorm,
                               {{"axis", int64_t{-2}}, {"epsilon", 1e-6}, {"affine", int64_t{0}}});
               }});
  c.push_back({"l2_normalize_last_axis", [] { return single({1, 3, 5, 8}, OpKind::kL2Normalize, {}); }});
  c.push_back({"slice_tokens", [] {
                 return single({1, 7, 6}, OpKind::kSlice, {{"axes", V{1}}, {"starts", V{0}}, {"ends", V{1}}});
               }});
  c.push_back({"slice_strided_two_axes", [] {
                 return single({1, 4, 9, 8}, OpKind::kSlice,
                               {{"axes", V{2, 3}}, {"starts", V{1, 0}}, {"ends", V{9, 7}}, {"steps", V{2, 3}}});
               }});
  c.push_back({"add_position_embedding", [] { return single({1, 5, 8}, OpKind::kAdd, {{"operand", V{1, 5, 8}}}); }});
  c.push_back({"mul_layer_scale", [] { return single({1, 6, 3, 3}, OpKind::kMul, {{"operand", V{6, 1, 1}}}); }});
  c.push_back({"concat_class_token", [] {
                 return single({1, 4, 8}, OpKind::kConcat,
                               {{"axis", int64_t{1}}, {"operand", V{1, 1, 8}}, {"operand_index", int64_t{0}}});
               }});
  c.push_back({"resize_bilinear_up2", [] {
                 return single({1, 3, 5, 7}, OpKind::kResize,
                               {{"scales", std::vector<double>{2.0, 2.0}}, {"mode", std::string("bilinear")}});
               }});
  c.push_back({"resize_bilinear_to_size", [] {
                 return single({1, 2, 9, 6}, OpKind::kResize, {{"size", V{4, 11}}, {"mode", std::string("bilinear")}});
               }});
  c.push_back({"concat_channels_between_convs", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 4, 7, 7});
                 auto a = b.conv(x, 3, 3);
                 auto bb = b.conv(x, 5, 1);
                 auto cat = b.concat({a, x, bb}, 1);
                 return b.finish({b.conv(cat, 6, 3)});
               }});
  c.push_back({"concat_height", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 4, 5}, "x");
                 auto y = b.input({1, 3, 2, 5}, "y");
                 return b.finish({b.concat({x, y}, 2)});
               }});
  c.push_back({"concat_rank2", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 3}, "x");
                 auto y = b.input({2, 4}, "y");
                 return b.finish({b.concat({x, y}, -1)});
               }});
  c.push_back({"split_channels", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 9, 5, 4});
                 auto parts = b.split(b.conv(x, 9, 1), {2, 3, 4});
                 return b.finish({b.op(OpKind::kRelu, {parts[0]}), parts[1], b.conv(parts[2], 3, 3)});
               }});
  c.push_back({"split_width", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 2, 3, 7});
                 auto parts = b.split(x, {3, 4}, 3);
                 return b.finish({parts[0], parts[1]});
               }});
  c.push_back({"channel_shuffle_g3", [] {
                 return single({1, 12, 3, 5}, OpKind::kChannelShuffle, {{"groups", int64_t{3}}});
               }});
  c.push_back({"channel_shuffle_g2_batch2", [] {
                 return single({2, 8, 3, 3}, OpKind::kChannelShuffle, {{"groups", int64_t{2}}});
               }});
  c.push_back({"shufflenet_unit", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 8, 6, 6});
                 auto parts = b.split(x, {4, 4});
                 auto branch = b.conv_bn_act(parts[1], 4, 1, 1, 1, ir::Act::kRelu);
                 branch = b.batch_norm(b.depthwise(branch, 3));
                 branch = b.conv_bn_act(branch, 4, 1, 1, 1, ir::Act::kRelu);
                 return b.finish({b.channel_shuffle(b.concat({parts[0], branch}), 2)});
               }});
  // -- fusions
  c.push_back({"conv_bn_relu6", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 9, 9});
                 return b.finish({b.conv_bn_act(x, 8, 3, 2, 1, ir::Act::kRelu6)});
               }});
  c.push_back({"depthwise_bn_relu", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 6, 8, 8});
                 return b.finish({b.activation(b.batch_norm(b.depthwise(x, 3, 1)), ir::Act::kRelu)});
               }});
  c.push_back({"fc_bn_clamp", [] {
                 GraphBuilder b("t");
                 auto x = b.input({2, 16});
                 auto y = b.batch_norm(b.fully_connected(x, 10));
                 return b.finish({b.op(OpKind::kClamp, {y}, {{"min", -0.2}, {"max", 0.3}})});
               }});
  c.push_back({"add_relu_residual", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 4, 6, 6});
                 auto y = b.conv_bn_act(x, 4, 3, 1, 1, ir::Act::kNone);
                 return b.finish({b.op(OpKind::kRelu, {b.add(x, y)})});
               }});
  c.push_back({"conv_output_also_graph_output", [] {  // BN must not be folded: conv output is needed
                 GraphBuilder b("t");
                 auto x = b.input({1, 3, 6, 6});
                 auto y = b.conv(x, 4, 3);
                 return b.finish({y, b.batch_norm(y)});
               }});
  c.push_back({"squeeze_excite_hardsigmoid", [] {
                 GraphBuilder b("t");
                 auto x = b.input({1, 8, 5, 5});
                 return b.finish({b.squeeze_excite(x, 4, ir::Act::kRelu, ir::Act::kHardSigmoid)});
               }});
  // -- shapes that select OpenCL's Winograd and GEMM implementations, ops XNNPACK lacks
  // (tanh, gelu, matmul, transpose, nearest resize, edge/reflect pad, other reductions) and
  // linked tails with broadcasting operands
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
  // Swin-style tokens kept as [B, H, W, C]: a linear layer over the last axis (an XNNPACK
  // host step: its fully connected node would act on NHWC's W).
  c.push_back({"fc_rank4_tokens", [] {
                 GraphBuilder b("t");
                 return b.finish({b.fully_connected(b.input({1, 3, 4, 9}), 5)});
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

ReferenceComparison compare_with_reference(Backend& backend, const ir::Graph& g, const RunConfig& config,
                                           const std::vector<std::vector<float>>& inputs) {
  ReferenceComparison c;
  auto check = check_against_reference(backend, g, config, inputs);
  if (!check.ok()) {
    c.error = check.error().message;
    return c;
  }
  c.max_relative_error = check->max_relative_error;
  c.prepared = std::move(check->prepared);
  return c;
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const auto& e : models::zoo_entries()) names.emplace_back(e.name);
  return names;
}

}  // namespace nnlat::backends::testing_cases
