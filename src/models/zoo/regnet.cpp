// RegNetX-200MF and RegNetX-400MF (Radosavovic et al., "Designing Network Design Spaces",
// CVPR 2020), as released in pycls (configs/dds_baselines/regnetx/RegNetX-{200,400}MF).
//
// Built from the explicit per-stage depths, widths and group widths that the paper's
// quantized linear rule (w0, wa, wm, d) produces with pycls's rounding, rather than
// re-deriving them, so the graph is exactly the released one:
//   200MF: d = [1, 1, 4, 7],  w = [24, 56, 152, 368], group width 8
//   400MF: d = [1, 2, 7, 12], w = [32, 64, 160, 384], group width 16
// (torchvision's regnet_x_400mf rounds the last stage to 400 instead of 384 and so differs
// slightly: 5.50M params, 0.414 GMACs.) Stem 3x3/2 with 32 channels, bottleneck ratio 1, X
// block = 1x1 -> grouped 3x3 (stride on it) -> 1x1, projection shortcut where the shape
// changes, ReLU after the residual add.
#include <algorithm>
#include <array>
#include <string>

#include "models/zoo/classic_blocks.hpp"
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat::models {

namespace {

using ir::Act;

struct RegNetSpec {
  const char* name;
  std::array<int64_t, 4> depths;
  std::array<int64_t, 4> widths;
  int64_t group_width;
};

Result<ir::Graph> build_regnetx(const ZooParams& p, const RegNetSpec& spec) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(spec.name);
    const int64_t res = resolution_or(p, 224);
    auto x = b.input({p.batch, 3, res, res});

    b.push_scope("stem");
    x = b.conv_bn_act(x, make_divisible(32.0 * p.width), 3, 2, 1, Act::kRelu);
    b.pop_scope();

    for (size_t stage = 0; stage < spec.widths.size(); ++stage) {
      // Scale the stage width, then make it compatible with the group width the same way
      // pycls does (group width capped at the width, width rounded to a multiple of it).
      int64_t w = make_divisible(static_cast<double>(spec.widths[stage]) * p.width);
      const int64_t g = std::min(spec.group_width, w);
      w = std::max<int64_t>(g, (w + g / 2) / g * g);
      for (int64_t i = 0; i < spec.depths[stage]; ++i) {
        // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&.
        std::string scope = "stage";
        scope += std::to_string(stage + 1);
        scope += ".block";
        scope += std::to_string(i + 1);
        b.push_scope(scope);
        x = x_block(b, x, w, i == 0 ? 2 : 1, w / g);
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

Result<ir::Graph> build_regnetx_200mf(const ZooParams& p) {
  return build_regnetx(p, {"regnetx_200mf", {1, 1, 4, 7}, {24, 56, 152, 368}, 8});
}

Result<ir::Graph> build_regnetx_400mf(const ZooParams& p) {
  return build_regnetx(p, {"regnetx_400mf", {1, 2, 7, 12}, {32, 64, 160, 384}, 16});
}

}  // namespace nnlat::models
