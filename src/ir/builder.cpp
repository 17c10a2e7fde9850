#include "nnlat/ir/builder.hpp"

namespace nnlat::ir {

GraphBuilder::GraphBuilder(std::string graph_name) { graph_.name = std::move(graph_name); }

ValueId GraphBuilder::input(Shape shape, std::string value_name, DType dtype) {
  return graph_.add_input(std::move(value_name), std::move(shape), dtype);
}

std::string GraphBuilder::next_name(OpKind kind) {
  // Built in place: this runs for every node of every graph built (15,625 when a NAS table is read).
  std::string name;
  for (const auto& s : scopes_) {
    name += s;
    name += '.';
  }
  name += op_name(kind);
  const int n = counters_[name]++;
  name += '_';
  name += std::to_string(n);
  return name;
}

void GraphBuilder::push_scope(const std::string& scope) { scopes_.push_back(scope); }
void GraphBuilder::pop_scope() {
  if (!scopes_.empty()) scopes_.pop_back();
}

std::vector<ValueId> GraphBuilder::op_multi(OpKind kind, std::vector<ValueId> inputs, Attrs attrs, size_t num_outputs,
                                            std::string node_name) {
  if (node_name.empty()) node_name = next_name(kind);
  if (graph_.find_value(node_name)) throw BuildError("duplicate node name " + node_name);
  std::vector<std::string> out_names;
  if (num_outputs == 1) {
    out_names.push_back(node_name);
  } else {
    for (size_t i = 0; i < num_outputs; ++i) out_names.push_back(node_name + ":" + std::to_string(i));
  }
  const NodeId id = graph_.add_node(node_name, kind, std::move(inputs), std::move(attrs), std::move(out_names));
  if (auto st = infer_node_shapes(graph_, id); !st.ok()) throw BuildError(graph_.name + ": " + st.error().message);
  return graph_.node(id).outputs;
}

ValueId GraphBuilder::op(OpKind kind, std::vector<ValueId> inputs, Attrs attrs, std::string node_name) {
  return op_multi(kind, std::move(inputs), std::move(attrs), 1, std::move(node_name))[0];
}

ValueId GraphBuilder::conv(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride, int64_t groups, bool bias,
                           int64_t dilation) {
  const int64_t pad = (kernel - 1) / 2 * dilation;
  const int64_t cin = channels(x);
  if (groups > 1 && groups == cin && groups == out_channels) return depthwise(x, kernel, stride, bias, dilation);
  Attrs a{{"out_channels", out_channels},
          {"kernel", std::vector<int64_t>{kernel, kernel}},
          {"stride", std::vector<int64_t>{stride, stride}},
          {"pads", std::vector<int64_t>{pad, pad, pad, pad}}};
  if (dilation != 1) a["dilation"] = std::vector<int64_t>{dilation, dilation};
  if (groups != 1) a["groups"] = groups;
  if (bias) a["bias"] = int64_t{1};
  return op(OpKind::kConv2d, {x}, std::move(a));
}

ValueId GraphBuilder::conv_explicit(ValueId x, int64_t out_channels, std::vector<int64_t> kernel,
                                    std::vector<int64_t> stride, std::vector<int64_t> pads, int64_t groups, bool bias) {
  Attrs a{{"out_channels", out_channels},
          {"kernel", std::move(kernel)},
          {"stride", std::move(stride)},
          {"pads", std::move(pads)}};
  if (groups != 1) a["groups"] = groups;
  if (bias) a["bias"] = int64_t{1};
  return op(OpKind::kConv2d, {x}, std::move(a));
}

ValueId GraphBuilder::depthwise(ValueId x, int64_t kernel, int64_t stride, bool bias, int64_t dilation) {
  const int64_t pad = (kernel - 1) / 2 * dilation;
  Attrs a{{"kernel", std::vector<int64_t>{kernel, kernel}},
          {"stride", std::vector<int64_t>{stride, stride}},
          {"pads", std::vector<int64_t>{pad, pad, pad, pad}}};
  if (dilation != 1) a["dilation"] = std::vector<int64_t>{dilation, dilation};
  if (bias) a["bias"] = int64_t{1};
  return op(OpKind::kDepthwiseConv2d, {x}, std::move(a));
}

ValueId GraphBuilder::batch_norm(ValueId x) { return op(OpKind::kBatchNorm, {x}); }

ValueId GraphBuilder::activation(ValueId x, Act act) {
  switch (act) {
    case Act::kNone:
      return x;
    case Act::kRelu:
      return op(OpKind::kRelu, {x});
    case Act::kRelu6:
      return op(OpKind::kRelu6, {x});
    case Act::kHardSwish:
      return op(OpKind::kHardSwish, {x});
    case Act::kHardSigmoid:
      return op(OpKind::kHardSigmoid, {x});
    case Act::kSigmoid:
      return op(OpKind::kSigmoid, {x});
    case Act::kSwish:
      return op(OpKind::kSwish, {x});
    case Act::kTanh:
      return op(OpKind::kTanh, {x});
    case Act::kGelu:
      return op(OpKind::kGelu, {x});
  }
  return x;
}

ValueId GraphBuilder::conv_bn_act(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride, int64_t groups,
                                  Act act) {
  return activation(batch_norm(conv(x, out_channels, kernel, stride, groups)), act);
}

ValueId GraphBuilder::fully_connected(ValueId x, int64_t out_features, bool bias) {
  return op(OpKind::kFullyConnected, {x}, {{"out_features", out_features}, {"bias", int64_t{bias ? 1 : 0}}});
}

ValueId GraphBuilder::add(ValueId a, ValueId b) { return op(OpKind::kAdd, {a, b}); }
ValueId GraphBuilder::mul(ValueId a, ValueId b) { return op(OpKind::kMul, {a, b}); }

ValueId GraphBuilder::concat(std::vector<ValueId> xs, int64_t axis) {
  return op(OpKind::kConcat, std::move(xs), {{"axis", axis}});
}

ValueId GraphBuilder::max_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  Attrs a{{"kernel", std::vector<int64_t>{kernel, kernel}},
          {"stride", std::vector<int64_t>{stride, stride}},
          {"pads", std::vector<int64_t>{pad, pad, pad, pad}}};
  if (ceil_mode) a["ceil_mode"] = int64_t{1};
  return op(OpKind::kMaxPool2d, {x}, std::move(a));
}

ValueId GraphBuilder::avg_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad, bool count_include_pad,
                               bool ceil_mode) {
  Attrs a{{"kernel", std::vector<int64_t>{kernel, kernel}},
          {"stride", std::vector<int64_t>{stride, stride}},
          {"pads", std::vector<int64_t>{pad, pad, pad, pad}}};
  if (count_include_pad) a["count_include_pad"] = int64_t{1};
  if (ceil_mode) a["ceil_mode"] = int64_t{1};
  return op(OpKind::kAvgPool2d, {x}, std::move(a));
}

ValueId GraphBuilder::global_avg_pool(ValueId x) { return op(OpKind::kGlobalAvgPool, {x}); }
ValueId GraphBuilder::flatten(ValueId x) { return op(OpKind::kFlatten, {x}, {{"axis", int64_t{1}}}); }
ValueId GraphBuilder::channel_shuffle(ValueId x, int64_t groups) {
  return op(OpKind::kChannelShuffle, {x}, {{"groups", groups}});
}

std::vector<ValueId> GraphBuilder::split(ValueId x, std::vector<int64_t> sizes, int64_t axis) {
  const size_t n = sizes.size();
  return op_multi(OpKind::kSplit, {x}, {{"axis", axis}, {"sizes", std::move(sizes)}}, n);
}

ValueId GraphBuilder::squeeze_excite(ValueId x, int64_t reduced_channels, Act inner, Act gate) {
  const int64_t c = channels(x);
  ValueId s = global_avg_pool(x);
  s = activation(conv(s, reduced_channels, 1, 1, 1, /*bias=*/true), inner);
  s = activation(conv(s, c, 1, 1, 1, /*bias=*/true), gate);
  return mul(x, s);
}

ValueId GraphBuilder::classifier(ValueId x, int64_t num_classes) {
  return fully_connected(flatten(global_avg_pool(x)), num_classes);
}

Graph GraphBuilder::finish(std::vector<ValueId> outputs) {
  for (ValueId v : outputs) graph_.mark_output(v);
  return std::move(graph_);
}

}  // namespace nnlat::ir
