// MobileViT (Mehta & Rastegari, ICLR 2022), the V1 models XXS, XS and S at 256x256 as
// released (apple/ml-cvnets; Hugging Face's apple/mobilevit-*): MobileNetV2 inverted residuals
// with swish, and MobileViT blocks. A MobileViT block models local structure with a 3x3 and a
// 1x1 conv, unfolds the map into 2x2 patches (the pixels at one position of every patch form
// one sequence), runs transformer layers over each sequence, folds back, projects with a 1x1
// conv and fuses with its input through a 3x3 conv over their concatenation.
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/mobile_blocks.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_hybrid_transformer.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;
using ir::ValueId;

namespace {

struct MobileVitStage {
  int64_t out;     // output channels
  int64_t blocks;  // inverted residuals (mv2 stages) or transformer layers (MobileViT stages)
  int64_t stride;
  int64_t dim = 0;  // transformer width; 0: an mv2 stage
};

struct MobileVitConfig {
  const char* name;
  int64_t expand;  // inverted-residual expansion
  MobileVitStage stages[5];
  int64_t last;  // 1x1 expansion before the pool
};

// ml-cvnets' config/mobilevit.py (the transformer MLP is 2x its width in every model).
constexpr MobileVitConfig kXXS{
    "mobilevit_xx_small", 2, {{16, 1, 1}, {24, 3, 2}, {48, 2, 2, 64}, {64, 4, 2, 80}, {80, 3, 2, 96}}, 320};
constexpr MobileVitConfig kXS{
    "mobilevit_x_small", 4, {{32, 1, 1}, {48, 3, 2}, {64, 2, 2, 96}, {80, 4, 2, 120}, {96, 3, 2, 144}}, 384};
constexpr MobileVitConfig kS{
    "mobilevit_small", 4, {{32, 1, 1}, {64, 3, 2}, {96, 2, 2, 144}, {128, 4, 2, 192}, {160, 3, 2, 240}}, 640};

constexpr int64_t kPatch = 2;
constexpr int64_t kHeads = 4;
constexpr double kMobileVitMlpRatio = 2.0;

ValueId inverted_residual(ir::GraphBuilder& b, ValueId x, int64_t out, int64_t stride, int64_t expand) {
  const int64_t hidden = make_divisible(static_cast<double>(b.channels(x) * expand));
  return mbconv(b, x, MBConv{hidden, out, 3, stride, Act::kSwish});
}

// [B, C, H, W] -> [B * P, N, C]: P = pixels per patch, N = patches (ml-cvnets' unfolding,
// as its reshapes and transposes).
ValueId unfold(ir::GraphBuilder& b, ValueId x) {
  const auto s = b.shape(x);
  const int64_t nh = s[2] / kPatch;
  const int64_t nw = s[3] / kPatch;
  const int64_t p = kPatch * kPatch;
  x = tfm::reshape(b, x, {s[0] * s[1] * nh, kPatch, nw, kPatch});
  x = tfm::reshape(b, tfm::transpose(b, x, {0, 2, 1, 3}), {s[0], s[1], nh * nw, p});
  return tfm::reshape(b, tfm::transpose(b, x, {0, 3, 2, 1}), {s[0] * p, nh * nw, s[1]});
}

// The inverse of `unfold`, back to [B, C, H, W].
ValueId fold(ir::GraphBuilder& b, ValueId x, const ir::Shape& map) {
  const int64_t nh = map[2] / kPatch;
  const int64_t nw = map[3] / kPatch;
  const int64_t c = b.shape(x)[2];
  x = tfm::reshape(b, x, {map[0], kPatch * kPatch, nh * nw, c});
  x = tfm::reshape(b, tfm::transpose(b, x, {0, 3, 2, 1}), {map[0] * c * nh, nw, kPatch, kPatch});
  return tfm::reshape(b, tfm::transpose(b, x, {0, 2, 1, 3}), {map[0], c, map[2], map[3]});
}

ValueId resize(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w) {
  return b.op(ir::OpKind::kResize, {x}, {{"size", std::vector<int64_t>{h, w}}, {"mode", std::string("bilinear")}});
}

ValueId mobilevit_block(ir::GraphBuilder& b, ValueId x, int64_t dim, int64_t layers) {
  const int64_t c = b.channels(x);
  ValueId y = b.conv_bn_act(x, c, 3, 1, 1, Act::kSwish);
  y = b.conv(y, dim, 1);
  // A map whose side is not a multiple of the patch is resized up to one and back (as ml-cvnets
  // does at resolutions other than the reference).
  const ir::Shape map = b.shape(y);
  const int64_t h = (map[2] + kPatch - 1) / kPatch * kPatch;
  const int64_t w = (map[3] + kPatch - 1) / kPatch * kPatch;
  const bool resized = h != map[2] || w != map[3];
  if (resized) y = resize(b, y, h, w);
  const ir::Shape patched = b.shape(y);
  ValueId t = unfold(b, y);
  tfm::AttentionSpec attn;
  attn.heads = kHeads;
  for (int64_t i = 0; i < layers; ++i) t = tfm::transformer_block(b, t, attn, kMobileVitMlpRatio, 1e-5, Act::kSwish);
  y = fold(b, tfm::layer_norm(b, t, 1e-5), patched);
  if (resized) y = resize(b, y, map[2], map[3]);
  y = b.conv_bn_act(y, c, 1, 1, 1, Act::kSwish);
  return b.conv_bn_act(b.concat({x, y}), c, 3, 1, 1, Act::kSwish);
}

Result<ir::Graph> build_mobilevit(const MobileVitConfig& cfg, const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(cfg.name);
    const int64_t res = resolution_or(p, 256);
    auto x = b.input({p.batch, 3, res, res});
    const auto scaled = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, scaled(16), 3, 2, 1, Act::kSwish);
    b.pop_scope();
    int layer = 1;
    for (const auto& st : cfg.stages) {
      b.push_scope("layer" + std::to_string(layer++));
      if (st.dim == 0) {
        for (int64_t i = 0; i < st.blocks; ++i) {
          x = inverted_residual(b, x, scaled(st.out), i == 0 ? st.stride : 1, cfg.expand);
        }
      } else {
        x = inverted_residual(b, x, scaled(st.out), st.stride, cfg.expand);
        x = mobilevit_block(b, x, scaled(st.dim), st.blocks);
      }
      b.pop_scope();
    }
    b.push_scope("head");
    x = b.conv_bn_act(x, scaled(cfg.last), 1, 1, 1, Act::kSwish);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_mobilevit_xx_small(const ZooParams& p) { return build_mobilevit(kXXS, p); }
Result<ir::Graph> build_mobilevit_x_small(const ZooParams& p) { return build_mobilevit(kXS, p); }
Result<ir::Graph> build_mobilevit_small(const ZooParams& p) { return build_mobilevit(kS, p); }

}  // namespace nnlat::models
