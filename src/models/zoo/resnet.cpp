// ResNet-18/34/50 (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016),
// stage layout from Table 1 of the paper.
//
// ResNet-50 is built as torchvision builds it ("v1.5"): the stride-2 of a downsampling
// bottleneck sits on its 3x3 conv, not on its first 1x1 conv as in the original Caffe
// release. That is the variant deployed and exported almost everywhere today, and the one
// torchvision's published figures (4.089 GMACs, 25,557,032 params) describe; the paper's
// Table 1 "3.8 x 10^9 FLOPs" refers to the stride-in-1x1 variant (about 3.86 GMACs, same
// parameter count).
#include <array>
#include <string>

#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

namespace {

using ir::Act;

enum class Block { kBasic, kBottleneck };

Result<ir::Graph> build_resnet(const ZooParams& p, const char* name, std::array<int64_t, 4> depths, Block kind) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // Widths scale with the multiplier; multiples of 8 keep the convs SIMD-friendly, as the
    // MobileNet-family rounding does.
    auto scaled = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    const int64_t expansion = kind == Block::kBottleneck ? 4 : 1;

    b.push_scope("stem");
    x = b.conv_bn_act(x, scaled(64), 7, 2, 1, Act::kRelu);
    x = b.max_pool(x, 3, 2, 1);
    b.pop_scope();

    const std::array<int64_t, 4> widths = {64, 128, 256, 512};
    for (size_t stage = 0; stage < widths.size(); ++stage) {
      const int64_t mid = scaled(widths[stage]);
      const int64_t out = mid * expansion;
      for (int64_t i = 0; i < depths[stage]; ++i) {
        b.push_scope("layer" + std::to_string(stage + 1) + "." + std::to_string(i));
        const int64_t stride = (i == 0 && stage > 0) ? 2 : 1;
        ir::ValueId y;
        if (kind == Block::kBasic) {
          y = b.conv_bn_act(x, mid, 3, stride, 1, Act::kRelu);
          y = b.conv_bn_act(y, out, 3, 1, 1, Act::kNone);
        } else {
          y = b.conv_bn_act(x, mid, 1, 1, 1, Act::kRelu);
          y = b.conv_bn_act(y, mid, 3, stride, 1, Act::kRelu);
          y = b.conv_bn_act(y, out, 1, 1, 1, Act::kNone);
        }
        // Projection shortcut (option B of the paper) only where the shape changes.
        ir::ValueId shortcut = x;
        if (stride != 1 || b.channels(x) != out) shortcut = b.conv_bn_act(x, out, 1, stride, 1, Act::kNone);
        x = b.activation(b.add(y, shortcut), Act::kRelu);
        b.pop_scope();
      }
    }

    b.push_scope("head");
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_resnet18(const ZooParams& p) {
  return build_resnet(p, "resnet18", {2, 2, 2, 2}, Block::kBasic);
}
Result<ir::Graph> build_resnet34(const ZooParams& p) {
  return build_resnet(p, "resnet34", {3, 4, 6, 3}, Block::kBasic);
}
Result<ir::Graph> build_resnet50(const ZooParams& p) {
  return build_resnet(p, "resnet50", {3, 4, 6, 3}, Block::kBottleneck);
}

}  // namespace nnlat::models
