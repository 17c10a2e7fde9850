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
#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <string>
#include <type_traits>

#include "models/nas/nas_internal.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/skeleton.hpp"

namespace nnlat::models::nas {
namespace {

constexpr std::array<std::string_view, 5> kOps = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                                  "avg_pool_3x3"};
constexpr int kNone = 0, kSkip = 1, kConv1x1 = 2, kConv3x3 = 3, kAvgPool = 4;

// Edge order in the string: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).
using Cell = std::array<int, 6>;
constexpr int edge_index(int to, int from) { return to * (to - 1) / 2 + from; }

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

// The canonical spelling only ('|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'), without allocating:
// NAS loops parse millions of strings, and the full parser below builds its error messages'
// parts as it goes. Whatever this accepts, the full parser accepts with the same cell.
std::optional<Cell> parse_canonical(std::string_view text) {
  Cell c{};
  size_t at = 0;
  for (int to = 1; to <= 3; ++to) {
    if (to > 1 && (at >= text.size() || text[at++] != '+')) return std::nullopt;
    if (at >= text.size() || text[at++] != '|') return std::nullopt;
    for (int from = 0; from < to; ++from) {
      const size_t tilde = text.find('~', at);
      if (tilde == std::string_view::npos) return std::nullopt;
      const std::string_view op = text.substr(at, tilde - at);
      const auto known = std::find(kOps.begin(), kOps.end(), op);
      if (known == kOps.end()) return std::nullopt;
      if (tilde + 2 >= text.size() || text[tilde + 1] != static_cast<char>('0' + from) || text[tilde + 2] != '|') {
        return std::nullopt;
      }
      c[edge_index(to, from)] = static_cast<int>(known - kOps.begin());
      at = tilde + 3;
    }
  }
  if (at != text.size()) return std::nullopt;
  return c;
}

Result<Cell> parse(std::string_view text) {
  if (const auto canonical = parse_canonical(text)) return *canonical;
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

// The builders below are templates over the builder: ir::GraphBuilder emits the graph,
// ir::SkeletonBuilder the same ops as an op skeleton (the encoding predictor's fast path).

// Node names: scopes name a graph's nodes; a skeleton has no names, so its builder is not
// handed them (and no string is built: the skeleton path runs in a few microseconds).
template <class Builder, class... Parts>
void enter_scope(Builder& b, const Parts&... parts) {
  if constexpr (!std::is_same_v<Builder, ir::SkeletonBuilder>) {
    std::string name;
    ((name +=
      [&] {
        if constexpr (std::is_arithmetic_v<Parts>)
          return std::to_string(parts);
        else
          return std::string(parts);
      }()),
     ...);
    b.push_scope(name);
  }
}

template <class Builder>
void leave_scope(Builder& b) {
  if constexpr (!std::is_same_v<Builder, ir::SkeletonBuilder>) b.pop_scope();
}

// ReLU -> conv (no bias) -> BN, as the benchmark's ReLUConvBN.
template <class Builder>
ir::ValueId relu_conv_bn(Builder& b, ir::ValueId x, int64_t out, int64_t kernel, int64_t stride) {
  return b.batch_norm(b.conv(b.activation(x, ir::Act::kRelu), out, kernel, stride));
}

// InferCell with C_in == C_out and stride 1.
template <class Builder>
ir::ValueId build_cell(Builder& b, const Cell& c, ir::ValueId input) {
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
    std::array<ir::ValueId, 3> terms;  // at most one per incoming edge
    size_t term_count = 0;
    for (int from = 0; from < to; ++from) {
      const int op = c[edge_index(to, from)];
      if (op == kNone || !nodes[from]) continue;
      enter_scope(b, "edge", from, "_", to);
      const ir::ValueId x = *nodes[from];
      switch (op) {
        case kSkip:
          terms[term_count++] = x;
          break;
        case kConv1x1:
          terms[term_count++] = relu_conv_bn(b, x, ch, 1, 1);
          break;
        case kConv3x3:
          terms[term_count++] = relu_conv_bn(b, x, ch, 3, 1);
          break;
        case kAvgPool:
          terms[term_count++] = b.avg_pool(x, 3, 1, 1, /*count_include_pad=*/false);
          break;
        default:
          break;
      }
      leave_scope(b);
    }
    if (term_count == 0) continue;
    enter_scope(b, "node", to);
    ir::ValueId sum = terms[0];
    for (size_t i = 1; i < term_count; ++i) sum = b.add(sum, terms[i]);
    leave_scope(b);
    nodes[to] = sum;
  }
  if (nodes[3]) return *nodes[3];
  return b.op(ir::OpKind::kMul, {input}, {{"scalar", 0.0}}, "");
}

// ResNetBasicblock(C_in, C_out, stride 2): two ReLUConvBN 3x3 and an avgpool 2x2 + 1x1 conv
// shortcut.
template <class Builder>
ir::ValueId build_reduction(Builder& b, ir::ValueId x, int64_t out) {
  enter_scope(b, "conv_a");
  ir::ValueId y = relu_conv_bn(b, x, out, 3, 2);
  leave_scope(b);
  enter_scope(b, "conv_b");
  y = relu_conv_bn(b, y, out, 3, 1);
  leave_scope(b);
  enter_scope(b, "downsample");
  ir::ValueId r = b.conv(b.avg_pool(x, 2, 2, 0), out, 1, 1);
  leave_scope(b);
  return b.add(r, y);
}

// The TinyNetwork skeleton around the cell: stem, three stages of cells with a reduction
// block between them, the last BN + ReLU and the classifier.
// `abridged` (skeletons only): three cells per stage where the network has more
// (ir::OpSkeleton::repeats), which the encoding predictor expands.
template <class Builder>
ir::ValueId build_network(Builder& b, const Cell& c, int64_t res, int64_t classes, const SpaceOptions& options,
                          bool abridged = false) {
  ir::ValueId x = b.input({1, 3, res, res});
  enter_scope(b, "stem");
  x = b.batch_norm(b.conv(x, options.nb201_channels, 3, 1));
  leave_scope(b);
  int index = 0;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      enter_scope(b, "cell", index++, "_reduction");
      x = build_reduction(b, x, options.nb201_channels << stage);
      leave_scope(b);
    }
    const int64_t cells = options.nb201_cells_per_stage;
    const int64_t built = abridged ? std::min(cells, ir::OpSkeleton::kAbridgedCells) : cells;
    uint32_t first_node = 0;
    uint32_t cell_nodes = 0;
    [[maybe_unused]] ir::ValueId first_input, first_output;  // of the stage's first cell
    for (int64_t i = 0; i < built; ++i) {
      if constexpr (std::is_same_v<Builder, ir::SkeletonBuilder>) {
        // A skeleton copies the stage's first cell (same shapes, so the same keys).
        if (i > 0) {
          if (i == 1) cell_nodes = b.node_count() - first_node;
          x = b.repeat_cell(first_node, cell_nodes, first_input, first_output, x);
          continue;
        }
        first_node = b.node_count();
        first_input = x;
      }
      enter_scope(b, "cell", index++);
      x = build_cell(b, c, x);
      leave_scope(b);
      first_output = x;
    }
    if constexpr (std::is_same_v<Builder, ir::SkeletonBuilder>) {
      if (built < cells) b.repeated_cells(first_node, cell_nodes, static_cast<uint32_t>(cells));
    }
    index += static_cast<int>(cells - built);
  }
  enter_scope(b, "lastact");
  x = b.activation(b.batch_norm(x), ir::Act::kRelu);
  leave_scope(b);
  enter_scope(b, "classifier");
  x = b.classifier(x, classes);
  leave_scope(b);
  return x;
}

struct NetworkSize {
  int64_t resolution = 32;
  int64_t classes = 10;
};

Result<NetworkSize> network_size(const SpaceOptions& options) {
  NetworkSize size;
  if (options.resolution > 0) size.resolution = options.resolution;
  if (options.num_classes > 0) size.classes = options.num_classes;
  if (size.resolution % 4 != 0) {
    return invalid(
        "nb201 input resolution must be a multiple of 4 (two stride-2 reductions whose branches must "
        "agree), got " +
        std::to_string(size.resolution));
  }
  return size;
}

}  // namespace

Result<std::string> nb201_canonicalize(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(encoding));
  return to_string(c);
}

Result<ir::Graph> nb201_build(const std::string& canonical, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(canonical));
  NNLAT_ASSIGN_OR_RETURN(const NetworkSize size, network_size(options));
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("nb201");
    const ir::ValueId out = build_network(b, c, size.resolution, size.classes, options);
    return b.finish({out});
  });
}

Status nb201_build_skeleton(std::string_view encoding, const SpaceOptions& options, bool abridged,
                            ir::OpSkeleton& out) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(encoding));
  NNLAT_ASSIGN_OR_RETURN(const NetworkSize size, network_size(options));
  try {
    ir::SkeletonBuilder b(out);
    const ir::ValueId x = build_network(b, c, size.resolution, size.classes, options, abridged);
    b.finish({x});
  } catch (const ir::BuildError& e) {
    return make_error(ErrorCode::kShapeError, std::string("nb201 skeleton: ") + e.what());
  }
  return Status::Ok();
}

std::vector<std::string> nb201_encoding_feature_names() {
  std::vector<std::string> names;
  for (int to = 1; to <= 3; ++to) {
    for (int from = 0; from < to; ++from) {
      for (const auto op : kOps) {
        names.push_back("nb201:" + std::to_string(to) + "<-" + std::to_string(from) + ":" + std::string(op));
      }
    }
  }
  return names;
}

Result<std::vector<float>> nb201_encoding_features(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, parse(encoding));
  // The names' order: edges as in the string (Cell's order), then ops as in kOps.
  std::vector<float> one_hot(c.size() * kOps.size(), 0.0f);
  for (size_t edge = 0; edge < c.size(); ++edge) one_hot[edge * kOps.size() + static_cast<size_t>(c[edge])] = 1.0f;
  return one_hot;
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
