// ViT (Dosovitskiy et al., "An Image is Worth 16x16 Words", ICLR 2021), ViT-B/16 and ViT-B/32,
// as the Hugging Face checkpoints google/vit-base-patch{16,32}-{224-in21k,384}: the class
// token's final state through one linear head (no pre-logits layer). The `-in21k` checkpoints
// are exported without a head (the encoder's last hidden state; their pooler is not on the
// exported path), hence the headless entries.
#include "models/zoo/families.hpp"
#include "models/zoo/transformer_blocks.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

ir::ValueId vit_encoder(ir::GraphBuilder& b, const ZooParams& p, int64_t reference_res, int64_t patch, int64_t head_dim,
                        int64_t depth, int64_t heads, int64_t extra_tokens) {
  const int64_t res = resolution_or(p, reference_res);
  const int64_t dim = tfm::scaled_dim(heads, head_dim, p.width);
  auto x = b.input({p.batch, 3, res, res});
  b.push_scope("embed");
  x = tfm::patch_embed(b, x, dim, patch);
  x = tfm::prepend_tokens(b, x, extra_tokens);
  x = tfm::add_operand(b, x, {1, b.shape(x)[1], dim});  // position embedding
  b.pop_scope();
  tfm::AttentionSpec attn;
  attn.heads = heads;
  for (int64_t i = 0; i < depth; ++i) {
    b.push_scope("block" + std::to_string(i));
    x = tfm::transformer_block(b, x, attn, 4.0, 1e-12);
    b.pop_scope();
  }
  return tfm::layer_norm(b, x, 1e-12);
}

namespace {

Result<ir::Graph> build_vit(const ZooParams& p, const char* name, int64_t reference_res, int64_t patch, bool head) {
  return ir::GraphBuilder::run([&] {
    ir::GraphBuilder b(name);
    auto x = vit_encoder(b, p, reference_res, patch, 64, 12, 12, 1);
    if (head) {
      b.push_scope("head");
      x = b.fully_connected(tfm::take_token(b, x, 0), p.num_classes);
      b.pop_scope();
    }
    return b.finish({x});
  });
}

}  // namespace

Result<ir::Graph> build_vit_base_patch16_224(const ZooParams& p) {
  return build_vit(p, "vit_base_patch16_224", 224, 16, true);
}
Result<ir::Graph> build_vit_base_patch16_384(const ZooParams& p) {
  return build_vit(p, "vit_base_patch16_384", 384, 16, true);
}
Result<ir::Graph> build_vit_base_patch32_224(const ZooParams& p) {
  return build_vit(p, "vit_base_patch32_224", 224, 32, true);
}
Result<ir::Graph> build_vit_base_patch32_384(const ZooParams& p) {
  return build_vit(p, "vit_base_patch32_384", 384, 32, true);
}
Result<ir::Graph> build_vit_base_patch16_224_in21k(const ZooParams& p) {
  return build_vit(p, "vit_base_patch16_224_in21k", 224, 16, false);
}
Result<ir::Graph> build_vit_base_patch32_224_in21k(const ZooParams& p) {
  return build_vit(p, "vit_base_patch32_224_in21k", 224, 32, false);
}

}  // namespace nnlat::models
