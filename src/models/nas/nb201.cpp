// NAS-Bench-201 (Dong & Yang, ICLR 2020): a 4-node cell with 6 edges, each one of 5 ops,
// inside the benchmark's TinyNetwork skeleton (xautodl models/cell_infers/tiny_network.py).
//
// Encoding: the benchmark's architecture string
//   |op~0|+|op~0|op~1|+|op~0|op~1|op~2|
// node j (1..3) lists its incoming edges from nodes 0..j-1 in order. Ops: none,
// skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3. The string is its own canonical
// form (validated strictly); all 15625 strings count as distinct architectures.
//
// 'none' edges are dropped. A node whose incoming edges are all 'none' (or come only from
// such nodes) is zero and is dropped from the sums downstream, with the ops on its
// outgoing edges. When the cell's output node is zero (e.g. the all-'none' cell) the cell
// outputs a zero tensor, built as one `mul` of the cell input by the scalar 0 (what the
// benchmark's Zero op computes), so the graph stays connected and valid. Dead nodes (whose
// value reaches the output through 'none' edges only) are not built.
#include <array>
#include <numeric>
#include <optional>

#include "models/nas/nas_internal.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models::nas {
namespace {

constexpr std::array<std::string_view, 5> kOps = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                                  "avg_pool_3x3"};
constexpr int kNone = 0, kSkip = 1, kConv1x1 = 2, kConv3x3 = 3, kAvgPool = 4;

// Edge order in the string: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).
using Cell = std::array<int, 6>;
constexpr int edge_index(int to, int from) { return to * (to - 1) / 2 + from; }

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

std::string to_string(const Cell& c) {
  std::string s;
  for (int to = 1; to <= 3; ++to) {
    if (to > 1) s += '+';
    s += '|';
    for (int from = 0; from < to; ++from) {
      s += std::string(kOps[c[edge_index(to, from)]]) + "~" + std::to_string(from) + "|";
    }
  }
  return s;
}

Result<Cell> parse(std::string_view text) {
  const std::string example =
      " (expected e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|"
      "nor_conv_3x3~1|skip_connect~2|')";
  Cell c{};
  std::vector<std::string_view> nodes;
  size_t start = 0;
  for (;;) {
    const size_t plus = text.find('+', start);
    nodes.push_back(text.substr(start, plus == std::string_view::npos ? std::string_view::npos : plus - start));
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  if (nodes.size() != 3) {
    return invalid("expected 3 nodes separated by '+', got " + std::to_string(nodes.size()) + example);
  }
  for (int to = 1; to <= 3; ++to) {
    std::string_view node = nodes[to - 1];
    const std::string where = "node " + std::to_string(to) + " '" + std::string(node) + "'";
    if (node.size() < 2 || node.front() != '|' || node.back() != '|') {
      return invalid(where + ": must start and end with '|'" + example);
    }
    node = node.substr(1, node.size() - 2);
    std::vector<std::string_view> edges;
    size_t s = 0;
    for (;;) {
      const size_t bar = node.find('|', s);
      edges.push_back(node.substr(s, bar == std::string_view::npos ? std::string_view::npos : bar - s));
      if (bar == std::string_view::npos) break;
      s = bar + 1;
    }
    if (static_cast<int>(edges.size()) != to) {
      return invalid(where + ": needs " + std::to_string(to) + " incoming edge(s) (from nodes 0.." +
                     std::to_string(to - 1) + "), got " + std::to_string(edges.size()));
    }
    for (int from = 0; from < to; ++from) {
      const std::string_view edge = edges[from];
      const size_t tilde = edge.find('~');
      if (tilde == std::string_view::npos) return invalid(where + ": edge '" + std::string(edge) + "' lacks '~INPUT'");
      const std::string_view op = edge.substr(0, tilde);
      const std::string_view input = edge.substr(tilde + 1);
      int op_index = -1;
      for (size_t k = 0; k < kOps.size(); ++k) {
        if (kOps[k] == op) op_index = static_cast<int>(k);
      }
      if (op_index < 0) {
        return invalid(where + ": unknown op '" + std::string(op) +
                       "' (none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3)");
      }
      if (input != std::to_string(from)) {
        return invalid(where + ": edge " + std::to_string(from) + " must come from node " + std::to_string(from) +
                       " ('" + std::string(op) + "~" + std::to_string(from) + "'), got '~" + std::string(input) + "'");
      }
      c[edge_index(to, from)] = op_index;
    }
  }
  return c;
}

// ReLU -> conv (no bias) -> BN, as the benchmark's ReLUConvBN.
ir::ValueId relu_conv_bn(ir::GraphBuilder& b, ir::ValueId x, int64_t out, int64_t kernel, int64_t stride) {
  return b.batch_norm(b.conv(b.activation(x, ir::Act::kRelu), out, kernel, stride));
}

// InferCell with C_in == C_out and stride 1.
ir::ValueId build_cell(ir::GraphBuilder& b, const Cell& c, ir::ValueId input) {
  const int64_t ch = b.channels(input);
  std::array<std::optional<ir::ValueId>, 4> nodes;  // empty: the node is zero
  nodes[0] = input;
  // Nodes whose value reaches the cell output through no non-'none' edge are dead: a deployed
  // graph (ONNX/TFLite export) has no such ops and XNNPACK cannot run unconsumed values, so
  // they are not built (their MACs and params are not counted either).
  std::array<bool, 4> live{false, false, false, true};
  for (int from = 2; from >= 1; --from) {
    for (int to = from + 1; to <= 3; ++to) live[from] = live[from] || (live[to] && c[edge_index(to, from)] != kNone);
  }
  for (int to = 1; to <= 3; ++to) {
    if (!live[to]) continue;
    std::vector<ir::ValueId> terms;
    for (int from = 0; from < to; ++from) {
      const int op = c[edge_index(to, from)];
      if (op == kNone || !nodes[from]) continue;
      b.push_scope("edge" + std::to_string(from) + "_" + std::to_string(to));
      const ir::ValueId x = *nodes[from];
      switch (op) {
        case kSkip:
          terms.push_back(x);
          break;
        case kConv1x1:
          terms.push_back(relu_conv_bn(b, x, ch, 1, 1));
          break;
        case kConv3x3:
          terms.push_back(relu_conv_bn(b, x, ch, 3, 1));
          break;
        case kAvgPool:
          terms.push_back(b.avg_pool(x, 3, 1, 1, /*count_include_pad=*/false));
          break;
        default:
          break;
      }
      b.pop_scope();
    }
    if (terms.empty()) continue;
    b.push_scope("node" + std::to_string(to));
    ir::ValueId sum = terms[0];
    for (size_t i = 1; i < terms.size(); ++i) sum = b.add(sum, terms[i]);
    b.pop_scope();
    nodes[to] = sum;
  }
  if (nodes[3]) return *nodes[3];
  return b.op(ir::OpKind::kMul, {input}, {{"scalar", 0.0}}, "");
}

// ResNetBasicblock(C_in, C_out, stride 2): two ReLUConvBN 3x3 and an avgpool 2x2 + 1x1 conv
// shortcut.
ir::ValueId build_reduction(ir::GraphBuilder& b, ir::ValueId x, int64_t out) {
  b.push_scope("conv_a");
  ir::ValueId y = relu_conv_bn(b, x, out, 3, 2);
  b.pop_scope();
  b.push_scope("conv_b");
  y = relu_conv_bn(b, y, out, 3, 1);
  b.pop_scope();
  b.push_scope("downsample");
  ir::ValueId r = b.conv(b.avg_pool(x, 2, 2, 0), out, 1, 1);
  b.pop_scope();
  return b.add(r, y);
}

}  // namespace

Result<std::string> nb201_canonicalize(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(encoding));
  return to_string(c);
}

Result<ir::Graph> nb201_build(const std::string& canonical, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(canonical));
  const int64_t res = options.resolution > 0 ? options.resolution : 32;
  const int64_t classes = options.num_classes > 0 ? options.num_classes : 10;
  if (res % 4 != 0) {
    return invalid(
        "nb201 input resolution must be a multiple of 4 (two stride-2 reductions whose branches must "
        "agree), got " +
        std::to_string(res));
  }
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("nb201");
    ir::ValueId x = b.input({1, 3, res, res});
    b.push_scope("stem");
    x = b.batch_norm(b.conv(x, options.nb201_channels, 3, 1));
    b.pop_scope();
    int index = 0;
    for (int stage = 0; stage < 3; ++stage) {
      if (stage > 0) {
        b.push_scope("cell" + std::to_string(index++) + "_reduction");
        x = build_reduction(b, x, options.nb201_channels << stage);
        b.pop_scope();
      }
      for (int64_t i = 0; i < options.nb201_cells_per_stage; ++i) {
        b.push_scope("cell" + std::to_string(index++));
        x = build_cell(b, c, x);
        b.pop_scope();
      }
    }
    b.push_scope("lastact");
    x = b.activation(b.batch_norm(x), ir::Act::kRelu);
    b.pop_scope();
    b.push_scope("classifier");
    x = b.classifier(x, classes);
    b.pop_scope();
    return b.finish({x});
  });
}

Result<std::vector<std::string>> nb201_sample(int64_t n, uint64_t seed) {
  if (n > kNb201SpaceSize) {
    return invalid("nb201 has " + std::to_string(kNb201SpaceSize) + " architectures; cannot draw " + std::to_string(n) +
                   " distinct ones");
  }
  // Partial Fisher-Yates shuffle of the architecture indices: n distinct draws, uniform
  // without replacement. Index digits (base 5, first edge least significant) are the ops.
  std::mt19937_64 rng(seed);
  std::vector<int> index(kNb201SpaceSize);
  std::iota(index.begin(), index.end(), 0);
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const auto j = i + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(kNb201SpaceSize - i)));
    std::swap(index[i], index[j]);
    Cell c{};
    int code = index[i];
    for (int& op : c) {
      op = code % 5;
      code /= 5;
    }
    out.push_back(to_string(c));
  }
  return out;
}

}  // namespace nnlat::models::nas
