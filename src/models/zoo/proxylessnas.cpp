// ProxylessNAS-Mobile (Cai et al., "ProxylessNAS: Direct Neural Architecture Search on Target
// Task and Hardware", ICLR 2019), the searched mobile architecture of Figure 4 as released in
// the official net config (mit-han-lab/proxylessnas, proxyless_mobile.config): a MobileNetV2
// backbone whose 21 searchable layers each chose an MBConv (expansion 3 or 6, kernel 3/5/7) or
// the zero op; the two zero layers of the 56x56 stage leave only their identity shortcut.
#include "models/zoo/families.hpp"
#include "models/zoo/mobile_blocks.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_proxylessnas_mobile(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("proxylessnas_mobile");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // The release has no width multiplier; scaling follows its MobileNetV2 parent
    // (make_divisible to multiples of 8, head kept at 1280 when thinner).
    auto ch = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, ch(32), 3, 2, 1, Act::kRelu6);
    b.pop_scope();
    // output channels, kernel, expansion, stride of each non-zero block, in config order.
    struct Layer {
      int64_t c, k, e, s;
    };
    const Layer layers[] = {
        {16, 3, 1, 1},                                                   // first block, no shortcut
        {32, 5, 3, 2},  {32, 3, 3, 1},                                   // 56x56 (two zero layers)
        {40, 7, 3, 2},  {40, 3, 3, 1},  {40, 5, 3, 1},  {40, 5, 3, 1},   // 28x28
        {80, 7, 6, 2},  {80, 5, 3, 1},  {80, 5, 3, 1},  {80, 5, 3, 1},   // 14x14
        {96, 5, 6, 1},  {96, 5, 3, 1},  {96, 5, 3, 1},  {96, 5, 3, 1},   // 14x14
        {192, 7, 6, 2}, {192, 7, 6, 1}, {192, 7, 3, 1}, {192, 7, 3, 1},  // 7x7
        {320, 7, 6, 1},                                                  // 7x7
    };
    int block = 0;
    for (const auto& l : layers) {
      b.push_scope("block" + std::to_string(block++));
      x = mbconv(b, x, MBConv{b.channels(x) * l.e, ch(l.c), l.k, l.s, Act::kRelu6});
      b.pop_scope();
    }
    b.push_scope("head");
    x = b.conv_bn_act(x, p.width > 1.0 ? make_divisible(1280 * p.width) : 1280, 1, 1, 1, Act::kRelu6);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
