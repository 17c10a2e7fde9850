// GoogLeNet / Inception-v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015),
// Table 1 of the paper, without the two auxiliary classifiers (they are training-only).
//
// Follows the paper (and the BVLC Caffe reference release of it), not torchvision's
// re-implementation: the "5x5" branch really is a 5x5 conv (torchvision uses 3x3 there),
// convolutions carry biases and there is no BatchNorm, max pools round up (Caffe).
// The paper's two local response normalisation layers (after the stem pool and after conv2)
// are left out: the op table has no LRN op. They hold no parameters and no MACs, but they
// are kernels a device runs, so latency predictions for this graph miss them.
#include <string>

#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

namespace {

// One Inception module: the columns of Table 1 ("#1x1", "#3x3 reduce", "#3x3",
// "#5x5 reduce", "#5x5", "pool proj").
struct Inception {
  const char* name;
  int64_t c1, c3r, c3, c5r, c5, pool_proj;
};

ir::ValueId inception(ir::GraphBuilder& b, ir::ValueId x, const Inception& m, double width) {
  auto s = [&](int64_t c) { return make_divisible(static_cast<double>(c) * width); };
  b.push_scope(std::string("inception_") + m.name);
  auto y = inception_module(b, x, {s(m.c1), s(m.c3r), s(m.c3), s(m.c5r), s(m.c5), s(m.pool_proj)});
  b.pop_scope();
  return y;
}

}  // namespace

Result<ir::Graph> build_googlenet(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("googlenet");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    auto s = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };

    b.push_scope("stem");
    x = conv_bias_relu(b, x, s(64), 7, 2);
    x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    x = conv_bias_relu(b, x, s(64), 1);
    x = conv_bias_relu(b, x, s(192), 3);
    x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    b.pop_scope();

    const Inception stage3[] = {{"3a", 64, 96, 128, 16, 32, 32}, {"3b", 128, 128, 192, 32, 96, 64}};
    const Inception stage4[] = {{"4a", 192, 96, 208, 16, 48, 64},
                                {"4b", 160, 112, 224, 24, 64, 64},
                                {"4c", 128, 128, 256, 24, 64, 64},
                                {"4d", 112, 144, 288, 32, 64, 64},
                                {"4e", 256, 160, 320, 32, 128, 128}};
    const Inception stage5[] = {{"5a", 256, 160, 320, 32, 128, 128}, {"5b", 384, 192, 384, 48, 128, 128}};
    for (const auto& m : stage3) x = inception(b, x, m, p.width);
    x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    for (const auto& m : stage4) x = inception(b, x, m, p.width);
    x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    for (const auto& m : stage5) x = inception(b, x, m, p.width);

    b.push_scope("head");
    x = b.classifier(x, p.num_classes);  // 7x7 average pool at 224, dropout omitted
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
