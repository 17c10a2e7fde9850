// DeiT (Touvron et al., "Training data-efficient image transformers & distillation through
// attention", ICML 2021): the ViT encoder at tiny (192, 3 heads), small (384, 6) and base
// (768, 12) widths, 12 blocks, patch 16. The distilled variants prepend a distillation token
// beside the class token and carry two heads (class and distillation), whose logits are
// averaged at inference, as the checkpoints facebook/deit-*-distilled-patch16-* run.
#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

namespace {

Result<ir::Graph> build_deit(const ZooParams& p, const char* name, int64_t reference_res, int64_t heads,
                             bool distilled) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    auto x = vit_encoder(b, p, reference_res, 16, 64, 12, heads, distilled ? 2 : 1);
    b.push_scope("head");
    auto logits = b.fully_connected(tfm::take_token(b, x, 0), p.num_classes);
    if (distilled) {
      auto dist = b.fully_connected(tfm::take_token(b, x, 1), p.num_classes);
      logits = tfm::mul_scalar(b, b.add(logits, dist), 0.5);
    }
    b.pop_scope();
    return b.finish({logits});
  });
}

}  // namespace

Result<ir::Graph> build_deit_tiny_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_tiny_patch16_224", 224, 3, false);
}
Result<ir::Graph> build_deit_small_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_small_patch16_224", 224, 6, false);
}
Result<ir::Graph> build_deit_base_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_base_patch16_224", 224, 12, false);
}
Result<ir::Graph> build_deit_base_patch16_384(const ZooParams& p) {
  return build_deit(p, "deit_base_patch16_384", 384, 12, false);
}
Result<ir::Graph> build_deit_tiny_distilled_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_tiny_distilled_patch16_224", 224, 3, true);
}
Result<ir::Graph> build_deit_small_distilled_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_small_distilled_patch16_224", 224, 6, true);
}
Result<ir::Graph> build_deit_base_distilled_patch16_224(const ZooParams& p) {
  return build_deit(p, "deit_base_distilled_patch16_224", 224, 12, true);
}
Result<ir::Graph> build_deit_base_distilled_patch16_384(const ZooParams& p) {
  return build_deit(p, "deit_base_distilled_patch16_384", 384, 12, true);
}

}  // namespace nnlat::models
