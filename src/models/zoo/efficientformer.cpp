// EfficientFormer (Li et al., NeurIPS 2022), the V1 models L1, L3 and L7 as released
// (snap-research/EfficientFormer; timm's and Hugging Face's efficientformer-l*-300): a
// convolution stem to 1/4, four stages of "Meta4D" blocks (pooling token mixer and a 1x1-conv
// MLP with batch norm, on NCHW), and in the last stage's final blocks "Meta3D" blocks (layer
// norm, multi-head attention with a learned per-head bias, MLP, on tokens). Every residual
// branch is scaled by a learned per-channel layer scale. The released checkpoints carry a
// distillation head, averaged with the class head at inference; it is built here too.
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_hybrid_transformer.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;
using ir::ValueId;

namespace {

struct EfficientFormerConfig {
  const char* name;
  int64_t width[4];
  int64_t depth[4];
  int64_t meta3d;  // how many of the last stage's blocks are Meta3D
};

// The released configurations (EfficientFormer_width / EfficientFormer_depth / vit_num).
constexpr EfficientFormerConfig kL1{"efficientformer_l1", {48, 96, 224, 448}, {3, 2, 6, 4}, 1};
constexpr EfficientFormerConfig kL3{"efficientformer_l3", {64, 128, 320, 512}, {4, 4, 12, 6}, 4};
constexpr EfficientFormerConfig kL7{"efficientformer_l7", {96, 192, 384, 768}, {6, 6, 18, 8}, 8};

constexpr int64_t kEfficientFormerMlpRatio = 4;
constexpr int64_t kHeads = 8;
constexpr int64_t kKeyDim = 32;
constexpr int64_t kValueRatio = 4;  // value width per head = 4 x key width

// The learned per-channel layer scale that multiplies a residual branch (a constant operand).
ValueId layer_scale(ir::GraphBuilder& b, ValueId x, std::vector<int64_t> shape) {
  return b.op(ir::OpKind::kMul, {x}, {{"operand", std::move(shape)}});
}

// x + ls1 * (avgpool3x3(x) - x), then x + ls2 * bn(fc2(gelu(bn(fc1(x))))), with 1x1 convs.
ValueId meta4d(ir::GraphBuilder& b, ValueId x) {
  const int64_t c = b.channels(x);
  ValueId pooled = b.avg_pool(x, 3, 1, 1, /*count_include_pad=*/false);
  ValueId mixed = b.op(ir::OpKind::kSub, {pooled, x});
  x = b.add(x, layer_scale(b, mixed, {c, 1, 1}));
  ValueId y = b.activation(b.batch_norm(b.conv(x, c * kEfficientFormerMlpRatio, 1, 1, 1, /*bias=*/true)), Act::kGelu);
  y = b.batch_norm(b.conv(y, c, 1, 1, 1, /*bias=*/true));
  return b.add(x, layer_scale(b, y, {c, 1, 1}));
}

// x + ls1 * attn(ln(x)), then x + ls2 * mlp(ln(x)), on tokens [B, N, C].
ValueId meta3d(ir::GraphBuilder& b, ValueId x) {
  const auto& s = b.shape(x);
  const int64_t c = s[2];
  const int64_t n = s[1];
  tfm::AttentionSpec attn;
  attn.heads = kHeads;
  attn.qk_dim = kHeads * kKeyDim;
  attn.v_dim = kHeads * kKeyDim * kValueRatio;
  attn.bias_operand = {kHeads, n, n};
  attn.fused_qkv = true;  // one qkv linear, split per head, as released
  ValueId y = tfm::self_attention(b, tfm::layer_norm(b, x, 1e-5), attn);
  x = b.add(x, layer_scale(b, y, {c}));
  y = tfm::mlp(b, tfm::layer_norm(b, x, 1e-5), c * kEfficientFormerMlpRatio);
  return b.add(x, layer_scale(b, y, {c}));
}

Result<ir::Graph> build_efficientformer(const EfficientFormerConfig& cfg, const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(cfg.name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    int64_t width[4];
    for (int i = 0; i < 4; ++i) width[i] = make_divisible(static_cast<double>(cfg.width[i]) * p.width);
    b.push_scope("stem");
    for (int64_t c : {width[0] / 2, width[0]}) {
      x = b.activation(b.batch_norm(b.conv(x, c, 3, 2, 1, /*bias=*/true)), Act::kRelu);
    }
    b.pop_scope();
    for (int s = 0; s < 4; ++s) {
      if (s > 0) {
        b.push_scope("down" + std::to_string(s));
        x = b.batch_norm(b.conv(x, width[s], 3, 2, 1, /*bias=*/true));
        b.pop_scope();
      }
      const int64_t meta3d_from = s == 3 ? cfg.depth[s] - cfg.meta3d : cfg.depth[s];
      for (int64_t i = 0; i < cfg.depth[s]; ++i) {
        b.push_scope("stage" + std::to_string(s) + ".block" + std::to_string(i));
        if (i == meta3d_from) x = tfm::tokens_from_nchw(b, x);
        x = i < meta3d_from ? meta4d(b, x) : meta3d(b, x);
        b.pop_scope();
      }
    }
    b.push_scope("head");
    x = tfm::layer_norm(b, x, 1e-5);
    x = tfm::mean_tokens(b, x);
    // The class head and the distillation head, averaged at inference.
    x = tfm::mul_scalar(b, b.add(b.fully_connected(x, p.num_classes), b.fully_connected(x, p.num_classes)), 0.5);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_efficientformer_l1(const ZooParams& p) { return build_efficientformer(kL1, p); }
Result<ir::Graph> build_efficientformer_l3(const ZooParams& p) { return build_efficientformer(kL3, p); }
Result<ir::Graph> build_efficientformer_l7(const ZooParams& p) { return build_efficientformer(kL7, p); }

}  // namespace nnlat::models
