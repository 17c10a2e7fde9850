// MobileNetV3-Large and -Small (Howard et al., "Searching for MobileNetV3", ICCV 2019),
// architectures of Tables 1 and 2 of the paper: inverted residuals with optional
// squeeze-excite (bottleneck of a quarter of the expansion width, hard-sigmoid gate) and
// ReLU or hard-swish by layer, then an efficient last stage whose 1x1 feature conv runs
// after the global pool (Section 5.1).
#include <span>

#include "models/zoo/families.hpp"
#include "models/zoo/mobile_blocks.hpp"
#include "models/zoo/zoo_families_mobile.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

using ir::Act;

namespace {

// One bneck row: kernel, expansion size, output channels, squeeze-excite, nonlinearity, stride.
struct Bneck {
  int64_t k, exp, out;
  bool se;
  Act act;
  int64_t s;
};

constexpr Act RE = Act::kRelu;
constexpr Act HS = Act::kHardSwish;

// Table 1.
constexpr Bneck kLarge[] = {
    {3, 16, 16, false, RE, 1},  {3, 64, 24, false, RE, 2},  {3, 72, 24, false, RE, 1},  {5, 72, 40, true, RE, 2},
    {5, 120, 40, true, RE, 1},  {5, 120, 40, true, RE, 1},  {3, 240, 80, false, HS, 2}, {3, 200, 80, false, HS, 1},
    {3, 184, 80, false, HS, 1}, {3, 184, 80, false, HS, 1}, {3, 480, 112, true, HS, 1}, {3, 672, 112, true, HS, 1},
    {5, 672, 160, true, HS, 2}, {5, 960, 160, true, HS, 1}, {5, 960, 160, true, HS, 1},
};

// Table 2.
constexpr Bneck kSmall[] = {
    {3, 16, 16, true, RE, 2},  {3, 72, 24, false, RE, 2}, {3, 88, 24, false, RE, 1}, {5, 96, 40, true, HS, 2},
    {5, 240, 40, true, HS, 1}, {5, 240, 40, true, HS, 1}, {5, 120, 48, true, HS, 1}, {5, 144, 48, true, HS, 1},
    {5, 288, 96, true, HS, 2}, {5, 576, 96, true, HS, 1}, {5, 576, 96, true, HS, 1},
};

Result<ir::Graph> build_v3(const ZooParams& p, const char* name, std::span<const Bneck> rows, int64_t last_conv,
                           int64_t last_channels) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});
    // The multiplier scales every layer's output, kept at multiples of 8. As in the TF reference
    // (tensorflow/models research/slim/nets/mobilenet/mobilenet_v3.py) an expansion is a factor of
    // the block's already-scaled input (exp / in of the table), rounded again; at width 1.0 this
    // is exactly the table, and at 0.75 / 1.25 it reproduces the MACs of the paper's Table 3.
    auto ch = [&](double c) { return make_divisible(c * p.width); };
    b.push_scope("stem");
    x = b.conv_bn_act(x, ch(16), 3, 2, 1, HS);
    b.pop_scope();
    int block = 0;
    int64_t table_in = 16;  // the unscaled input width of the current row
    for (const auto& r : rows) {
      b.push_scope("block" + std::to_string(block++));
      const double factor = static_cast<double>(r.exp) / static_cast<double>(table_in);
      const int64_t exp = make_divisible(static_cast<double>(b.channels(x)) * factor);
      MBConv m{exp, ch(static_cast<double>(r.out)), r.k, r.s, r.act};
      if (r.se) {
        // Section 5.3: the squeeze-excite bottleneck is a quarter of the expansion width.
        m.se_reduced = make_divisible(static_cast<double>(exp) / 4.0);
        m.se_inner = Act::kRelu;
        m.se_gate = Act::kHardSigmoid;
      }
      x = mbconv(b, x, m);
      table_in = r.out;
      b.pop_scope();
    }
    b.push_scope("head");
    // 1x1 conv (960 / 576), global pool, then the 1x1 feature layer without batch norm, which on
    // the pooled vector is a fully connected layer, and the classifier. The feature layer is
    // not thinned below width 1 (the reference's finegrain_classification_mode): that is what
    // gives Table 3's 4.0M / 2.0M parameters at 0.75.
    x = b.conv_bn_act(x, ch(static_cast<double>(last_conv)), 1, 1, 1, HS);
    x = b.flatten(b.global_avg_pool(x));
    const int64_t features = p.width > 1.0 ? ch(static_cast<double>(last_channels)) : last_channels;
    x = b.activation(b.fully_connected(x, features), HS);
    x = b.fully_connected(x, p.num_classes);
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_mobilenet_v3_large(const ZooParams& p) {
  return build_v3(p, "mobilenet_v3_large", kLarge, 960, 1280);
}

Result<ir::Graph> build_mobilenet_v3_small(const ZooParams& p) {
  return build_v3(p, "mobilenet_v3_small", kSmall, 576, 1024);
}

}  // namespace nnlat::models
