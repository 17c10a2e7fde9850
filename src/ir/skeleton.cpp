#include "nnlat/ir/skeleton.hpp"

#include <bit>
#include <stdexcept>
#include <variant>

namespace nnlat::ir {
namespace {

// FNV-1a over 64-bit words, finished with a murmur-style avalanche: keys only need to be
// distinct within one process (they are never stored).
struct KeyHasher {
  uint64_t h = 0xcbf29ce484222325ull;
  void mix(uint64_t v) { h = (h ^ v) * 0x100000001b3ull; }
  uint64_t done() const {
    uint64_t x = h;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
  }
};

int64_t pooled(int64_t size, int64_t kernel, int64_t stride, int64_t pad) {
  return (size + 2 * pad - kernel) / stride + 1;
}

}  // namespace

void OpSkeleton::clear() {
  nodes.clear();
  node_inputs.clear();
  producers.clear();
  outputs.clear();
  shapes.clear();
  repeats.clear();
}

SkeletonBuilder::SkeletonBuilder(OpSkeleton& out) : out_(out) { out_.clear(); }

ValueId SkeletonBuilder::input(const Shape& shape) {
  if (shape.empty() || shape.size() > 4) throw BuildError("skeleton inputs are rank 1 to 4");
  std::array<int64_t, 4> s{1, 1, 1, 1};
  for (size_t i = 0; i < shape.size(); ++i) s[i] = shape[i];
  out_.producers.push_back(-1);
  out_.shapes.push_back(s);
  return ValueId{static_cast<uint32_t>(out_.producers.size() - 1)};
}

ValueId SkeletonBuilder::add_node(OpKind kind, std::initializer_list<ValueId> inputs,
                                  std::initializer_list<int64_t> params, const std::array<int64_t, 4>& shape) {
  KeyHasher k;
  k.mix(static_cast<uint64_t>(kind));
  k.mix(params.size());
  for (int64_t p : params) k.mix(static_cast<uint64_t>(p));
  k.mix(inputs.size());
  OpSkeleton::Node node;
  node.op = kind;
  node.first_input = static_cast<uint32_t>(out_.node_inputs.size());
  node.input_count = static_cast<uint32_t>(inputs.size());
  for (ValueId v : inputs) {
    for (int64_t d : out_.shapes[v.index]) k.mix(static_cast<uint64_t>(d));
    out_.node_inputs.push_back(v);
  }
  node.key = k.done();
  node.output = ValueId{static_cast<uint32_t>(out_.producers.size())};
  out_.producers.push_back(static_cast<int64_t>(out_.nodes.size()));
  out_.shapes.push_back(shape);
  out_.nodes.push_back(node);
  return node.output;
}

ValueId SkeletonBuilder::op(OpKind kind, const std::vector<ValueId>& inputs, const Attrs& attrs, const std::string&) {
  // Only single-input ops whose output has their input's shape (the NAS builders' scalar
  // multiply): anything else needs the op table's shape rules, which a skeleton skips.
  if (inputs.size() != 1) throw BuildError("skeleton op() takes one input");
  KeyHasher attr_key;
  for (const auto& [name, value] : attrs) {
    for (char c : name) attr_key.mix(static_cast<unsigned char>(c));
    if (const auto* i = std::get_if<int64_t>(&value))
      attr_key.mix(static_cast<uint64_t>(*i));
    else if (const auto* d = std::get_if<double>(&value))
      attr_key.mix(std::bit_cast<uint64_t>(*d));
    else
      throw BuildError("skeleton op() takes scalar attributes only");
  }
  return add_node(kind, {inputs[0]}, {static_cast<int64_t>(attr_key.done())}, out_.shapes[inputs[0].index]);
}

ValueId SkeletonBuilder::conv(ValueId x, int64_t out_channels, int64_t kernel, int64_t stride) {
  const auto& in = out_.shapes[x.index];
  const int64_t pad = (kernel - 1) / 2;  // GraphBuilder::conv's symmetric padding
  return add_node(OpKind::kConv2d, {x}, {out_channels, kernel, stride, pad},
                  {in[0], out_channels, pooled(in[2], kernel, stride, pad), pooled(in[3], kernel, stride, pad)});
}

ValueId SkeletonBuilder::batch_norm(ValueId x) { return add_node(OpKind::kBatchNorm, {x}, {}, out_.shapes[x.index]); }

ValueId SkeletonBuilder::activation(ValueId x, Act act) {
  switch (act) {
    case Act::kNone:
      return x;
    case Act::kRelu:
      return add_node(OpKind::kRelu, {x}, {}, out_.shapes[x.index]);
    default:
      throw BuildError("skeleton activations: relu only");
  }
}

ValueId SkeletonBuilder::add(ValueId a, ValueId b) {
  if (out_.shapes[a.index] != out_.shapes[b.index]) throw BuildError("skeleton add: operand shapes differ");
  return add_node(OpKind::kAdd, {a, b}, {}, out_.shapes[a.index]);
}

ValueId SkeletonBuilder::avg_pool(ValueId x, int64_t kernel, int64_t stride, int64_t pad, bool count_include_pad) {
  const auto& in = out_.shapes[x.index];
  return add_node(OpKind::kAvgPool2d, {x}, {kernel, stride, pad, count_include_pad ? 1 : 0},
                  {in[0], in[1], pooled(in[2], kernel, stride, pad), pooled(in[3], kernel, stride, pad)});
}

ValueId SkeletonBuilder::classifier(ValueId x, int64_t num_classes) {
  // GraphBuilder::classifier: global_avg_pool -> flatten -> fully_connected (bias).
  const auto& in = out_.shapes[x.index];
  const int64_t n = in[0], c = in[1];
  const ValueId pooled_value = add_node(OpKind::kGlobalAvgPool, {x}, {}, {n, c, 1, 1});
  const ValueId flat = add_node(OpKind::kFlatten, {pooled_value}, {1}, {n, c, 1, 1});
  return add_node(OpKind::kFullyConnected, {flat}, {num_classes, 1}, {n, num_classes, 1, 1});
}

ValueId SkeletonBuilder::repeat_cell(uint32_t first_node, uint32_t cell_nodes, ValueId cell_input, ValueId cell_output,
                                     ValueId input) {
  if (out_.shapes[input.index] != out_.shapes[cell_input.index]) {
    throw BuildError("skeleton repeat_cell: the input's shape differs from the cell's");
  }
  if (cell_nodes == 0) {  // the cell is its input (e.g. one skip connection)
    if (cell_output != cell_input) throw BuildError("skeleton repeat_cell: an empty cell must output its input");
    return input;
  }
  if (static_cast<size_t>(first_node) + cell_nodes > out_.nodes.size()) {
    throw BuildError("skeleton repeat_cell: the cell lies past the skeleton's end");
  }
  // Every node makes one value, so the cell's values are consecutive and the copy's are too,
  // shifted by `shift`.
  const uint32_t first_value = out_.nodes[first_node].output.index;
  if (out_.nodes[first_node + cell_nodes - 1].output.index != first_value + cell_nodes - 1) {
    throw BuildError("skeleton repeat_cell: the cell's values are not consecutive");
  }
  const uint32_t shift = static_cast<uint32_t>(out_.producers.size()) - first_value;
  const uint32_t node_shift = static_cast<uint32_t>(out_.nodes.size()) - first_node;
  auto renumber = [&](ValueId v) {
    if (v == cell_input) return input;
    if (v.index < first_value || v.index >= first_value + cell_nodes) {
      throw BuildError("skeleton repeat_cell: the cell reads a value from outside it");
    }
    return ValueId{v.index + shift};
  };
  for (uint32_t n = first_node; n < first_node + cell_nodes; ++n) {
    OpSkeleton::Node node = out_.nodes[n];
    const uint32_t first_input = node.first_input;
    node.first_input = static_cast<uint32_t>(out_.node_inputs.size());
    for (uint32_t i = 0; i < node.input_count; ++i) {
      out_.node_inputs.push_back(renumber(out_.node_inputs[first_input + i]));
    }
    node.output = ValueId{static_cast<uint32_t>(out_.producers.size())};
    out_.producers.push_back(static_cast<int64_t>(n + node_shift));
    const std::array<int64_t, 4> shape = out_.shapes[out_.nodes[n].output.index];
    out_.shapes.push_back(shape);
    out_.nodes.push_back(node);
  }
  return renumber(cell_output);
}

void SkeletonBuilder::finish(const std::vector<ValueId>& outputs) { out_.outputs = outputs; }

}  // namespace nnlat::ir
