#include "models/zoo/transformer_blocks.hpp"

#include <cmath>
#include <string>
#include <tuple>

#include "nnlat/models/zoo.hpp"

namespace nnlat::models::tfm {

using ir::GraphBuilder;
using ir::OpKind;
using ir::ValueId;

int64_t scaled_dim(int64_t heads, int64_t head_dim, double width) {
  return heads * make_divisible(static_cast<double>(head_dim) * width);
}

ValueId reshape(GraphBuilder& b, ValueId x, std::vector<int64_t> shape) {
  return b.op(OpKind::kReshape, {x}, {{"shape", std::move(shape)}});
}

ValueId transpose(GraphBuilder& b, ValueId x, std::vector<int64_t> perm) {
  return b.op(OpKind::kTranspose, {x}, {{"perm", std::move(perm)}});
}

ValueId slice(GraphBuilder& b, ValueId x, int64_t axis, int64_t start, int64_t end, int64_t step) {
  ir::Attrs a{{"axes", std::vector<int64_t>{axis}},
              {"starts", std::vector<int64_t>{start}},
              {"ends", std::vector<int64_t>{end}}};
  if (step != 1) a["steps"] = std::vector<int64_t>{step};
  return b.op(OpKind::kSlice, {x}, std::move(a));
}

ValueId add_operand(GraphBuilder& b, ValueId x, std::vector<int64_t> operand_shape) {
  return b.op(OpKind::kAdd, {x}, {{"operand", std::move(operand_shape)}});
}

ValueId mul_scalar(GraphBuilder& b, ValueId x, double scalar) { return b.op(OpKind::kMul, {x}, {{"scalar", scalar}}); }

ValueId prepend_tokens(GraphBuilder& b, ValueId x, int64_t count) {
  const auto& s = b.shape(x);
  return b.op(
      OpKind::kConcat, {x},
      {{"axis", int64_t{1}}, {"operand", std::vector<int64_t>{s[0], count, s[2]}}, {"operand_index", int64_t{0}}});
}

ValueId layer_norm(GraphBuilder& b, ValueId x, double epsilon) {
  return b.op(OpKind::kLayerNorm, {x}, {{"axis", int64_t{-1}}, {"epsilon", epsilon}});
}

ValueId tokens_from_nchw(GraphBuilder& b, ValueId x) {
  const auto s = b.shape(x);
  if (s.size() != 4) throw ir::BuildError("tokens_from_nchw expects NCHW, got rank " + std::to_string(s.size()));
  return transpose(b, reshape(b, x, {s[0], s[1], s[2] * s[3]}), {0, 2, 1});
}

ValueId nchw_from_tokens(GraphBuilder& b, ValueId x, int64_t h, int64_t w) {
  const auto s = b.shape(x);
  if (s.size() != 3 || s[1] != h * w) {
    throw ir::BuildError("nchw_from_tokens: tokens " + ir::shape_to_string(s) + " are not a " + std::to_string(h) +
                         "x" + std::to_string(w) + " grid");
  }
  return reshape(b, transpose(b, x, {0, 2, 1}), {s[0], s[2], h, w});
}

ValueId patch_embed(GraphBuilder& b, ValueId image, int64_t dim, int64_t patch) {
  const auto s = b.shape(image);
  if (s[2] % patch != 0 || s[3] % patch != 0) {
    throw ir::BuildError("resolution " + std::to_string(s[2]) + "x" + std::to_string(s[3]) +
                         " is not a multiple of the patch size " + std::to_string(patch));
  }
  auto x = b.conv_explicit(image, dim, {patch, patch}, {patch, patch}, {0, 0, 0, 0}, 1, /*bias=*/true);
  return tokens_from_nchw(b, x);
}

namespace {

// [B, N, heads * d] -> [B, heads, N, d], or [B, heads, d, N] for keys (`keys_transposed`).
ValueId split_heads(GraphBuilder& b, ValueId t, int64_t heads, bool keys_transposed) {
  const auto s = b.shape(t);
  if (s[2] % heads != 0) {
    throw ir::BuildError("attention width " + std::to_string(s[2]) + " is not a multiple of " + std::to_string(heads) +
                         " heads");
  }
  auto r = reshape(b, t, {s[0], s[1], heads, s[2] / heads});
  return keys_transposed ? transpose(b, r, {0, 2, 3, 1}) : transpose(b, r, {0, 2, 1, 3});
}

// One fully_connected to heads x [q | k | v] of x [B, N, C], split per head: q and v as
// [B, heads, N, d], k as [B, heads, d, N].
std::tuple<ValueId, ValueId, ValueId> fused_heads(GraphBuilder& b, ValueId x, int64_t qk, int64_t vd, int64_t heads,
                                                  bool bias) {
  const auto s = b.shape(x);
  if (qk % heads != 0 || vd % heads != 0) {
    throw ir::BuildError("attention widths " + std::to_string(qk) + " and " + std::to_string(vd) +
                         " are not multiples of " + std::to_string(heads) + " heads");
  }
  auto t = reshape(b, b.fully_connected(x, 2 * qk + vd, bias), {s[0], s[1], heads, (2 * qk + vd) / heads});
  auto parts = b.split(t, {qk / heads, qk / heads, vd / heads}, 3);
  return {transpose(b, parts[0], {0, 2, 1, 3}), transpose(b, parts[1], {0, 2, 3, 1}),
          transpose(b, parts[2], {0, 2, 1, 3})};
}

}  // namespace

ValueId attention_qkv(GraphBuilder& b, ValueId q_in, ValueId k_in, ValueId v_in, const AttentionSpec& spec) {
  const auto s = b.shape(q_in);
  const int64_t c = s[2];
  const int64_t qk = spec.qk_dim > 0 ? spec.qk_dim : c;
  const int64_t vd = spec.v_dim > 0 ? spec.v_dim : qk;
  ValueId q, k, v;
  if (spec.fused_qkv) {
    if (!(k_in == q_in && v_in == q_in)) throw ir::BuildError("fused_qkv needs one input for q, k and v");
    std::tie(q, k, v) = fused_heads(b, q_in, qk, vd, spec.heads, spec.qkv_bias);
  } else {
    q = split_heads(b, b.fully_connected(q_in, qk, spec.qkv_bias), spec.heads, false);
    k = split_heads(b, b.fully_connected(k_in, qk, spec.qkv_bias), spec.heads, true);
    v = split_heads(b, b.fully_connected(v_in, vd, spec.qkv_bias), spec.heads, false);
  }
  auto scores = b.op(OpKind::kMatMul, {q, k});
  scores = mul_scalar(b, scores, 1.0 / std::sqrt(static_cast<double>(qk / spec.heads)));
  if (!spec.bias_operand.empty()) scores = add_operand(b, scores, spec.bias_operand);
  if (spec.on_scores) scores = spec.on_scores(b, scores);
  auto probs = b.op(OpKind::kSoftmax, {scores}, {{"axis", int64_t{-1}}});
  auto y = b.op(OpKind::kMatMul, {probs, v});                       // [B, h, N, dv]
  y = reshape(b, transpose(b, y, {0, 2, 1, 3}), {s[0], s[1], vd});  // heads merged
  if (spec.proj) y = b.fully_connected(y, spec.out_dim > 0 ? spec.out_dim : c);
  return y;
}

ValueId self_attention(GraphBuilder& b, ValueId x, const AttentionSpec& spec) {
  if (spec.sr_ratio <= 1) return attention_qkv(b, x, x, x, spec);
  // PVT / MiT efficient attention: K and V from a map shrunk sr_ratio times per side.
  auto map = nchw_from_tokens(b, x, spec.h, spec.w);
  map = b.conv_explicit(map, b.shape(x)[2], {spec.sr_ratio, spec.sr_ratio}, {spec.sr_ratio, spec.sr_ratio},
                        {0, 0, 0, 0}, 1, /*bias=*/true);
  auto kv = layer_norm(b, tokens_from_nchw(b, map), 1e-5);
  return attention_qkv(b, x, kv, kv, spec);
}

ValueId mlp(GraphBuilder& b, ValueId x, int64_t hidden, int64_t out, ir::Act act) {
  const int64_t c = b.shape(x).back();
  auto y = b.activation(b.fully_connected(x, hidden), act);
  return b.fully_connected(y, out > 0 ? out : c);
}

ValueId transformer_block(GraphBuilder& b, ValueId x, const AttentionSpec& attn, double mlp_ratio, double epsilon,
                          ir::Act mlp_act) {
  const int64_t c = b.shape(x).back();
  x = b.add(x, self_attention(b, layer_norm(b, x, epsilon), attn));
  const auto hidden = static_cast<int64_t>(std::llround(static_cast<double>(c) * mlp_ratio));
  return b.add(x, mlp(b, layer_norm(b, x, epsilon), hidden, 0, mlp_act));
}

ValueId mean_tokens(GraphBuilder& b, ValueId x) {
  return b.op(OpKind::kReduceMean, {x}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}});
}

ValueId take_token(GraphBuilder& b, ValueId x, int64_t index) {
  const auto s = b.shape(x);
  return reshape(b, slice(b, x, 1, index, index + 1), {s[0], s[2]});
}

}  // namespace nnlat::models::tfm
