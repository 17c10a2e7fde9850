// MobileNetV1 (Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
// Vision Applications", arXiv:1704.04861, 2017), body architecture of Table 1: a 3x3 stem and
// 13 depthwise-separable layers, each depthwise 3x3 and pointwise 1x1 followed by BN + ReLU.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_mobilenet_v1(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("mobilenet_v1");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // The width multiplier alpha thins every layer (Section 3.3); the TF-slim reference keeps
    // channel counts at multiples of 8, which make_divisible reproduces for the published
    // multipliers (0.25, 0.5, 0.75, 1.0).
    auto ch = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, ch(32), 3, 2, 1, Act::kRelu);
    b.pop_scope();
    // (pointwise output channels, depthwise stride), Table 1 top to bottom.
    struct Layer {
      int64_t c, s;
    };
    const Layer layers[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},  {512, 2}, {512, 1},
                            {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    int block = 0;
    for (const auto& l : layers) {
      b.push_scope("block" + std::to_string(block++));
      x = b.conv_bn_act(x, b.channels(x), 3, l.s, b.channels(x), Act::kRelu);
      x = b.conv_bn_act(x, ch(l.c), 1, 1, 1, Act::kRelu);
      b.pop_scope();
    }
    b.push_scope("head");
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
