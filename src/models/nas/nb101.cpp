// NAS-Bench-101 (Ying et al., ICML 2019): cells as a DAG of at most 7 vertices and 9 edges,
// the network skeleton of the benchmark's model_builder.py, its ModelSpec pruning and its
// graph_util.hash_module fingerprint.
//
// Encoding: "ops=in,c3,mp,c1,out;adj=0110,0001,0001,0000" -- one op per vertex (in, c3 =
// conv3x3-bn-relu, c1 = conv1x1-bn-relu, mp = maxpool3x3, out; the long benchmark names
// are accepted too) and the adjacency matrix row by row (row i, column j = edge i -> j).
// The canonical form is the pruned cell with its interior vertices in the order that gives
// the smallest (ops, matrix) string among all topological orders, so isomorphic cells have
// the same canonical encoding (and so the same encoding_hash).
//
// The sampler draws uniformly, without replacement, from the enumeration of all 423,624
// unique cells (the benchmark's dataset size, which the enumeration reproduces).
#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

#include "models/nas/nas_internal.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models::nas {

// ---- MD5 (RFC 1321) ---------------------------------------------------------------------
std::string md5_hex(std::string_view bytes) {
  static constexpr uint32_t kK[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
      0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
      0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
      0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
      0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
      0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
      0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
  static constexpr int kS[64] = {7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
                                 14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
                                 4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};
  std::string msg(bytes);
  const uint64_t bit_length = static_cast<uint64_t>(msg.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 0; i < 8; ++i) msg.push_back(static_cast<char>((bit_length >> (8 * i)) & 0xff));
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  auto rotl = [](uint32_t x, int c) { return (x << c) | (x >> (32 - c)); };
  for (size_t chunk = 0; chunk < msg.size(); chunk += 64) {
    uint32_t m[16];
    for (int i = 0; i < 16; ++i) {
      m[i] = 0;
      for (int k = 0; k < 4; ++k) {
        m[i] |= static_cast<uint32_t>(static_cast<unsigned char>(msg[chunk + 4 * i + k])) << (8 * k);
      }
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; ++i) {
      uint32_t f = 0;
      int g = 0;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f = f + a + kK[i] + m[g];
      a = d;
      d = c;
      c = b;
      b = b + rotl(f, kS[i]);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
  }
  std::string out;
  char buf[3];
  for (uint32_t word : h) {
    for (int k = 0; k < 4; ++k) {
      std::snprintf(buf, sizeof buf, "%02x", (word >> (8 * k)) & 0xff);
      out += buf;
    }
  }
  return out;
}

namespace {

// Vertex labels as in the benchmark's hash_spec: interior ops index its canonical op list
// (conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3), the input is -1 and the output -2.
constexpr int kInput = -1;
constexpr int kOutput = -2;
constexpr int kConv3x3 = 0;
constexpr int kConv1x1 = 1;
constexpr int kMaxPool3x3 = 2;

constexpr int kMaxVertices = 7;        // the benchmark's module_vertices
constexpr int kMaxEdges = 9;           // the benchmark's max_edges
constexpr int kMaxInputVertices = 32;  // largest spec accepted before pruning

// A spec as written, before pruning.
struct Spec {
  std::vector<int> ops;                   // one label per vertex
  std::vector<std::vector<uint8_t>> adj;  // adj[i][j]: edge i -> j
};

// A pruned cell (at most 7 vertices): rows[i] bit j is the edge i -> j.
struct Cell {
  int n = 0;
  std::array<int8_t, kMaxVertices> ops{};
  std::array<uint8_t, kMaxVertices> rows{};
  bool edge(int i, int j) const { return ((rows[i] >> j) & 1) != 0; }
  int edges() const {
    int e = 0;
    for (int i = 0; i < n; ++i) e += std::popcount(rows[i]);
    return e;
  }
};

using Perm = std::array<int, kMaxVertices>;  // new vertex index -> old vertex index

const char* short_name(int op) {
  switch (op) {
    case kInput:
      return "in";
    case kOutput:
      return "out";
    case kConv3x3:
      return "c3";
    case kConv1x1:
      return "c1";
    case kMaxPool3x3:
      return "mp";
  }
  return "?";
}

Result<int> parse_op(std::string_view name) {
  if (name == "in" || name == "input") return kInput;
  if (name == "out" || name == "output") return kOutput;
  if (name == "c3" || name == "conv3x3-bn-relu") return kConv3x3;
  if (name == "c1" || name == "conv1x1-bn-relu") return kConv1x1;
  if (name == "mp" || name == "maxpool3x3") return kMaxPool3x3;
  return invalid("unknown op '" + std::string(name) +
                 "' (input/in, conv3x3-bn-relu/c3, conv1x1-bn-relu/c1, maxpool3x3/mp, output/out)");
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

// What the benchmark's ModelSpec constructor and _check_spec require of the unpruned spec
// (square, upper triangular, one op per vertex), plus input first, output last and only
// searchable ops in between.
Status check_structure(const Spec& s) {
  const int n = static_cast<int>(s.ops.size());
  if (n < 2) return invalid("a cell needs at least the input and the output vertex, got " + std::to_string(n));
  if (n > kMaxInputVertices) return invalid("too many vertices: " + std::to_string(n));
  if (static_cast<int>(s.adj.size()) != n) {
    return invalid("the matrix has " + std::to_string(s.adj.size()) + " rows but there are " + std::to_string(n) +
                   " ops (one per vertex)");
  }
  for (int i = 0; i < n; ++i) {
    if (static_cast<int>(s.adj[i].size()) != n) {
      return invalid("matrix row " + std::to_string(i) + " has " + std::to_string(s.adj[i].size()) +
                     " entries; the matrix must be square (" + std::to_string(n) + "x" + std::to_string(n) + ")");
    }
    for (int j = 0; j <= i; ++j) {
      if (s.adj[i][j]) {
        return invalid(
            "the matrix must be strictly upper triangular (edges go from a lower to a higher vertex), but row " +
            std::to_string(i) + " column " + std::to_string(j) + " is set");
      }
    }
  }
  if (s.ops.front() != kInput) return invalid("the first op must be 'input'");
  if (s.ops.back() != kOutput) return invalid("the last op must be 'output'");
  for (int i = 1; i + 1 < n; ++i) {
    if (s.ops[i] == kInput || s.ops[i] == kOutput) {
      return invalid("vertex " + std::to_string(i) +
                     " is interior and must be conv3x3-bn-relu, conv1x1-bn-relu or maxpool3x3, got '" +
                     std::string(s.ops[i] == kInput ? "input" : "output") + "'");
    }
  }
  return Status::Ok();
}

// ModelSpec._prune: keep the vertices on some path input -> output; then the benchmark's
// _check_spec limits (connected, at most 7 vertices and 9 edges after pruning).
Result<Cell> prune_and_check(const Spec& s) {
  const int n = static_cast<int>(s.ops.size());
  std::vector<bool> from_input(n, false), to_output(n, false);
  from_input[0] = true;
  for (int v = 0; v < n; ++v) {
    if (!from_input[v]) continue;
    for (int w = v + 1; w < n; ++w) {
      if (s.adj[v][w]) from_input[w] = true;
    }
  }
  to_output[n - 1] = true;
  for (int v = n - 1; v >= 0; --v) {
    if (!to_output[v]) continue;
    for (int u = 0; u < v; ++u) {
      if (s.adj[u][v]) to_output[u] = true;
    }
  }
  std::vector<int> keep;
  for (int v = 0; v < n; ++v) {
    if (from_input[v] && to_output[v]) keep.push_back(v);
  }
  if (keep.size() < 2) return invalid("invalid cell: no path from the input to the output vertex");
  const int m = static_cast<int>(keep.size());
  if (m > kMaxVertices) {
    return invalid("too many vertices after pruning: " + std::to_string(m) + " (max " + std::to_string(kMaxVertices) +
                   ")");
  }
  Cell c;
  c.n = m;
  int edges = 0;
  for (int i = 0; i < m; ++i) {
    c.ops[i] = static_cast<int8_t>(s.ops[keep[i]]);
    for (int j = 0; j < m; ++j) {
      if (s.adj[keep[i]][keep[j]]) {
        c.rows[i] = static_cast<uint8_t>(c.rows[i] | (1u << j));
        ++edges;
      }
    }
  }
  if (edges > kMaxEdges) {
    return invalid("too many edges after pruning: " + std::to_string(edges) + " (max " + std::to_string(kMaxEdges) +
                   ")");
  }
  return c;
}

// Calls f(perm, pos) for every order of the interior vertices (input first and output
// last stay in place) that keeps every edge pointing forward, until f returns false.
template <typename F>
void for_each_topological_order(const Cell& c, F&& f) {
  Perm perm{}, pos{};
  std::iota(perm.begin(), perm.begin() + c.n, 0);
  do {
    for (int i = 0; i < c.n; ++i) pos[perm[i]] = i;
    bool forward = true;
    for (int a = 0; a < c.n && forward; ++a) {
      for (int b = a + 1; b < c.n; ++b) {
        if (c.edge(a, b) && pos[a] > pos[b]) {
          forward = false;
          break;
        }
      }
    }
    if (forward && !f(perm, pos)) return;
  } while (c.n > 2 && std::next_permutation(perm.begin() + 1, perm.begin() + c.n - 1));
}

Cell relabel(const Cell& c, const Perm& perm, const Perm& pos) {
  Cell r;
  r.n = c.n;
  for (int i = 0; i < c.n; ++i) {
    r.ops[i] = c.ops[perm[i]];
    for (int j = 0; j < c.n; ++j) {
      if (c.edge(i, j)) r.rows[pos[i]] = static_cast<uint8_t>(r.rows[pos[i]] | (1u << pos[j]));
    }
  }
  return r;
}

// The matrix row by row, (0, 0) most significant: ordered like the encoding text.
uint64_t matrix_key(const Cell& c) {
  uint64_t k = 0;
  for (int i = 0; i < c.n; ++i) {
    for (int j = 0; j < c.n; ++j) k = (k << 1) | (c.edge(i, j) ? 1u : 0u);
  }
  return k;
}

// Interior ops (first vertex most significant), then the matrix.
uint64_t cell_key(const Cell& c) {
  uint64_t ops = 0;
  for (int i = 1; i + 1 < c.n; ++i) ops = ops * 3 + static_cast<uint64_t>(c.ops[i]);
  return (ops << (c.n * c.n)) | matrix_key(c);
}

// The order of the interior vertices that gives the smallest (ops, matrix) key among all
// topological orders: an isomorphism invariant of the labelled DAG.
Cell canonical_order(const Cell& c) {
  Cell best = c;
  uint64_t best_key = cell_key(c);
  for_each_topological_order(c, [&](const Perm& perm, const Perm& pos) {
    Cell r = relabel(c, perm, pos);
    const uint64_t k = cell_key(r);
    if (k < best_key) {
      best_key = k;
      best = r;
    }
    return true;
  });
  return best;
}

std::string to_encoding(const Cell& c) {
  std::string s = "ops=";
  for (int i = 0; i < c.n; ++i) {
    if (i) s += ',';
    s += short_name(c.ops[i]);
  }
  s += ";adj=";
  for (int i = 0; i < c.n; ++i) {
    if (i) s += ',';
    for (int j = 0; j < c.n; ++j) s += c.edge(i, j) ? '1' : '0';
  }
  return s;
}

Result<Cell> canonical_cell(const Spec& s) {
  NNLAT_RETURN_IF_ERROR(check_structure(s));
  NNLAT_ASSIGN_OR_RETURN(Cell pruned, prune_and_check(s));
  return canonical_order(pruned);
}

Result<Spec> parse_text(std::string_view text) {
  const auto parts = split(text, ';');
  if (parts.size() != 2 || parts[0].substr(0, 4) != "ops=" || parts[1].substr(0, 4) != "adj=") {
    return invalid(
        "expected 'ops=OP,OP,...;adj=ROW,ROW,...' (e.g. 'ops=in,c3,out;adj=010,001,000') or a JSON spec "
        "{\"matrix\": ..., \"ops\": ...}, got '" +
        std::string(text) + "'");
  }
  Spec s;
  for (std::string_view name : split(parts[0].substr(4), ',')) {
    NNLAT_ASSIGN_OR_RETURN(int op, parse_op(name));
    s.ops.push_back(op);
    if (static_cast<int>(s.ops.size()) > kMaxInputVertices) return invalid("too many vertices");
  }
  for (std::string_view row : split(parts[1].substr(4), ',')) {
    std::vector<uint8_t> r;
    for (char ch : row) {
      if (ch != '0' && ch != '1') {
        return invalid("matrix rows may hold only '0' and '1', got '" + std::string(row) + "'");
      }
      r.push_back(ch == '1' ? 1 : 0);
    }
    s.adj.push_back(std::move(r));
  }
  return s;
}

Result<Spec> spec_from_json(std::string_view text, const std::string& source) {
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  auto fail = [&](const std::string& why) { return make_error(ErrorCode::kParseError, source + ": " + why); };
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("expected a JSON object {\"matrix\": [[...]], \"ops\": [...]}");
  const char* matrix_key_name = j.contains("matrix") ? "matrix" : "module_adjacency";
  const char* ops_key_name = j.contains("ops") ? "ops" : "module_operations";
  if (!j.contains(matrix_key_name) || !j[matrix_key_name].is_array()) return fail("missing array \"matrix\"");
  if (!j.contains(ops_key_name) || !j[ops_key_name].is_array()) return fail("missing array \"ops\"");
  if (j[ops_key_name].size() > static_cast<size_t>(kMaxInputVertices)) return fail("too many vertices");
  Spec s;
  for (const auto& op : j[ops_key_name]) {
    if (!op.is_string()) return fail("\"ops\" must hold strings");
    auto parsed = parse_op(op.get<std::string>());
    if (!parsed.ok()) return parsed.error().with_context(source);
    s.ops.push_back(*parsed);
  }
  for (const auto& row : j[matrix_key_name]) {
    if (!row.is_array()) return fail("\"matrix\" must be an array of rows");
    std::vector<uint8_t> r;
    for (const auto& e : row) {
      if (e.is_boolean()) {
        r.push_back(e.get<bool>() ? 1 : 0);
      } else if (e.is_number_integer() && (e.get<int64_t>() == 0 || e.get<int64_t>() == 1)) {
        r.push_back(static_cast<uint8_t>(e.get<int64_t>()));
      } else {
        return fail("matrix entries must be 0 or 1, got " + e.dump());
      }
    }
    s.adj.push_back(std::move(r));
  }
  return s;
}

Result<Spec> parse_any(std::string_view encoding) {
  if (!encoding.empty() && encoding.front() == '{') return spec_from_json(encoding, "spec");
  return parse_text(encoding);
}

// Every NAS-Bench-101 cell exactly once: the labelled DAGs of 2..7 vertices and at most 9
// edges in which every vertex lies on a path input -> output, up to isomorphism. Per
// vertex count: the unlabelled matrices that are smallest in their isomorphism class, then
// per matrix the op labellings that are smallest in their orbit under the matrix's
// automorphisms. One representative per cell (not yet in canonical_order), in a fixed
// order.
std::vector<Cell> enumerate_cells() {
  std::vector<Cell> all;
  for (int n = 2; n <= kMaxVertices; ++n) {
    std::vector<std::pair<int, int>> pairs;
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) pairs.emplace_back(i, j);
    }
    const uint32_t num_masks = 1u << pairs.size();
    for (uint32_t mask = 0; mask < num_masks; ++mask) {
      if (std::popcount(mask) > kMaxEdges) continue;
      Cell c;
      c.n = n;
      for (size_t p = 0; p < pairs.size(); ++p) {
        if ((mask >> p) & 1) c.rows[pairs[p].first] |= static_cast<uint8_t>(1u << pairs[p].second);
      }
      // Every vertex reachable from the input and reaching the output (nothing to prune).
      uint32_t reach = 1;
      for (int v = 0; v < n; ++v) {
        if ((reach >> v) & 1) reach |= c.rows[v];
      }
      uint32_t coreach = 1u << (n - 1);
      for (int v = n - 1; v >= 0; --v) {
        if (c.rows[v] & coreach) coreach |= 1u << v;
      }
      const uint32_t everything = (1u << n) - 1;
      if (reach != everything || coreach != everything) continue;
      // Keep the matrix only if it is the smallest of its isomorphism class.
      const uint64_t key = matrix_key(c);
      bool smallest = true;
      std::vector<Perm> automorphisms;
      for_each_topological_order(c, [&](const Perm& perm, const Perm& pos) {
        const uint64_t k = matrix_key(relabel(c, perm, pos));
        if (k < key) smallest = false;
        if (k == key) automorphisms.push_back(perm);
        return smallest;
      });
      if (!smallest) continue;
      int labellings = 1;
      for (int i = 1; i + 1 < n; ++i) labellings *= 3;
      for (int code = 0; code < labellings; ++code) {
        Cell l = c;
        l.ops[0] = kInput;
        l.ops[n - 1] = kOutput;
        for (int i = n - 2, rest = code; i >= 1; --i, rest /= 3) l.ops[i] = static_cast<int8_t>(rest % 3);
        bool orbit_min = true;
        for (const Perm& g : automorphisms) {
          int other = 0;
          for (int i = 1; i + 1 < n; ++i) other = other * 3 + l.ops[g[i]];
          if (other < code) {
            orbit_min = false;
            break;
          }
        }
        if (orbit_min) all.push_back(l);
      }
    }
  }
  return all;
}

// model_builder.compute_vertex_channels: the output channels are split over the vertices
// feeding the output (the first ones get the remainder, one channel each); every other
// interior vertex takes the largest channel count of its successors.
std::vector<int64_t> compute_vertex_channels(int64_t in_channels, int64_t out_channels, const Cell& c) {
  const int n = c.n;
  std::vector<int64_t> vc(n, 0);
  vc[0] = in_channels;
  vc[n - 1] = out_channels;
  if (n == 2) return vc;
  int64_t fan_in = 0;
  for (int v = 1; v < n - 1; ++v) fan_in += c.edge(v, n - 1) ? 1 : 0;
  const int64_t interior = out_channels / fan_in;
  int64_t correction = out_channels % fan_in;
  for (int v = 1; v < n - 1; ++v) {
    if (c.edge(v, n - 1)) {
      vc[v] = interior;
      if (correction) {
        ++vc[v];
        --correction;
      }
    }
  }
  for (int v = n - 3; v > 0; --v) {
    if (!c.edge(v, n - 1)) {
      for (int dst = v + 1; dst < n - 1; ++dst) {
        if (c.edge(v, dst)) vc[v] = std::max(vc[v], vc[dst]);
      }
    }
  }
  return vc;
}

// 1x1 conv + BN + ReLU (model_builder.projection).
ir::ValueId projection(ir::GraphBuilder& b, ir::ValueId x, int64_t channels) {
  b.push_scope("projection");
  x = b.conv_bn_act(x, channels, 1, 1, 1, ir::Act::kRelu);
  b.pop_scope();
  return x;
}

// model_builder.truncate: keep the first `channels` channels.
ir::ValueId truncate(ir::GraphBuilder& b, ir::ValueId x, int64_t channels) {
  const int64_t have = b.channels(x);
  if (have == channels) return x;
  if (have < channels) throw ir::BuildError("truncate: input has fewer channels than the vertex");
  return b.split(x, {channels, have - channels})[0];
}

// model_builder.build_module.
ir::ValueId build_module(ir::GraphBuilder& b, const Cell& c, ir::ValueId input, int64_t channels) {
  const int n = c.n;
  const std::vector<int64_t> vc = compute_vertex_channels(b.channels(input), channels, c);
  std::vector<ir::ValueId> tensors{input};
  std::vector<ir::ValueId> concat_in;
  for (int t = 1; t < n - 1; ++t) {
    b.push_scope("vertex" + std::to_string(t));
    std::vector<ir::ValueId> add_in;
    for (int src = 1; src < t; ++src) {
      if (c.edge(src, t)) add_in.push_back(truncate(b, tensors[src], vc[t]));
    }
    if (c.edge(0, t)) add_in.push_back(projection(b, input, vc[t]));
    ir::ValueId x = add_in.at(0);
    for (size_t i = 1; i < add_in.size(); ++i) x = b.add(x, add_in[i]);
    switch (c.ops[t]) {
      case kConv3x3:
        x = b.conv_bn_act(x, vc[t], 3, 1, 1, ir::Act::kRelu);
        break;
      case kConv1x1:
        x = b.conv_bn_act(x, vc[t], 1, 1, 1, ir::Act::kRelu);
        break;
      default:
        x = b.max_pool(x, 3, 1, 1);
        break;
    }
    b.pop_scope();
    tensors.push_back(x);
    if (c.edge(t, n - 1)) concat_in.push_back(x);
  }
  b.push_scope("output");
  ir::ValueId out;
  if (concat_in.empty()) {
    out = projection(b, input, channels);
  } else {
    out = concat_in.size() == 1 ? concat_in[0] : b.concat(concat_in);
    if (c.edge(0, n - 1)) out = b.add(out, projection(b, input, channels));
  }
  b.pop_scope();
  return out;
}

// 2x2 stride-2 max pool with TensorFlow 'same' padding (extra row/column at the end for
// odd sizes).
ir::ValueId downsample(ir::GraphBuilder& b, ir::ValueId x) {
  const int64_t h = b.shape(x).at(2), w = b.shape(x).at(3);
  return b.op(ir::OpKind::kMaxPool2d, {x},
              {{"kernel", std::vector<int64_t>{2, 2}},
               {"stride", std::vector<int64_t>{2, 2}},
               {"pads", std::vector<int64_t>{0, 0, h % 2, w % 2}}});
}

Result<Cell> decode_canonical(std::string_view canonical) {
  NNLAT_ASSIGN_OR_RETURN(Spec s, parse_text(canonical));
  NNLAT_RETURN_IF_ERROR(check_structure(s));
  return prune_and_check(s);
}

}  // namespace

Result<std::string> nb101_canonicalize(std::string_view encoding) {
  NNLAT_ASSIGN_OR_RETURN(Spec s, parse_any(encoding));
  NNLAT_ASSIGN_OR_RETURN(Cell c, canonical_cell(s));
  return to_encoding(c);
}

Result<std::string> nb101_from_json(std::string_view json_text, const std::string& source) {
  NNLAT_ASSIGN_OR_RETURN(Spec s, spec_from_json(json_text, source));
  auto c = canonical_cell(s);
  if (!c.ok()) return c.error().with_context(source);
  return to_encoding(*c);
}

Result<std::string> nb101_module_hash(std::string_view canonical) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, decode_canonical(canonical));
  const int n = c.n;
  std::vector<std::string> hashes;
  for (int v = 0; v < n; ++v) {
    int in = 0, out = 0;
    for (int w = 0; w < n; ++w) {
      in += c.edge(w, v) ? 1 : 0;
      out += c.edge(v, w) ? 1 : 0;
    }
    // Python's str() of the tuple (out_edges, in_edges, label).
    hashes.push_back(md5_hex("(" + std::to_string(out) + ", " + std::to_string(in) + ", " +
                             std::to_string(static_cast<int>(c.ops[v])) + ")"));
  }
  for (int round = 0; round < n; ++round) {
    std::vector<std::string> next;
    for (int v = 0; v < n; ++v) {
      std::vector<std::string> ins, outs;
      for (int w = 0; w < n; ++w) {
        if (c.edge(w, v)) ins.push_back(hashes[w]);
        if (c.edge(v, w)) outs.push_back(hashes[w]);
      }
      std::sort(ins.begin(), ins.end());
      std::sort(outs.begin(), outs.end());
      std::string text;
      for (const auto& h : ins) text += h;
      text += '|';
      for (const auto& h : outs) text += h;
      text += '|';
      text += hashes[v];
      next.push_back(md5_hex(text));
    }
    hashes = std::move(next);
  }
  std::sort(hashes.begin(), hashes.end());
  std::string list = "[";  // Python's str() of a list of strings
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (i) list += ", ";
    list += "'" + hashes[i] + "'";
  }
  list += "]";
  return md5_hex(list);
}

Result<ir::Graph> nb101_build(const std::string& canonical, const SpaceOptions& options) {
  NNLAT_ASSIGN_OR_RETURN(Cell c, decode_canonical(canonical));
  const int64_t res = options.resolution > 0 ? options.resolution : 32;
  const int64_t classes = options.num_classes > 0 ? options.num_classes : 10;
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("nb101");
    ir::ValueId x = b.input({1, 3, res, res});
    b.push_scope("stem");
    x = b.conv_bn_act(x, options.nb101_stem_channels, 3, 1, 1, ir::Act::kRelu);
    b.pop_scope();
    int64_t channels = options.nb101_stem_channels;
    for (int64_t stack = 0; stack < options.nb101_stacks; ++stack) {
      b.push_scope("stack" + std::to_string(stack));
      if (stack > 0) {
        b.push_scope("downsample");
        x = downsample(b, x);
        b.pop_scope();
        channels *= 2;
      }
      for (int64_t m = 0; m < options.nb101_cells_per_stack; ++m) {
        b.push_scope("module" + std::to_string(m));
        x = build_module(b, c, x, channels);
        b.pop_scope();
      }
      b.pop_scope();
    }
    b.push_scope("classifier");
    x = b.classifier(x, classes);
    b.pop_scope();
    return b.finish({x});
  });
}

Result<std::vector<std::string>> nb101_sample(int64_t n, uint64_t seed) {
  if (n > kNb101SpaceSize) {
    return invalid("nb101 has " + std::to_string(kNb101SpaceSize) + " distinct cells; cannot draw " +
                   std::to_string(n) + " distinct ones");
  }
  static const std::vector<Cell> cells = enumerate_cells();
  if (static_cast<int64_t>(cells.size()) != kNb101SpaceSize) {
    return make_error(ErrorCode::kInternal, "nb101: enumerated " + std::to_string(cells.size()) + " cells, expected " +
                                                std::to_string(kNb101SpaceSize));
  }
  // Uniform over the unique cells, without replacement (a partial Fisher-Yates shuffle of
  // the enumeration), as sampling hashes from the benchmark's dataset.
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> index(cells.size());
  std::iota(index.begin(), index.end(), 0u);
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const auto j = i + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(kNb101SpaceSize - i)));
    std::swap(index[i], index[j]);
    out.push_back(to_encoding(canonical_order(cells[index[i]])));
  }
  return out;
}

}  // namespace nnlat::models::nas
