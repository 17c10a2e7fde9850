// MnasNet-A1 (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile",
// CVPR 2019), architecture of Figure 7(a); block details (squeeze-excite sized from the block
// input, fixed 1280-wide head) as in the official TF release, tensorflow/tpu
// models/official/mnasnet (mnasnet_models.py: mnasnet_a1, mnasnet_model.py).
#include <algorithm>

#include "models/zoo/families.hpp"
#include "models/zoo/mobile_blocks.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

Result<ir::Graph> build_mnasnet_a1(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("mnasnet_a1");
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // round_filters in the reference is make_divisible with divisor 8.
    auto ch = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, ch(32), 3, 2, 1, Act::kRelu);
    b.pop_scope();
    // repeats, kernel, stride, expansion, output channels, squeeze-excite, identity skip
    // (the official block strings r1_k3_s11_e1_i32_o16_noskip ... r1_k3_s11_e6_i160_o320).
    struct Stage {
      int64_t r, k, s, e, c;
      bool se, skip;
    };
    const Stage stages[] = {{1, 3, 1, 1, 16, false, false}, {2, 3, 2, 6, 24, false, true},
                            {3, 5, 2, 3, 40, true, true},   {4, 3, 2, 6, 80, false, true},
                            {2, 3, 1, 6, 112, true, true},  {3, 5, 2, 6, 160, true, true},
                            {1, 3, 1, 6, 320, false, true}};
    int block = 0;
    for (const auto& st : stages) {
      for (int64_t i = 0; i < st.r; ++i) {
        b.push_scope("block" + std::to_string(block++));
        const int64_t in = b.channels(x);
        MBConv m{in * st.e, ch(st.c), st.k, i == 0 ? st.s : 1, Act::kRelu};
        m.skip = st.skip;
        // SE ratio 0.25 of the block's input filters, not of the expanded width.
        if (st.se) m.se_reduced = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(in) * 0.25));
        x = mbconv(b, x, m);
        b.pop_scope();
      }
    }
    b.push_scope("head");
    // The official head is 1280 wide whatever the depth multiplier.
    x = b.conv_bn_act(x, 1280, 1, 1, 1, Act::kRelu);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
