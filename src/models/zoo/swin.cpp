// Swin Transformer (Liu et al., "Swin Transformer: Hierarchical Vision Transformer using
// Shifted Windows", ICCV 2021), as the checkpoints microsoft/swin-*-patch4-window*-* run it:
// patch 4 embedding with layer norm, four stages of window attention blocks (every second one
// with windows shifted by half a window), patch merging between stages, layer norm, mean over
// tokens, linear head.
//
// Windows are reshapes and transposes of the [B, H, W, C] map; the cyclic shift is a roll
// built from slice + concat along H and W (an exporter writes torch.roll that way); the
// relative-position bias is a constant [heads, N, N] added to the scores and the shifted
// windows' mask a constant [1, nW, 1, N, N] added after viewing the scores per window. As the
// reference implementation, a stage whose map is no larger than the window uses one window of
// the map's size and no shift; as the Hugging Face one, a map that is not a multiple of the
// window is padded on the bottom/right (and cropped after), so any resolution that is a
// multiple of 32 builds.
#include <algorithm>
#include <array>
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

namespace {

using ir::ValueId;

struct SwinConfig {
  const char* name;
  int64_t reference_res;
  int64_t window;
  std::array<int64_t, 4> depths;
  std::array<int64_t, 4> heads;
};

// Roll of `x` by `shift` along `axis` (torch.roll): the last `shift` elements move to the front.
ValueId roll(ir::GraphBuilder& b, ValueId x, int64_t axis, int64_t shift) {
  const int64_t n = b.shape(x)[static_cast<size_t>(axis)];
  shift = ((shift % n) + n) % n;
  if (shift == 0) return x;
  return b.concat({tfm::slice(b, x, axis, n - shift, n), tfm::slice(b, x, axis, 0, n - shift)}, axis);
}

// One Swin block on tokens [B, H*W, C].
ValueId swin_block(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w, int64_t heads, int64_t window, int64_t shift) {
  const auto s = b.shape(x);
  const int64_t batch = s[0], c = s[2];
  auto y = tfm::reshape(b, tfm::layer_norm(b, x, 1e-5), {batch, h, w, c});
  const int64_t hp = (h + window - 1) / window * window, wp = (w + window - 1) / window * window;
  if (hp != h || wp != w) {
    y = b.op(ir::OpKind::kPad, {y}, {{"pads", std::vector<int64_t>{0, 0, 0, 0, 0, hp - h, wp - w, 0}}});
  }
  if (shift > 0) y = roll(b, roll(b, y, 1, -shift), 2, -shift);
  // Window partition: [B, Hp/ws, ws, Wp/ws, ws, C] -> [B * nW, ws * ws, C].
  const int64_t nh = hp / window, nw = wp / window, n = window * window;
  y = tfm::reshape(b, y, {batch, nh, window, nw, window, c});
  y = tfm::reshape(b, tfm::transpose(b, y, {0, 1, 3, 2, 4, 5}), {batch * nh * nw, n, c});
  tfm::AttentionSpec attn;
  attn.heads = heads;
  attn.bias_operand = {heads, n, n};
  if (shift > 0) {
    attn.on_scores = [=](ir::GraphBuilder& g, ValueId scores) {
      auto v = tfm::reshape(g, scores, {batch, nh * nw, heads, n, n});
      v = tfm::add_operand(g, v, {1, nh * nw, 1, n, n});
      return tfm::reshape(g, v, {batch * nh * nw, heads, n, n});
    };
  }
  y = tfm::self_attention(b, y, attn);
  // Window reverse.
  y = tfm::reshape(b, y, {batch, nh, nw, window, window, c});
  y = tfm::reshape(b, tfm::transpose(b, y, {0, 1, 3, 2, 4, 5}), {batch, hp, wp, c});
  if (shift > 0) y = roll(b, roll(b, y, 1, shift), 2, shift);
  if (hp != h || wp != w) {
    y = b.op(ir::OpKind::kSlice, {y},
             {{"axes", std::vector<int64_t>{1, 2}},
              {"starts", std::vector<int64_t>{0, 0}},
              {"ends", std::vector<int64_t>{h, w}}});
  }
  x = b.add(x, tfm::reshape(b, y, {batch, h * w, c}));
  return b.add(x, tfm::mlp(b, tfm::layer_norm(b, x, 1e-5), 4 * c));
}

// Patch merging: the four 2x2 neighbours concatenated on channels, layer norm, linear 4C -> 2C.
ValueId patch_merging(ir::GraphBuilder& b, ValueId x, int64_t h, int64_t w) {
  const auto s = b.shape(x);
  if (h % 2 != 0 || w % 2 != 0) {
    throw ir::BuildError("patch merging needs an even map, got " + std::to_string(h) + "x" + std::to_string(w) +
                         " (the resolution must be a multiple of 32)");
  }
  auto m = tfm::reshape(b, x, {s[0], h, w, s[2]});
  auto quad = [&](int64_t r, int64_t c) {
    return b.op(
        ir::OpKind::kSlice, {m},
        {{"axes", std::vector<int64_t>{1, 2}},
         {"starts", std::vector<int64_t>{r, c}},
         {"ends", std::vector<int64_t>{r + h - 1, c + w - 1}},  // the last index taken + 1, as ONNX import writes it
         {"steps", std::vector<int64_t>{2, 2}}});
  };
  auto y = b.concat({quad(0, 0), quad(1, 0), quad(0, 1), quad(1, 1)}, 3);
  y = tfm::layer_norm(b, tfm::reshape(b, y, {s[0], (h / 2) * (w / 2), 4 * s[2]}), 1e-5);
  return b.fully_connected(y, 2 * s[2], /*bias=*/false);
}

Result<ir::Graph> build_swin(const ZooParams& p, const SwinConfig& cfg) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(cfg.name);
    const int64_t res = resolution_or(p, cfg.reference_res);
    if (res % 32 != 0) {
      throw ir::BuildError("resolution " + std::to_string(res) +
                           " is not a multiple of 32 (patch 4, then three 2x patch mergings)");
    }
    auto x = b.input({p.batch, 3, res, res});
    // The stem width is the first stage's heads x 32 (96 for T/S, 128 for B), scaled per head.
    const int64_t c0 = tfm::scaled_dim(cfg.heads[0], 32, p.width);
    b.push_scope("embed");
    x = tfm::layer_norm(b, tfm::patch_embed(b, x, c0, 4), 1e-5);
    b.pop_scope();
    int64_t h = res / 4, w = res / 4;
    for (size_t stage = 0; stage < 4; ++stage) {
      const int64_t window = std::min({cfg.window, h, w});
      for (int64_t i = 0; i < cfg.depths[stage]; ++i) {
        b.push_scope("stage" + std::to_string(stage + 1) + ".block" + std::to_string(i));
        const int64_t shift = (i % 2 == 1 && std::min(h, w) > cfg.window) ? window / 2 : 0;
        x = swin_block(b, x, h, w, cfg.heads[stage], window, shift);
        b.pop_scope();
      }
      if (stage < 3) {
        b.push_scope("stage" + std::to_string(stage + 1) + ".merge");
        x = patch_merging(b, x, h, w);
        b.pop_scope();
        h /= 2;
        w /= 2;
      }
    }
    b.push_scope("head");
    x = tfm::layer_norm(b, x, 1e-5);
    x = b.op(ir::OpKind::kReduceMean, {x}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{0}}});
    x = b.fully_connected(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_swin_tiny_patch4_window7_224(const ZooParams& p) {
  return build_swin(p, {"swin_tiny_patch4_window7_224", 224, 7, {2, 2, 6, 2}, {3, 6, 12, 24}});
}
Result<ir::Graph> build_swin_small_patch4_window7_224(const ZooParams& p) {
  return build_swin(p, {"swin_small_patch4_window7_224", 224, 7, {2, 2, 18, 2}, {3, 6, 12, 24}});
}
Result<ir::Graph> build_swin_base_patch4_window7_224(const ZooParams& p) {
  return build_swin(p, {"swin_base_patch4_window7_224", 224, 7, {2, 2, 18, 2}, {4, 8, 16, 32}});
}
Result<ir::Graph> build_swin_base_patch4_window12_384(const ZooParams& p) {
  return build_swin(p, {"swin_base_patch4_window12_384", 384, 12, {2, 2, 18, 2}, {4, 8, 16, 32}});
}

}  // namespace nnlat::models
