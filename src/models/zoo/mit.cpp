// Mix Transformer encoders MiT-B0..B5 (Xie et al., "SegFormer: Simple and Efficient Design for
// Semantic Segmentation with Transformers", NeurIPS 2021) with the ImageNet head of the
// checkpoints nvidia/mit-b0..b5: four stages, each an overlapping patch embedding (conv 7x7/4
// pad 3, then 3x3/2 pad 1; bias; layer norm) and pre-norm blocks of efficient self-attention
// (K and V from the map shrunk by a strided conv, sr = 8, 4, 2, 1, and a layer norm) and
// Mix-FFN (linear to 4C, depthwise 3x3 with bias on the map, GELU, linear back), a layer norm
// closing every stage; then the mean over the last stage's tokens and a linear head.
#include <array>
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

namespace {

using ir::ValueId;

// Mix-FFN on tokens [B, h*w, C].
ValueId mix_ffn(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w) {
  const int64_t c = b.shape(x)[2];
  auto y = b.fully_connected(x, 4 * c);
  y = tfm::nchw_from_tokens(b, y, h, w);
  y = tfm::tokens_from_nchw(b, b.depthwise(y, 3, 1, /*bias=*/true));
  return b.fully_connected(b.activation(y, ir::Act::kGelu), c);
}

Result<ir::Graph> build_mit(const ZooParams& p, const char* name, int64_t head_dim,
                            const std::array<int64_t, 4>& depths) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    const std::array<int64_t, 4> heads = {1, 2, 5, 8};
    const std::array<int64_t, 4> sr = {8, 4, 2, 1};
    ValueId tokens{};
    for (size_t i = 0; i < 4; ++i) {
      b.push_scope("stage" + std::to_string(i + 1) + ".embed");
      const int64_t dim = tfm::scaled_dim(heads[i], head_dim, p.width);
      const int64_t k = i == 0 ? 7 : 3, s = i == 0 ? 4 : 2, pad = k / 2;
      x = b.conv_explicit(x, dim, {k, k}, {s, s}, {pad, pad, pad, pad}, 1, /*bias=*/true);
      const int64_t h = b.shape(x)[2], w = b.shape(x)[3];
      if (h < sr[i] || w < sr[i]) {
        throw ir::BuildError("stage " + std::to_string(i + 1) + " map " + std::to_string(h) + "x" + std::to_string(w) +
                             " is smaller than its spatial reduction " + std::to_string(sr[i]));
      }
      tokens = tfm::layer_norm(b, tfm::tokens_from_nchw(b, x), 1e-5);
      b.pop_scope();
      tfm::AttentionSpec attn;
      attn.heads = heads[i];
      attn.sr_ratio = sr[i];
      attn.h = h;
      attn.w = w;
      for (int64_t j = 0; j < depths[i]; ++j) {
        b.push_scope("stage" + std::to_string(i + 1) + ".block" + std::to_string(j));
        tokens = b.add(tokens, tfm::self_attention(b, tfm::layer_norm(b, tokens, 1e-6), attn));
        tokens = b.add(tokens, mix_ffn(b, tfm::layer_norm(b, tokens, 1e-6), h, w));
        b.pop_scope();
      }
      tokens = tfm::layer_norm(b, tokens, 1e-6);
      if (i < 3) x = tfm::nchw_from_tokens(b, tokens, h, w);
    }
    b.push_scope("head");
    auto y = b.op(ir::OpKind::kReduceMean, {tokens}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}});
    y = b.fully_connected(y, p.num_classes);
    b.pop_scope();
    return b.finish({y});
  });
}

}  // namespace

// B0: 32 per head (widths 32, 64, 160, 256); B1..B5: 64 per head (64, 128, 320, 512).
Result<ir::Graph> build_mit_b0(const ZooParams& p) { return build_mit(p, "mit_b0", 32, {2, 2, 2, 2}); }
Result<ir::Graph> build_mit_b1(const ZooParams& p) { return build_mit(p, "mit_b1", 64, {2, 2, 2, 2}); }
Result<ir::Graph> build_mit_b2(const ZooParams& p) { return build_mit(p, "mit_b2", 64, {3, 4, 6, 3}); }
Result<ir::Graph> build_mit_b3(const ZooParams& p) { return build_mit(p, "mit_b3", 64, {3, 4, 18, 3}); }
Result<ir::Graph> build_mit_b4(const ZooParams& p) { return build_mit(p, "mit_b4", 64, {3, 8, 27, 3}); }
Result<ir::Graph> build_mit_b5(const ZooParams& p) { return build_mit(p, "mit_b5", 64, {3, 6, 40, 3}); }

}  // namespace nnlat::models
