// EfficientNet-B0 (Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
// Networks", ICML 2019), baseline network of Table 1, with block details (squeeze-excite
// sized from the block input, swish) as in the official TF release, tensorflow/tpu
// models/official/efficientnet (efficientnet_builder.py, efficientnet_model.py).
//
// EfficientNet-Lite0 (official TF release, models/official/efficientnet/lite/README.md and
// efficientnet_lite_builder.py): the same B0 block table with squeeze-excite removed, every
// swish replaced by ReLU6, and the stem and head kept at 32 / 1280 channels when the network is
// scaled. Both live in this file because they share the table.
#include <algorithm>

#include "models/zoo/families.hpp"
#include "models/zoo/mobile_blocks.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

namespace {

Result<ir::Graph> build_efficientnet(const ZooParams& p, const char* name, bool lite) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    const Act act = lite ? Act::kRelu6 : Act::kSwish;
    // round_filters of the reference: width coefficient, then make_divisible with divisor 8.
    auto ch = [&](int64_t c) { return make_divisible(static_cast<double>(c) * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, lite ? 32 : ch(32), 3, 2, 1, act);
    b.pop_scope();
    // repeats, kernel, stride, expansion, output channels (block strings r1_k3_s11_e1_i32_o16 ...
    // r1_k3_s11_e6_i192_o320, all with se0.25 in B0).
    struct Stage {
      int64_t r, k, s, e, c;
    };
    const Stage stages[] = {{1, 3, 1, 1, 16},  {2, 3, 2, 6, 24},  {2, 5, 2, 6, 40}, {3, 3, 2, 6, 80},
                            {3, 5, 1, 6, 112}, {4, 5, 2, 6, 192}, {1, 3, 1, 6, 320}};
    int block = 0;
    for (const auto& st : stages) {
      for (int64_t i = 0; i < st.r; ++i) {
        b.push_scope("block" + std::to_string(block++));
        const int64_t in = b.channels(x);
        MBConv m{in * st.e, ch(st.c), st.k, i == 0 ? st.s : 1, act};
        if (!lite) {
          // se_ratio 0.25 of the block's input filters, swish inside, sigmoid gate.
          m.se_reduced = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(in) * 0.25));
          m.se_inner = Act::kSwish;
          m.se_gate = Act::kSigmoid;
        }
        x = mbconv(b, x, m);
        b.pop_scope();
      }
    }
    b.push_scope("head");
    x = b.conv_bn_act(x, lite ? 1280 : ch(1280), 1, 1, 1, act);
    x = b.classifier(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_efficientnet_b0(const ZooParams& p) { return build_efficientnet(p, "efficientnet_b0", false); }

Result<ir::Graph> build_efficientnet_lite0(const ZooParams& p) {
  return build_efficientnet(p, "efficientnet_lite0", true);
}

}  // namespace nnlat::models
