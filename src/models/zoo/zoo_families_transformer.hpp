// Internal: builders of the vision-transformer zoo families (one file each) and the ViT
// encoder that ViT and DeiT share.
#pragma once

#include <cstdint>

#include "nnlat/ir/builder.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

// ViT encoder as in Dosovitskiy et al. 2021 / DeiT: patch embedding to heads x head_dim
// (scaled by the width multiplier), `extra_tokens` constant
// tokens prepended (class; class + distillation), a constant position embedding added, `depth`
// pre-norm blocks (`heads` heads, MLP ratio 4, layer-norm epsilon 1e-12 as the Hugging Face
// checkpoints), final layer norm. Returns the tokens [B, extra + (res/patch)^2, C].
ir::ValueId vit_encoder(ir::GraphBuilder& b, const ZooParams& p, int64_t reference_res, int64_t patch, int64_t head_dim,
                        int64_t depth, int64_t heads, int64_t extra_tokens);

// vit.cpp
Result<ir::Graph> build_vit_base_patch16_224(const ZooParams& p);
Result<ir::Graph> build_vit_base_patch16_384(const ZooParams& p);
Result<ir::Graph> build_vit_base_patch32_224(const ZooParams& p);
Result<ir::Graph> build_vit_base_patch32_384(const ZooParams& p);
Result<ir::Graph> build_vit_base_patch16_224_in21k(const ZooParams& p);
Result<ir::Graph> build_vit_base_patch32_224_in21k(const ZooParams& p);
// deit.cpp
Result<ir::Graph> build_deit_tiny_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_small_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_base_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_base_patch16_384(const ZooParams& p);
Result<ir::Graph> build_deit_tiny_distilled_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_small_distilled_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_base_distilled_patch16_224(const ZooParams& p);
Result<ir::Graph> build_deit_base_distilled_patch16_384(const ZooParams& p);
// swin.cpp
Result<ir::Graph> build_swin_tiny_patch4_window7_224(const ZooParams& p);
Result<ir::Graph> build_swin_small_patch4_window7_224(const ZooParams& p);
Result<ir::Graph> build_swin_base_patch4_window7_224(const ZooParams& p);
Result<ir::Graph> build_swin_base_patch4_window12_384(const ZooParams& p);
// cvt.cpp
Result<ir::Graph> build_cvt_13(const ZooParams& p);
Result<ir::Graph> build_cvt_13_384(const ZooParams& p);
Result<ir::Graph> build_cvt_21(const ZooParams& p);
Result<ir::Graph> build_cvt_21_384(const ZooParams& p);
// mit.cpp
Result<ir::Graph> build_mit_b0(const ZooParams& p);
Result<ir::Graph> build_mit_b1(const ZooParams& p);
Result<ir::Graph> build_mit_b2(const ZooParams& p);
Result<ir::Graph> build_mit_b3(const ZooParams& p);
Result<ir::Graph> build_mit_b4(const ZooParams& p);
Result<ir::Graph> build_mit_b5(const ZooParams& p);

}  // namespace nnlat::models
