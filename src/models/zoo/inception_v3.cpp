// Inception-v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer
// Vision", CVPR 2016), Table 1 and Figures 5-7 of the paper; module widths as in the
// released model (TF-slim inception_v3 / torchvision Inception3, which is a port of it).
// Reference input 299x299. The auxiliary classifier is training-only and is omitted.
//
// Every conv is conv (no bias) + BatchNorm + ReLU. The factorised 1x7/7x1 and 1x3/3x1
// convolutions are real rectangular kernels, and the stem and grid-reduction convs are
// unpadded ("valid"), so they use explicit kernels and pads.
#include <string>
#include <vector>

#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

namespace {

using ir::Act;

class InceptionV3Builder {
 public:
  InceptionV3Builder(ir::GraphBuilder& b, double width) : b_(b), width_(width) {}

  int64_t s(int64_t c) const { return make_divisible(static_cast<double>(c) * width_); }

  // conv (kh x kw, stride, pads [h, w] on both sides) + BN + ReLU; `c` is unscaled.
  ir::ValueId conv(ir::ValueId x, int64_t c, int64_t kh, int64_t kw, int64_t stride = 1, int64_t ph = -1,
                   int64_t pw = -1) {
    if (ph < 0) ph = (kh - 1) / 2;
    if (pw < 0) pw = (kw - 1) / 2;
    auto y = b_.conv_explicit(x, s(c), {kh, kw}, {stride, stride}, {ph, pw, ph, pw});
    return b_.activation(b_.batch_norm(y), Act::kRelu);
  }
  ir::ValueId valid(ir::ValueId x, int64_t c, int64_t k, int64_t stride) { return conv(x, c, k, k, stride, 0, 0); }

  // 35x35 module (Figure 5, with the 5x5 kept as released).
  ir::ValueId block_a(ir::ValueId x, int64_t pool_features) {
    auto b1 = conv(x, 64, 1, 1);
    auto b5 = conv(conv(x, 48, 1, 1), 64, 5, 5);
    auto b3 = conv(conv(conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    auto bp = conv(b_.avg_pool(x, 3, 1, 1, /*count_include_pad=*/true), pool_features, 1, 1);
    return b_.concat({b1, b5, b3, bp});
  }
  // 35 -> 17 grid reduction (Figure 10).
  ir::ValueId block_b(ir::ValueId x) {
    auto b3 = valid(x, 384, 3, 2);
    auto bd = valid(conv(conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 2);
    auto bp = b_.max_pool(x, 3, 2);
    return b_.concat({b3, bd, bp});
  }
  // 17x17 module with factorised 7x7 (Figure 6).
  ir::ValueId block_c(ir::ValueId x, int64_t c7) {
    auto b1 = conv(x, 192, 1, 1);
    auto b7 = conv(conv(conv(x, c7, 1, 1), c7, 1, 7), 192, 7, 1);
    auto bd = conv(x, c7, 1, 1);
    bd = conv(conv(bd, c7, 7, 1), c7, 1, 7);
    bd = conv(conv(bd, c7, 7, 1), 192, 1, 7);
    auto bp = conv(b_.avg_pool(x, 3, 1, 1, /*count_include_pad=*/true), 192, 1, 1);
    return b_.concat({b1, b7, bd, bp});
  }
  // 17 -> 8 grid reduction.
  ir::ValueId block_d(ir::ValueId x) {
    auto b3 = valid(conv(x, 192, 1, 1), 320, 3, 2);
    auto b7 = conv(conv(conv(x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
    b7 = valid(b7, 192, 3, 2);
    auto bp = b_.max_pool(x, 3, 2);
    return b_.concat({b3, b7, bp});
  }
  // 8x8 module with expanded filter bank outputs (Figure 7).
  ir::ValueId block_e(ir::ValueId x) {
    auto b1 = conv(x, 320, 1, 1);
    auto b3 = conv(x, 384, 1, 1);
    b3 = b_.concat({conv(b3, 384, 1, 3), conv(b3, 384, 3, 1)});
    auto bd = conv(conv(x, 448, 1, 1), 384, 3, 3);
    bd = b_.concat({conv(bd, 384, 1, 3), conv(bd, 384, 3, 1)});
    auto bp = conv(b_.avg_pool(x, 3, 1, 1, /*count_include_pad=*/true), 192, 1, 1);
    return b_.concat({b1, b3, bd, bp});
  }

 private:
  ir::GraphBuilder& b_;
  double width_;
};

}  // namespace

Result<ir::Graph> build_inception_v3(const ZooParams& p) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b("inception_v3");
    const int64_t res = resolution_or(p, 299);
    auto x = b.input({p.batch, 3, res, res});
    InceptionV3Builder m(b, p.width);

    b.push_scope("stem");
    x = m.valid(x, 32, 3, 2);  // 299 -> 149
    x = m.valid(x, 32, 3, 1);  // 147
    x = m.conv(x, 64, 3, 3);   // 147
    x = b.max_pool(x, 3, 2);   // 73
    x = m.conv(x, 80, 1, 1);
    x = m.valid(x, 192, 3, 1);  // 71
    x = b.max_pool(x, 3, 2);    // 35
    b.pop_scope();

    auto scoped = [&](const std::string& name, auto&& f) {
      b.push_scope(name);
      x = f();
      b.pop_scope();
    };
    scoped("mixed_5b", [&] { return m.block_a(x, 32); });
    scoped("mixed_5c", [&] { return m.block_a(x, 64); });
    scoped("mixed_5d", [&] { return m.block_a(x, 64); });
    scoped("mixed_6a", [&] { return m.block_b(x); });
    scoped("mixed_6b", [&] { return m.block_c(x, 128); });
    scoped("mixed_6c", [&] { return m.block_c(x, 160); });
    scoped("mixed_6d", [&] { return m.block_c(x, 160); });
    scoped("mixed_6e", [&] { return m.block_c(x, 192); });
    scoped("mixed_7a", [&] { return m.block_d(x); });
    scoped("mixed_7b", [&] { return m.block_e(x); });
    scoped("mixed_7c", [&] { return m.block_e(x); });

    b.push_scope("head");
    x = b.classifier(x, p.num_classes);  // 8x8 average pool at 299, dropout omitted
    b.pop_scope();
    return b.finish({x});
  });
}

}  // namespace nnlat::models
