// GhostNet 1.0x (Han et al., "GhostNet: More Features from Cheap Operations", CVPR 2020),
// architecture of Table 1 (figures of Table 7), block details as in the official release (huawei-noah/ghostnet,
// ghostnet_pytorch/ghostnet.py): Ghost bottlenecks of two Ghost modules (ratio 2, 3x3 cheap
// depthwise op), a strided depthwise conv between them when downsampling, optional
// squeeze-excite (hard-sigmoid gate), and a depthwise-separable projection shortcut when the
// shape changes.
#include <algorithm>

#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

namespace {

// Ghost module (Section 3.1, ratio s = 2, d = 3): a 1x1 primary conv makes ceil(out/2)
// intrinsic maps, a depthwise 3x3 makes one cheap "ghost" map from each, and the two are
// concatenated. The reference slices the concatenation back to `out`; that only removes a
// channel when `out` is odd, which the multiples-of-4 widths never are, but a split keeps
// the graph right for any width.
ir::ValueId ghost_module(ir::GraphBuilder& b, ir::ValueId x, int64_t out, bool relu) {
  const Act act = relu ? Act::kRelu : Act::kNone;
  const int64_t init = (out + 1) / 2;
  auto primary = b.conv_bn_act(x, init, 1, 1, 1, act);
  auto cheap = b.conv_bn_act(primary, init, 3, 1, init, act);
  auto y = b.concat({primary, cheap});
  if (2 * init != out) y = b.split(y, {out, 2 * init - out})[0];
  return y;
}

}  // namespace

Result<ir::Graph> build_ghostnet(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("ghostnet");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // The reference rounds every scaled width to a multiple of 4.
    auto ch = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width, 4); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, ch(16), 3, 2, 1, Act::kRelu);
    b.pop_scope();
    // kernel, expansion (#exp), output channels, squeeze-excite, stride: Table 1.
    struct Row {
      int64_t k, exp, c;
      bool se;
      int64_t s;
    };
    const Row rows[] = {
        {3, 16, 16, false, 1},   {3, 48, 24, false, 2},  {3, 72, 24, false, 1},   {5, 72, 40, true, 2},
        {5, 120, 40, true, 1},   {3, 240, 80, false, 2}, {3, 200, 80, false, 1},  {3, 184, 80, false, 1},
        {3, 184, 80, false, 1},  {3, 480, 112, true, 1}, {3, 672, 112, true, 1},  {5, 672, 160, true, 2},
        {5, 960, 160, false, 1}, {5, 960, 160, true, 1}, {5, 960, 160, false, 1}, {5, 960, 160, true, 1}};
    int block = 0;
    for (const auto& r : rows) {
      b.push_scope("block" + std::to_string(block++));
      const int64_t in = b.channels(x);
      const int64_t mid = ch(r.exp);
      const int64_t out = ch(r.c);
      auto y = ghost_module(b, x, mid, /*relu=*/true);
      // Downsampling happens in a depthwise conv (BN, no activation) between the modules.
      if (r.s > 1) y = b.conv_bn_act(y, mid, r.k, r.s, mid, Act::kNone);
      if (r.se)
        y = b.squeeze_excite(y, make_divisible(static_cast<double>(mid) * 0.25, 4), Act::kRelu, Act::kHardSigmoid);
      y = ghost_module(b, y, out, /*relu=*/false);
      ir::ValueId shortcut = x;
      if (r.s != 1 || in != out) {
        shortcut = b.conv_bn_act(x, in, r.k, r.s, in, Act::kNone);
        shortcut = b.conv_bn_act(shortcut, out, 1, 1, 1, Act::kNone);
      }
      x = b.add(y, shortcut);
      b.pop_scope();
    }
    b.push_scope("head");
    x = b.conv_bn_act(x, ch(960), 1, 1, 1, Act::kRelu);
    // The 1280-wide feature layer is a biased 1x1 conv on the pooled vector, unscaled.
    x = b.global_avg_pool(x);
    x = b.activation(b.conv(x, 1280, 1, 1, 1, /*bias=*/true), Act::kRelu);
    x = b.fully_connected(b.flatten(x), p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
