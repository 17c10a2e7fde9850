// CvT (Wu et al., "CvT: Introducing Convolutions to Vision Transformers", ICCV 2021), as the
// checkpoints microsoft/cvt-13, -21 (and their 384 fine-tunes) run it: three stages, each a
// convolutional token embedding (strided conv with bias, then layer norm on the tokens) and
// pre-norm blocks whose q, k and v come from a depthwise 3x3 conv projection (no bias, batch
// norm; stride 1 for q, 2 for k and v) followed by a linear layer. The class token joins in
// the last stage only (it bypasses the conv projections and is concatenated back), and the
// head is layer norm + linear on it.
#include <array>
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

namespace {

using ir::ValueId;

struct CvtStage {
  int64_t heads, depth, kernel, stride, pad;
};

// Depthwise 3x3 conv projection of the map part of tokens [B, cls + h*w, C] (stride `stride`),
// the class token (if any) concatenated back in front.
ValueId conv_projection(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w, bool cls, int64_t stride) {
  const auto s = b.shape(x);
  auto map = cls ? tfm::slice(b, x, 1, 1, s[1]) : x;
  auto y = tfm::nchw_from_tokens(b, map, h, w);
  y = b.batch_norm(b.depthwise(y, 3, stride));
  y = tfm::tokens_from_nchw(b, y);
  return cls ? b.concat({tfm::slice(b, x, 1, 0, 1), y}, 1) : y;
}

ValueId cvt_block(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w, bool cls, int64_t heads) {
  const int64_t c = b.shape(x)[2];
  auto n = tfm::layer_norm(b, x, 1e-5);
  tfm::AttentionSpec attn;
  attn.heads = heads;
  auto q = conv_projection(b, n, h, w, cls, 1);
  auto k = conv_projection(b, n, h, w, cls, 2);
  auto v = conv_projection(b, n, h, w, cls, 2);
  x = b.add(x, tfm::attention_qkv(b, q, k, v, attn));
  return b.add(x, tfm::mlp(b, tfm::layer_norm(b, x, 1e-5), 4 * c));
}

Result<ir::Graph> build_cvt(const ZooParams& p, const char* name, int64_t reference_res,
                            const std::array<int64_t, 3>& depths) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    const int64_t res = resolution_or(p, reference_res);
    auto x = b.input({p.batch, 3, res, res});
    // Widths 64, 192, 384 with 1, 3, 6 heads: 64 per head, scaled by the width multiplier.
    const std::array<CvtStage, 3> stages = {
        {{1, depths[0], 7, 4, 2}, {3, depths[1], 3, 2, 1}, {6, depths[2], 3, 2, 1}}};
    ValueId tokens{};
    for (size_t i = 0; i < stages.size(); ++i) {
      const auto& st = stages[i];
      const bool cls = i + 1 == stages.size();
      b.push_scope("stage" + std::to_string(i + 1) + ".embed");
      const int64_t dim = tfm::scaled_dim(st.heads, 64, p.width);
      x = b.conv_explicit(x, dim, {st.kernel, st.kernel}, {st.stride, st.stride}, {st.pad, st.pad, st.pad, st.pad}, 1,
                          /*bias=*/true);
      const int64_t h = b.shape(x)[2], w = b.shape(x)[3];
      tokens = tfm::layer_norm(b, tfm::tokens_from_nchw(b, x), 1e-5);
      if (cls) tokens = tfm::prepend_tokens(b, tokens, 1);
      b.pop_scope();
      for (int64_t j = 0; j < st.depth; ++j) {
        b.push_scope("stage" + std::to_string(i + 1) + ".block" + std::to_string(j));
        tokens = cvt_block(b, tokens, h, w, cls, st.heads);
        b.pop_scope();
      }
      if (!cls) x = tfm::nchw_from_tokens(b, tokens, h, w);
    }
    b.push_scope("head");
    auto y = tfm::layer_norm(b, tfm::take_token(b, tokens, 0), 1e-5);
    y = b.fully_connected(y, p.num_classes);
    b.pop_scope();
    return b.finish({y});
  });
}

}  // namespace

Result<ir::Graph> build_cvt_13(const ZooParams& p) { return build_cvt(p, "cvt_13", 224, {1, 2, 10}); }
Result<ir::Graph> build_cvt_13_384(const ZooParams& p) { return build_cvt(p, "cvt_13_384", 384, {1, 2, 10}); }
Result<ir::Graph> build_cvt_21(const ZooParams& p) { return build_cvt(p, "cvt_21", 224, {1, 4, 16}); }
Result<ir::Graph> build_cvt_21_384(const ZooParams& p) { return build_cvt(p, "cvt_21_384", 384, {1, 4, 16}); }

}  // namespace nnlat::models
