// ShuffleNet V2 (Ma et al., "ShuffleNet V2: Practical Guidelines for Efficient CNN
// Architecture Design", ECCV 2018), Table 5 of the paper; layer details as in torchvision's
// shufflenet_v2_x*_0 (the commonly deployed implementation).
//
// A stride-1 unit splits its input into two halves (channel split), transforms one half and
// concatenates it with the untouched half; a stride-2 unit transforms the whole input in two
// branches. Both end with a channel shuffle of 2 groups. These are explicit split, concat
// and channel_shuffle nodes because that is how the frameworks run them.
#include <cmath>
#include <string>

#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

namespace {

using ir::Act;

// Stage output channels. The paper defines 0.5x/1x/1.5x/2x by table (not by a formula:
// 0.5x is 48, not 58), so those are used verbatim; other multipliers scale the 1x widths
// to a multiple of 4, which keeps both halves of every split even.
struct Widths {
  int64_t stages[3];
  int64_t last;
};

Widths shufflenet_widths(double width) {
  if (width == 0.5) return {{48, 96, 192}, 1024};
  if (width == 1.0) return {{116, 232, 464}, 1024};
  if (width == 1.5) return {{176, 352, 704}, 1024};
  if (width == 2.0) return {{244, 488, 976}, 2048};
  Widths w{};
  const int64_t base[3] = {116, 232, 464};
  for (int i = 0; i < 3; ++i) w.stages[i] = make_divisible(static_cast<double>(base[i]) * width, 4);
  w.last = width > 1.5 ? 2048 : 1024;
  return w;
}

}  // namespace

Result<ir::Graph> build_shufflenet_v2(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("shufflenet_v2");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    const Widths w = shufflenet_widths(p.width);

    b.push_scope("stem");
    x = b.conv_bn_act(x, 24, 3, 2, 1, Act::kRelu);  // 24 at every width in the paper
    x = b.max_pool(x, 3, 2, 1);
    b.pop_scope();

    const int64_t repeats[3] = {4, 8, 4};
    for (int stage = 0; stage < 3; ++stage) {
      const int64_t out = w.stages[stage];
      for (int64_t i = 0; i < repeats[stage]; ++i) {
        b.push_scope("stage" + std::to_string(stage + 2) + "." + std::to_string(i));
        x = shuffle_unit(b, x, out, i == 0 ? 2 : 1);
        b.pop_scope();
      }
    }

    b.push_scope("head");
    x = b.conv_bn_act(x, w.last, 1, 1, 1, Act::kRelu);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
