// SqueezeNet 1.1 (Iandola et al., "SqueezeNet: AlexNet-level accuracy with 50x fewer
// parameters and <0.5MB model size", 2016; v1.1 from the official DeepScale/SqueezeNet
// release, whose README gives it "2.4x less computation than SqueezeNet 1.0"): a 3x3/2
// stem with 64 filters and earlier pooling than 1.0, the same Fire modules.
//
// As in the official Caffe release and torchvision: convolutions carry biases and no
// BatchNorm, the stem conv is unpadded, max pools round up (Caffe's pooling arithmetic),
// and the classifier is a 1x1 conv + ReLU followed by global average pooling.
#include <string>

#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_squeezenet1_1(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("squeezenet1_1");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    auto scaled = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };

    b.push_scope("stem");
    x = b.activation(b.conv_explicit(x, scaled(64), {3, 3}, {2, 2}, {0, 0, 0, 0}, 1, /*bias=*/true), Act::kRelu);
    x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    b.pop_scope();

    // (squeeze, expand) per Fire module; pools after fire3 and fire5.
    struct Fire {
      int64_t s, e;
      bool pool_after;
    };
    const Fire fires[] = {{16, 64, false},  {16, 64, true},   {32, 128, false}, {32, 128, true},
                          {48, 192, false}, {48, 192, false}, {64, 256, false}, {64, 256, false}};
    int index = 2;
    for (const auto& f : fires) {
      b.push_scope("fire" + std::to_string(index++));
      x = fire_module(b, x, scaled(f.s), scaled(f.e));
      b.pop_scope();
      if (f.pool_after) x = b.max_pool(x, 3, 2, 0, /*ceil_mode=*/true);
    }

    b.push_scope("head");
    x = b.activation(b.conv(x, p.num_classes, 1, 1, 1, /*bias=*/true), Act::kRelu);
    x = b.flatten(b.global_avg_pool(x));
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
