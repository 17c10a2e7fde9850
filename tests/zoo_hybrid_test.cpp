// The hybrid convolution-transformer families (LeViT, EfficientFormer, MobileViT): the
// smallest of each builds at a small resolution, verifies, runs on the reference backend and
// lowers to kernels under every built-in fusion rule set (a quick check; zoo_test holds the
// published-figure checks).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "models/zoo/transformer_blocks.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models {
namespace {

struct Small {
  const char* name;
  int64_t resolution;
};

class HybridZoo : public ::testing::TestWithParam<Small> {};

TEST_P(HybridZoo, SmallestBuildsRunsAndLowersToKernels) {
  ZooParams p;
  p.resolution = GetParam().resolution;
  p.num_classes = 10;
  auto g = build_zoo_model(GetParam().name, p);
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_GT(ir::graph_cost(*g).total.macs, 0);
  // It runs on the reference backend, to finite logits.
  auto prepared = backends::make_backend("reference")->prepare(*g, {});
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  const auto n = static_cast<size_t>(ir::num_elements(g->value(g->inputs()[0]).shape));
  ASSERT_TRUE((*prepared)->set_input(0, std::vector<float>(n, 0.5f)).ok());
  ASSERT_TRUE((*prepared)->run().ok());
  const auto logits = (*prepared)->outputs().at(0);
  ASSERT_EQ(logits.size(), 10u);
  for (float v : logits) EXPECT_TRUE(std::isfinite(v));
  bool has_matmul = false;
  for (const auto& rules_name : fusion::builtin_rule_set_names()) {
    auto rules = fusion::load_rule_set(rules_name);
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    auto kernels = fusion::detect_kernels(*g, *rules);
    ASSERT_TRUE(kernels.ok()) << rules_name << ": " << kernels.error().message;
    EXPECT_GT(kernels->size(), 10u) << rules_name;
    for (const auto& k : *kernels) has_matmul |= k.type == "matmul";
  }
  EXPECT_TRUE(has_matmul) << "the attention's matmuls are kernels of their own";
}

// MobileViT at 96: its last stage's 3x3 map is not a multiple of the 2x2 patch, so the block
// resizes up and back, as ml-cvnets does.
INSTANTIATE_TEST_SUITE_P(Smallest, HybridZoo,
                         ::testing::Values(Small{"levit_128s", 64}, Small{"efficientformer_l1", 64},
                                           Small{"mobilevit_xx_small", 96}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(HybridZoo, FamiliesAreRegistered) {
  for (const char* family : {"LeViT", "EfficientFormer", "MobileViT"}) {
    int n = 0;
    for (const auto& e : zoo_entries()) n += e.family == family;
    EXPECT_GE(n, 3) << family;
  }
}

// EfficientFormer's released attention computes q, k and v with one linear layer split per
// head: the same MACs and parameters as three, one fully_connected instead of three.
TEST(HybridZoo, FusedQkvCostsTheSameAsThreeProjections) {
  auto build = [](bool fused) {
    return ir::GraphBuilder::run([&] {
      ir::GraphBuilder b("attn");
      auto x = b.input({1, 49, 64});
      tfm::AttentionSpec spec;
      spec.heads = 4;
      spec.qk_dim = 32;
      spec.v_dim = 128;
      spec.fused_qkv = fused;
      return b.finish({tfm::self_attention(b, x, spec)});
    });
  };
  auto fused = build(true);
  auto separate = build(false);
  ASSERT_TRUE(fused.ok()) << fused.error().message;
  ASSERT_TRUE(separate.ok()) << separate.error().message;
  const auto a = ir::graph_cost(*fused).total;
  const auto c = ir::graph_cost(*separate).total;
  EXPECT_EQ(a.macs, c.macs);
  EXPECT_EQ(a.params, c.params);
  auto count_fc = [](const ir::Graph& g) {
    int n = 0;
    for (const auto& node : g.nodes()) n += node.op == ir::OpKind::kFullyConnected;
    return n;
  };
  EXPECT_EQ(count_fc(*fused), 2);  // qkv and the output projection
  EXPECT_EQ(count_fc(*separate), 4);
  EXPECT_EQ(fused->value(fused->outputs()[0]).shape, (ir::Shape{1, 49, 64}));
}

// The public phone benchmark (data/mobile-ml-benchmark, README there) times the released
// checkpoints of these families and lists their FLOPs (2 x MACs) and file size in bytes. MACs
// agree within 1.5% (measured: within 0.6%). The file size over 4 bytes is not the parameter
// count: size/4 may exceed the parameters (not traced; likely what the export keeps besides
// weights: batch-norm statistics, LeViT's gathered attention biases and index tables,
// container overhead) by `size_slack` (set a little above what was measured: LeViT-128 +5.3%,
// MobileViT-XXS's TFLite file +2.9%, EfficientFormer +0.3% at most), and never falls short of
// them by more than 1.5%.
struct DatasetRow {
  const char* checkpoint;
  double size_slack;
  // Parameters the benchmark's checkpoint lacks: the benchmark loads EfficientFormer through
  // the single-head Hugging Face class, without the distillation head (448/512/768 x 1000 +
  // 1000; its MACs, 0.4-0.8M, are within rounding).
  int64_t missing_params = 0;
};

std::map<std::string, std::pair<double, double>> read_flops_and_size(const std::string& file) {
  std::ifstream in(std::string(NNLAT_SOURCE_DIR) + "/data/mobile-ml-benchmark/" + file);
  std::map<std::string, std::pair<double, double>> rows;
  std::string line;
  std::getline(in, line);  // header: model,FLOPS,size,...
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, flops, size;
    std::getline(ss, name, ',');
    std::getline(ss, flops, ',');
    std::getline(ss, size, ',');
    rows[name] = {std::stod(flops), std::stod(size)};
  }
  return rows;
}

class HybridZooDataset : public ::testing::TestWithParam<DatasetRow> {};

TEST_P(HybridZooDataset, MatchesTheBenchmarksFlopsAndSize) {
  const DatasetRow& row = GetParam();
  const auto ref = zoo_ref_for_checkpoint(row.checkpoint);
  ASSERT_TRUE(ref.has_value()) << row.checkpoint << " has no zoo reference";
  auto g = build_zoo_model(*ref, {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  const auto cost = ir::graph_cost(*g).total;
  const double macs = static_cast<double>(cost.macs);
  const double params = static_cast<double>(cost.params - row.missing_params);
  int found = 0;
  for (const char* file : {"tflite_transformer_e2e.csv", "torch_transformer_e2e.csv"}) {
    const auto rows = read_flops_and_size(file);
    const auto it = rows.find(row.checkpoint);
    if (it == rows.end()) continue;
    ++found;
    const auto [flops, size] = it->second;
    EXPECT_NEAR(macs / (flops / 2), 1.0, 0.015)
        << file << " " << row.checkpoint << ": " << macs / 1e6 << "M MACs vs " << flops / 2e6 << "M";
    const double file_params = size / 4;
    EXPECT_GE(file_params, params * (1 - 0.015))
        << file << " " << row.checkpoint << ": " << params / 1e6 << "M params vs size/4 " << file_params / 1e6 << "M";
    EXPECT_LE(file_params, params * (1 + row.size_slack))
        << file << " " << row.checkpoint << ": " << params / 1e6 << "M params vs size/4 " << file_params / 1e6 << "M";
  }
  EXPECT_GT(found, 0) << row.checkpoint << " is in neither transformer file";
}

INSTANTIATE_TEST_SUITE_P(Checkpoints, HybridZooDataset,
                         ::testing::Values(DatasetRow{"levit-128S", 0.025}, DatasetRow{"levit-128", 0.06},
                                           DatasetRow{"levit-192", 0.04}, DatasetRow{"levit-256", 0.03},
                                           DatasetRow{"levit-384", 0.02},
                                           DatasetRow{"efficientformer-l1-300", 0.01, 448 * 1000 + 1000},
                                           DatasetRow{"efficientformer-l3-300", 0.01, 512 * 1000 + 1000},
                                           DatasetRow{"efficientformer-l7-300", 0.01, 768 * 1000 + 1000},
                                           DatasetRow{"mobilevit-xx-small", 0.035},
                                           DatasetRow{"mobilevit-x-small", 0.02}, DatasetRow{"mobilevit-small", 0.01}),
                         [](const auto& info) {
                           std::string name = info.param.checkpoint;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace nnlat::models
