// Internal: the token-level blocks of the vision transformers in the zoo (ViT, DeiT, Swin,
// CvT, MiT; the hybrids reuse them), built from the IR's parts as the frameworks run them:
// fully_connected on the last dim of [B, N, C] tokens, matmul of two activations, softmax,
// layer_norm, reshape and transpose. None pushes a scope: node names stay the caller's.
//
// Conventions:
// - Tokens are [B, N, C]; a feature map is NCHW. `tokens_from_nchw` / `nchw_from_tokens`
//   convert (row-major token order, as `flatten(2).transpose(1, 2)` in PyTorch).
// - Layer norms act on the last dim, with affine scale and shift.
// - The attention scale 1/sqrt(head_dim) is a `mul` by a scalar on the scores [B, h, N, Nk]
//   (as Hugging Face's ViT/DeiT/Swin divide the scores), not folded into the q weights:
//   an exporter may fold it, but the op is there in the checkpoints the dataset times.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "nnlat/ir/builder.hpp"

namespace nnlat::models::tfm {

// Embedding width `heads` x head_dim with the zoo's width multiplier applied to the width of
// every head (rounded to a multiple of 8, the head count kept): the transformers' analogue of
// the CNNs' channel multiplier.
int64_t scaled_dim(int64_t heads, int64_t head_dim, double width);

// layer_norm over the last dim (affine).
ir::ValueId layer_norm(ir::GraphBuilder& b, ir::ValueId x, double epsilon = 1e-6);

// NCHW [B, C, H, W] -> tokens [B, H*W, C] (reshape + transpose).
ir::ValueId tokens_from_nchw(ir::GraphBuilder& b, ir::ValueId x);
// tokens [B, H*W, C] -> NCHW [B, C, H, W] (transpose + reshape); H*W must equal N.
ir::ValueId nchw_from_tokens(ir::GraphBuilder& b, ir::ValueId x, int64_t h, int64_t w);

// Patch embedding: conv with kernel = stride = `patch` (bias) to `dim` channels, then tokens.
// The resolution must be a multiple of the patch (an error otherwise).
ir::ValueId patch_embed(ir::GraphBuilder& b, ir::ValueId image, int64_t dim, int64_t patch);

struct AttentionSpec {
  int64_t heads = 1;
  int64_t qk_dim = 0;   // total width of q and k over all heads; 0: the input width
  int64_t v_dim = 0;    // total width of v; 0: qk_dim
  int64_t out_dim = 0;  // projection output width; 0: the input width
  bool qkv_bias = true;
  // One fully_connected for q, k and v together, reshaped to [B, N, heads, 2 dqk + dv] and
  // split per head (EfficientFormer's released layout), instead of three; self-attention only.
  bool fused_qkv = false;
  bool proj = true;  // the output projection (fully_connected with bias)
  // Spatial reduction of K/V (PVT, MiT): the tokens, seen as an h x w map, go through a conv
  // with kernel = stride = sr_ratio (bias) and a layer norm before the k and v projections.
  int64_t sr_ratio = 1;
  int64_t h = 0, w = 0;  // the token grid, needed only when sr_ratio > 1
  // Shape of a constant added to the scaled scores [B, h, N, Nk] before softmax (a relative
  // position bias, as an exporter folds it); empty: none.
  std::vector<int64_t> bias_operand;
  // Applied to the scores after the bias, before softmax (Swin's shifted-window mask).
  std::function<ir::ValueId(ir::GraphBuilder&, ir::ValueId)> on_scores;
};

// Multi-head attention of tokens `x` [B, N, C] over `kv` [B, Nk, C'] (the same as x for
// self-attention): separate q, k, v fully_connected layers (as the Hugging Face checkpoints),
// heads by reshape + transpose (k transposed to [B, h, d, Nk] for the Q.K^T matmul), scale,
// optional bias, softmax, .V, heads merged back by transpose + reshape, projection.
ir::ValueId attention_qkv(ir::GraphBuilder& b, ir::ValueId q_in, ir::ValueId k_in, ir::ValueId v_in,
                          const AttentionSpec& spec);
// Self-attention: `attention_qkv(x, x, x)`, or with K/V from the spatially reduced x.
ir::ValueId self_attention(ir::GraphBuilder& b, ir::ValueId x, const AttentionSpec& spec);

// fc(hidden) -> act -> fc(out; 0: the input width), both with bias.
ir::ValueId mlp(ir::GraphBuilder& b, ir::ValueId x, int64_t hidden, int64_t out = 0, ir::Act act = ir::Act::kGelu);

// The pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x)) with hidden width
// mlp_ratio * C and activation `mlp_act` (GELU; MobileViT's is swish).
ir::ValueId transformer_block(ir::GraphBuilder& b, ir::ValueId x, const AttentionSpec& attn, double mlp_ratio,
                              double epsilon = 1e-6, ir::Act mlp_act = ir::Act::kGelu);

// The mean over the tokens of [B, N, C], as [B, C] (reduce_mean): a head without a class token.
ir::ValueId mean_tokens(ir::GraphBuilder& b, ir::ValueId x);

// Token i of [B, N, C] as [B, C] (slice + reshape): a class or distillation token for a head.
ir::ValueId take_token(ir::GraphBuilder& b, ir::ValueId x, int64_t index);

// Helpers for the families' own reshapes.
ir::ValueId reshape(ir::GraphBuilder& b, ir::ValueId x, std::vector<int64_t> shape);
ir::ValueId transpose(ir::GraphBuilder& b, ir::ValueId x, std::vector<int64_t> perm);
ir::ValueId slice(ir::GraphBuilder& b, ir::ValueId x, int64_t axis, int64_t start, int64_t end, int64_t step = 1);
// x op constant: a learned constant (position embedding) added; a scalar multiplied.
ir::ValueId add_operand(ir::GraphBuilder& b, ir::ValueId x, std::vector<int64_t> operand_shape);
ir::ValueId mul_scalar(ir::GraphBuilder& b, ir::ValueId x, double scalar);
// Concatenates a constant of `count` tokens (class, distillation) before x [B, N, C].
ir::ValueId prepend_tokens(ir::GraphBuilder& b, ir::ValueId x, int64_t count);

}  // namespace nnlat::models::tfm
