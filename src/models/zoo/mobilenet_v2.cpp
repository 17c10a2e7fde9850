// MobileNetV2 (Sandler et al., CVPR 2018), Table 2 of the paper.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_mobilenet_v2(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("mobilenet_v2");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // t (expansion), c (output channels), n (repeats), s (first stride)
    struct Stage {
      int64_t t, c, n, s;
    };
    const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    b.push_scope("stem");
    x = b.conv_bn_act(x, make_divisible(32 * p.width), 3, 2, 1, Act::kRelu6);
    b.pop_scope();
    int block = 0;
    for (const auto& st : stages) {
      const int64_t out = make_divisible(static_cast<double>(st.c) * p.width);
      for (int64_t i = 0; i < st.n; ++i) {
        b.push_scope("block" + std::to_string(block++));
        const int64_t stride = i == 0 ? st.s : 1;
        const int64_t in = b.channels(x);
        auto y = x;
        if (st.t != 1) y = b.conv_bn_act(y, in * st.t, 1, 1, 1, Act::kRelu6);
        y = b.conv_bn_act(y, b.channels(y), 3, stride, b.channels(y), Act::kRelu6);
        y = b.conv_bn_act(y, out, 1, 1, 1, Act::kNone);
        x = (stride == 1 && in == out) ? b.add(x, y) : y;
        b.pop_scope();
      }
    }
    b.push_scope("head");
    const int64_t last = p.width > 1.0 ? make_divisible(1280 * p.width) : 1280;
    x = b.conv_bn_act(x, last, 1, 1, 1, Act::kRelu6);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
