// Vision-transformer zoo families with the figures their papers (or official releases)
// publish. MACs count every matmul (the attention's Q.K^T and .V included), as the papers'
// FLOPs (= multiply-adds) do. Parameter counts leave out the constant operands (position
// embeddings, class and distillation tokens, relative-position bias tables: docs/ir.md), a
// few tenths of a percent of these networks.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_transformer.hpp"

namespace nnlat::models {

std::span<const ZooEntry> transformer_zoo_entries() {
  static const ZooEntry entries[] = {
      // ---- ViT ----
      // Parameter figures: the exact tensor count of each architecture, position embedding and
      // tokens included (the papers round: ViT-Base 86M); where the papers give no precise
      // MACs, the figure is the mobile-ml-benchmark FLOPS / 2 of the exported checkpoint, said
      // in the citation (tests/zoo_transformer_test.cpp then checks the same number twice).
      {"vit_base_patch16_224", "ViT", "ViT-B/16: 12 blocks, 768 wide, 12 heads, patch 16, class-token head", 224,
       17500.0, 86.567656,
       "Dosovitskiy et al. 2021, Table 1 (ViT-Base, 86M params: 86,567,656 exactly); 17.5G FLOPs (= multiply-adds) "
       "as Liu et al. 2021 (Swin) Table 1(a) lists the same network as DeiT-B",
       build_vit_base_patch16_224},
      {"vit_base_patch16_384", "ViT", "ViT-B/16 at 384 (577 tokens)", 384, 55400.0, 86.859496,
       "Liu et al. 2021 (Swin) Table 1(a): ViT-B/16 at 384, 86M params (86,859,496 exactly), 55.4G FLOPs",
       build_vit_base_patch16_384},
      {"vit_base_patch32_224", "ViT", "ViT-B/32: ViT-B with patch 32 (50 tokens)", 224, 4400.0, 88.224232,
       "Dosovitskiy et al. 2021, Table 1 (ViT-Base; 88,224,232 params exactly with patch 32); timm's listing of "
       "vit_base_patch32_224: 88.2M params, 4.4 GMACs",
       build_vit_base_patch32_224},
      {"vit_base_patch32_384", "ViT", "ViT-B/32 at 384 (145 tokens)", 384, 13046.3, 88.297192,
       "Dosovitskiy et al. 2021, Table 1 (ViT-Base; 88,297,192 params exactly); MACs: mobile-ml-benchmark FLOPS / 2 "
       "of google/vit-base-patch32-384 (timm's model card lists 12.7 GMACs, leaving out the attention matmuls, "
       "0.39 G)",
       build_vit_base_patch32_384},
      {"vit_base_patch16_224_in21k", "ViT",
       "ViT-B/16 encoder without a head (google/vit-base-patch16-224-in21k as exported: last hidden state)", 224,
       17566.8, 85.798656,
       "ViT-B/16 (86,567,656 params) less its 768x1000 head (769,000); MACs: mobile-ml-benchmark FLOPS / 2 of "
       "google/vit-base-patch16-224-in21k",
       build_vit_base_patch16_224_in21k},
      {"vit_base_patch32_224_in21k", "ViT",
       "ViT-B/32 encoder without a head (google/vit-base-patch32-224-in21k as exported: last hidden state)", 224,
       4409.4, 87.455232,
       "ViT-B/32 (88,224,232 params) less its 768x1000 head (769,000); MACs: mobile-ml-benchmark FLOPS / 2 of "
       "google/vit-base-patch32-224-in21k",
       build_vit_base_patch32_224_in21k},
      // ---- DeiT ----
      {"deit_tiny_patch16_224", "DeiT", "DeiT-Ti: ViT with 192 wide, 3 heads, 12 blocks, patch 16", 224, 1300.0,
       5.717416,
       "Touvron et al. 2021, Table 1 (DeiT-Ti 5M params: 5,717,416 exactly); 1.3G FLOPs (= multiply-adds) as Wang "
       "et al. 2021 (PVT) Table 2 lists DeiT-Ti, rounded to two digits",
       build_deit_tiny_patch16_224},
      {"deit_small_patch16_224", "DeiT", "DeiT-S: 384 wide, 6 heads, 12 blocks, patch 16", 224, 4600.0, 22.050664,
       "Touvron et al. 2021, Table 1 (22M: 22,050,664 exactly); Liu et al. 2021 (Swin) Table 1(a): DeiT-S 4.6G "
       "FLOPs",
       build_deit_small_patch16_224},
      {"deit_base_patch16_224", "DeiT", "DeiT-B: 768 wide, 12 heads, 12 blocks, patch 16 (the ViT-B/16 shape)", 224,
       17500.0, 86.567656,
       "Touvron et al. 2021, Table 1 (86M: 86,567,656 exactly); Liu et al. 2021 (Swin) Table 1(a): DeiT-B 17.5G "
       "FLOPs",
       build_deit_base_patch16_224},
      {"deit_base_patch16_384", "DeiT", "DeiT-B at 384", 384, 55400.0, 86.859496,
       "Touvron et al. 2021, Table 1 (86M: 86,859,496 exactly at 384); Liu et al. 2021 (Swin) Table 1(a): DeiT-B "
       "384 55.4G FLOPs",
       build_deit_base_patch16_384},
      {"deit_tiny_distilled_patch16_224", "DeiT", "DeiT-Ti with distillation token and two heads (averaged)", 224,
       1261.8, 5.910800,
       "Touvron et al. 2021, Table 5 (DeiT-Ti distilled, 6M params: 5,910,800 exactly); MACs: mobile-ml-benchmark "
       "FLOPS / 2 of facebook/deit-tiny-distilled-patch16-224 (the paper gives none to better than 1.3G)",
       build_deit_tiny_distilled_patch16_224},
      {"deit_small_distilled_patch16_224", "DeiT", "DeiT-S with distillation token and two heads (averaged)", 224,
       4625.7, 22.436432,
       "Touvron et al. 2021, Table 5 (22M: 22,436,432 exactly); MACs: mobile-ml-benchmark FLOPS / 2 of "
       "facebook/deit-small-distilled-patch16-224",
       build_deit_small_distilled_patch16_224},
      {"deit_base_distilled_patch16_224", "DeiT", "DeiT-B with distillation token and two heads (averaged)", 224,
       17659.8, 87.338192,
       "Touvron et al. 2021, Table 5 (87M: 87,338,192 exactly); MACs: mobile-ml-benchmark FLOPS / 2 of "
       "facebook/deit-base-distilled-patch16-224",
       build_deit_base_distilled_patch16_224},
      {"deit_base_distilled_patch16_384", "DeiT", "DeiT-B distilled at 384", 384, 55601.5, 87.630032,
       "Touvron et al. 2021, Table 5 (88M: 87,630,032 exactly); MACs: mobile-ml-benchmark FLOPS / 2 of "
       "facebook/deit-base-distilled-patch16-384",
       build_deit_base_distilled_patch16_384},
      // ---- Swin ----
      {"swin_tiny_patch4_window7_224", "Swin", "Swin-T: C=96, depths 2-2-6-2, heads 3-6-12-24, window 7", 224, 4500.0,
       28.0, "Liu et al. 2021, Table 1(a): Swin-T 28M params, 4.5G FLOPs (= multiply-adds)",
       build_swin_tiny_patch4_window7_224},
      {"swin_small_patch4_window7_224", "Swin", "Swin-S: C=96, depths 2-2-18-2, heads 3-6-12-24, window 7", 224, 8700.0,
       50.0, "Liu et al. 2021, Table 1(a): Swin-S 50M params, 8.7G FLOPs", build_swin_small_patch4_window7_224},
      {"swin_base_patch4_window7_224", "Swin", "Swin-B: C=128, depths 2-2-18-2, heads 4-8-16-32, window 7", 224,
       15400.0, 88.0, "Liu et al. 2021, Table 1(a): Swin-B 88M params, 15.4G FLOPs",
       build_swin_base_patch4_window7_224},
      {"swin_base_patch4_window12_384", "Swin", "Swin-B at 384 with window 12", 384, 47000.0, 88.0,
       "Liu et al. 2021, Table 1(a): Swin-B 384 88M params, 47.0G FLOPs", build_swin_base_patch4_window12_384},
      // ---- CvT ----
      {"cvt_13", "CvT", "CvT-13: widths 64-192-384, heads 1-3-6, depths 1-2-10, conv embeddings and projections", 224,
       4500.0, 20.0, "Wu et al. 2021, Table 3: CvT-13 20M params, 4.5G FLOPs (= multiply-adds)", build_cvt_13},
      {"cvt_13_384", "CvT", "CvT-13 at 384", 384, 16300.0, 20.0,
       "Wu et al. 2021, Table 3: CvT-13 at 384, 20M params, 16.3G FLOPs", build_cvt_13_384},
      {"cvt_21", "CvT", "CvT-21: depths 1-4-16", 224, 7100.0, 32.0,
       "Wu et al. 2021, Table 3: CvT-21 32M params, 7.1G FLOPs", build_cvt_21},
      {"cvt_21_384", "CvT", "CvT-21 at 384", 384, 24900.0, 32.0,
       "Wu et al. 2021, Table 3: CvT-21 at 384, 32M params, 24.9G FLOPs", build_cvt_21_384},
      // ---- MiT ----
      {"mit_b0", "MiT", "MiT-B0: widths 32-64-160-256, depths 2-2-2-2, sr 8-4-2-1, Mix-FFN; ImageNet head", 224, 453.7,
       3.657,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 3.4M params, plus the 256x1000 head of nvidia/mit-b0 "
       "(0.257M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b0",
       build_mit_b0},
      {"mit_b1", "MiT", "MiT-B1: widths 64-128-320-512, depths 2-2-2-2, sr 8-4-2-1, Mix-FFN; ImageNet head", 224,
       1678.0, 13.613,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 13.1M params, plus the 512x1000 head of nvidia/mit-b1 "
       "(0.513M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b1",
       build_mit_b1},
      {"mit_b2", "MiT", "MiT-B2: widths 64-128-320-512, depths 3-4-6-3, sr 8-4-2-1, Mix-FFN; ImageNet head", 224,
       3275.1, 24.713,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 24.2M params, plus the 512x1000 head of nvidia/mit-b2 "
       "(0.513M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b2",
       build_mit_b2},
      {"mit_b3", "MiT", "MiT-B3: depths 3-4-18-3, sr 8-4-2-1, Mix-FFN; ImageNet head", 224, 6147.4, 44.513,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 44.0M params, plus the 512x1000 head of nvidia/mit-b3 "
       "(0.513M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b3",
       build_mit_b3},
      {"mit_b4", "MiT", "MiT-B4: depths 3-8-27-3, sr 8-4-2-1, Mix-FFN; ImageNet head", 224, 8927.8, 61.313,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 60.8M params, plus the 512x1000 head of nvidia/mit-b4 "
       "(0.513M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b4",
       build_mit_b4},
      {"mit_b5", "MiT", "MiT-B5: depths 3-6-40-3, sr 8-4-2-1, Mix-FFN; ImageNet head", 224, 11726.3, 81.913,
       "Xie et al. 2021 (SegFormer), Table 1: encoder 81.4M params, plus the 512x1000 head of nvidia/mit-b5 "
       "(0.513M); no ImageNet MACs are published: the precise figure is the mobile-ml-benchmark FLOPS / 2 of "
       "the exported nvidia/mit-b5",
       build_mit_b5},
  };
  return entries;
}

}  // namespace nnlat::models
