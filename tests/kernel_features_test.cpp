// The feature schema: pure, versioned, and identical whether a kernel is read inside its
// network or from the standalone kernel graph that profiling stores.
#include "nnlat/features/kernel_features.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/models/kernel_sampler.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat {
namespace {

using features::KernelFamily;

TEST(FeatureSchema, EveryFamilyFitsAndNamesAreUnique) {
  for (auto f : features::all_families()) {
    const auto& names = features::feature_names(f);
    EXPECT_LE(names.size(), features::kMaxFeatures) << features::family_name(f);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << features::family_name(f);
    auto parsed = features::parse_family(features::family_name(f));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, f);
  }
  const features::TargetContext gpu{1, true};
  for (auto f : features::all_families()) {
    const auto& names = features::feature_names(f, gpu);
    EXPECT_LE(names.size(), features::kMaxFeatures) << features::family_name(f);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << features::family_name(f);
    EXPECT_EQ(names.size(), features::feature_names(f).size() + features::gpu_feature_names(f).size());
  }
  EXPECT_FALSE(features::parse_family("convolution").ok());
  EXPECT_EQ(features::schema_hash(), features::schema_hash());
  EXPECT_EQ(features::schema_hash().size(), 16u);
}

TEST(FeatureSchema, FamiliesFollowTheAnchorOp) {
  EXPECT_EQ(features::family_of(ir::OpKind::kConv2d), KernelFamily::kConv);
  EXPECT_EQ(features::family_of(ir::OpKind::kDepthwiseConv2d), KernelFamily::kDepthwise);
  EXPECT_EQ(features::family_of(ir::OpKind::kMatMul), KernelFamily::kFullyConnected);
  EXPECT_EQ(features::family_of(ir::OpKind::kGlobalAvgPool), KernelFamily::kGlobalPool);
  EXPECT_EQ(features::family_of(ir::OpKind::kHardSwish), KernelFamily::kElementwise);
  EXPECT_EQ(features::family_of(ir::OpKind::kFlatten), KernelFamily::kDataMovement);
  EXPECT_EQ(features::family_of(ir::OpKind::kSoftmax), KernelFamily::kOther);
}

TEST(FeatureSchema, ThreadsComeFromTheTargetConfig) {
  EXPECT_EQ(features::target_context_from_config("xnnpack-t2-a0.1").threads, 2);
  EXPECT_EQ(features::target_context_from_config("xnnpack-t12").threads, 12);
  EXPECT_EQ(features::target_context_from_config("gpu").threads, 1);
  EXPECT_EQ(features::target_context_from_config("4small").threads, 1);
}

TEST(FeatureSchema, GpuTargetsAreToldFromTheirConfig) {
  for (const char* config : {"gpu", "opencl-pocl", "torch-vulkan", "torch-metal"}) {
    EXPECT_TRUE(features::target_context_from_config(config).gpu) << config;
  }
  for (const char* config : {"4small", "xnnpack-t2-a0.1", "torch-1large", "1large"}) {
    EXPECT_FALSE(features::target_context_from_config(config).gpu) << config;
  }
}

// On a GPU target a convolution also carries its channel alignment (730 and 782 channels:
// 2, 1024: capped at 32) and a trailing "repeat"; elsewhere it carries neither.
TEST(KernelFeatures, GpuTargetsAddChannelAlignmentAndRepeat) {
  ir::GraphBuilder b("conv");
  const ir::Graph g = b.finish({b.conv(b.input({1, 730, 7, 7}), 1024, 1)});
  const features::TargetContext gpu{1, true};
  auto on_gpu = features::extract_kernel_graph_features(g, gpu);
  auto on_cpu = features::extract_kernel_graph_features(g, {1});
  ASSERT_TRUE(on_gpu.ok() && on_cpu.ok());
  const auto& names = features::feature_names(KernelFamily::kConv, gpu);
  ASSERT_EQ(on_gpu->count, names.size());
  ASSERT_EQ(on_cpu->count, features::feature_names(KernelFamily::kConv).size());
  for (size_t i = 0; i < on_cpu->count; ++i) EXPECT_EQ(on_gpu->values[i], on_cpu->values[i]) << names[i];
  auto value = [&](const std::string& n) {
    return on_gpu->values[static_cast<size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
  };
  EXPECT_EQ(value("in_channels_alignment"), 1);  // 730 = 2 x 365
  EXPECT_EQ(value("out_channels_alignment"), 5);
  EXPECT_EQ(value("repeat"), 0);
}

// "repeat" marks the second and later of identical kernels in a network, on GPU targets only.
TEST(KernelFeatures, RepeatMarksIdenticalKernelsAfterTheFirst) {
  ir::GraphBuilder b("net");
  auto x = b.input({1, 64, 14, 14});
  auto y = b.conv(x, 64, 3, 1, 1, false);
  y = b.conv(y, 64, 3, 1, 1, false);
  y = b.conv(y, 128, 3, 1, 1, false);
  const ir::Graph g = b.finish({b.conv(y, 64, 3, 1, 1, false)});
  auto rules = fusion::load_rule_set("torch-vulkan");
  ASSERT_TRUE(rules.ok());
  const features::TargetContext gpu{1, true};
  auto on_gpu = predictors::decompose(g, *rules, gpu, false, false);
  auto full = predictors::decompose(g, *rules, gpu, true, true);
  auto on_cpu = predictors::decompose(g, *rules, {1}, false, false);
  ASSERT_TRUE(on_gpu.ok() && full.ok() && on_cpu.ok());
  ASSERT_EQ(on_gpu->features.size(), 4u);
  std::vector<float> repeats;
  for (size_t i = 0; i < 4; ++i) {
    const auto& f = on_gpu->features[i];
    repeats.push_back(f.values[f.count - 1]);
    EXPECT_EQ(f.fingerprint(), full->features[i].fingerprint()) << "kernel " << i;
    EXPECT_EQ(on_cpu->features[i].count, features::feature_names(f.family).size());
  }
  // The 64->128 convolution differs from the 64->64 ones; the last 128->64 is new too.
  EXPECT_EQ(repeats, (std::vector<float>{0, 1, 0, 0}));
}

// Every kernel of several real networks: the features from the network equal those of its
// standalone kernel graph after a JSON round trip (what the store holds), bit for bit.
TEST(KernelFeatures, SameInsideTheNetworkAndStandalone) {
  auto rules = fusion::load_rule_set("xnnpack");
  ASSERT_TRUE(rules.ok());
  auto nb201 = models::sample_space("nb201", 1, 3);
  ASSERT_TRUE(nb201.ok());
  std::vector<ir::Graph> nets;
  for (const char* name : {"mobilenet_v2", "resnet18", "shufflenet_v2", "mobilenet_v3_small"}) {
    auto g = models::build_zoo_model(name, {});
    ASSERT_TRUE(g.ok()) << name;
    nets.push_back(std::move(*g));
  }
  auto g = models::build_space_graph("nb201", nb201->front(), {});
  ASSERT_TRUE(g.ok());
  nets.push_back(std::move(*g));
  const features::TargetContext ctx{2};
  size_t checked = 0;
  std::set<KernelFamily> families;
  for (const auto& net : nets) {
    auto kernels = fusion::detect_kernels(net, *rules);
    ASSERT_TRUE(kernels.ok());
    for (const auto& k : *kernels) {
      const auto inside = features::extract_features(net, k, ctx);
      auto kg = fusion::kernel_graph(net, k);
      ASSERT_TRUE(kg.ok());
      auto reread = formats::graph_from_json(formats::graph_to_json(*kg), "kernel");
      ASSERT_TRUE(reread.ok());
      auto standalone = features::extract_kernel_graph_features(*reread, ctx);
      ASSERT_TRUE(standalone.ok());
      ASSERT_EQ(inside.family, standalone->family) << net.name << " " << k.name;
      ASSERT_EQ(inside.count, features::feature_names(inside.family).size());
      ASSERT_EQ(inside.count, standalone->count);
      for (size_t i = 0; i < inside.count; ++i) {
        ASSERT_EQ(inside.values[i], standalone->values[i])
            << net.name << " " << k.name << " " << features::feature_names(inside.family)[i];
      }
      EXPECT_EQ(inside.fingerprint(), standalone->fingerprint());
      EXPECT_EQ(inside.macs, standalone->macs);
      EXPECT_EQ(inside.values[0], 2.0f);  // threads
      families.insert(inside.family);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
  EXPECT_GE(families.size(), 5u);
}

// The allocation-free path (no kernel list) gives exactly the features of the full one.
TEST(KernelFeatures, FastDecompositionMatchesTheFullOne) {
  auto rules = fusion::load_rule_set("xnnpack");
  for (const char* name : {"mobilenet_v2", "ghostnet", "shufflenet_v2"}) {
    auto g = models::build_zoo_model(name, {});
    ASSERT_TRUE(g.ok());
    auto full = predictors::decompose(*g, *rules, {1}, false, true);
    auto fast = predictors::decompose(*g, *rules, {1}, false, false);
    ASSERT_TRUE(full.ok() && fast.ok());
    EXPECT_TRUE(fast->kernels.empty());
    ASSERT_EQ(full->features.size(), fast->features.size()) << name;
    ASSERT_EQ(full->kernels.size(), full->features.size());
    for (size_t i = 0; i < full->features.size(); ++i) {
      EXPECT_EQ(full->features[i].fingerprint(), fast->features[i].fingerprint()) << name << " kernel " << i;
    }
    EXPECT_EQ(full->macs, fast->macs);
    EXPECT_EQ(full->params, fast->params);
  }
}

// The memo key of the fast path: equal keys must mean equal features, and a change in any
// input the features read must change the key.
TEST(KernelFeatures, StructureKeysSeparateWhatFeaturesSeparate) {
  auto rules = fusion::load_rule_set("xnnpack");
  std::map<uint64_t, uint64_t> fingerprint_of_key;
  std::set<uint64_t> fingerprints;
  for (const char* name : {"mobilenet_v2", "resnet18", "ghostnet", "efficientnet_b0"}) {
    auto g = models::build_zoo_model(name, {});
    ASSERT_TRUE(g.ok());
    auto kernels = fusion::detect_kernels(*g, *rules);
    for (const auto& k : *kernels) {
      const auto f = features::extract_features(*g, k, {1});
      const uint64_t key = features::kernel_structure_key(*g, k.nodes, {1});
      auto [it, inserted] = fingerprint_of_key.emplace(key, f.fingerprint());
      if (!inserted) {
        EXPECT_EQ(it->second, f.fingerprint()) << name << " " << k.name;
      }
      fingerprints.insert(f.fingerprint());
      EXPECT_NE(key, features::kernel_structure_key(*g, k.nodes, {2}));  // threads are part of it
    }
  }
  EXPECT_GE(fingerprint_of_key.size(), fingerprints.size());
  ir::GraphBuilder a("a");
  const ir::Graph ga = a.finish({a.conv(a.input({1, 8, 16, 16}), 16, 3)});
  ir::GraphBuilder b("b");
  const ir::Graph gb = b.finish({b.conv(b.input({1, 8, 16, 16}), 16, 3, 2)});  // stride 2
  const std::vector<ir::NodeId> only{ir::NodeId{0}};
  EXPECT_NE(features::kernel_structure_key(ga, only, {1}), features::kernel_structure_key(gb, only, {1}));
}

TEST(KernelFeatures, ConvFeaturesDescribeTheLayer) {
  ir::GraphBuilder b("conv");
  auto x = b.input({1, 32, 28, 28});
  const ir::Graph g = b.finish({b.activation(b.conv(x, 64, 3, 2, 1, true), ir::Act::kRelu)});
  auto f = features::extract_kernel_graph_features(g, {1});
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->family, KernelFamily::kConv);
  const auto& names = features::feature_names(KernelFamily::kConv);
  auto value = [&](const std::string& n) {
    return f->values[static_cast<size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
  };
  EXPECT_EQ(value("in_channels"), 32);
  EXPECT_EQ(value("out_channels"), 64);
  EXPECT_EQ(value("out_h"), 14);
  EXPECT_EQ(value("kernel_h"), 3);
  EXPECT_EQ(value("stride"), 2);
  EXPECT_EQ(value("tail_ops"), 1);
  EXPECT_EQ(value("tail_activation"), 1);
  EXPECT_EQ(f->macs, int64_t{64} * 14 * 14 * 32 * 9);
}

TEST(KernelSampler, AroundNetworksGivesNewNearbyKernels) {
  auto net = models::build_zoo_model("mobilenet_v2", {});
  ASSERT_TRUE(net.ok());
  auto sampled = models::sample_kernels_around({*net}, "xnnpack", 40, 7);
  ASSERT_TRUE(sampled.ok()) << sampled.error().message;
  EXPECT_EQ(sampled->size(), 40u);
  auto rules = fusion::load_rule_set("xnnpack");
  auto kernels = fusion::detect_kernels(*net, *rules);
  std::set<std::string> own;
  for (const auto& k : *kernels) own.insert(fusion::kernel_hash(*fusion::kernel_graph(*net, k)));
  std::set<std::string> seen;
  for (const auto& g : *sampled) {
    EXPECT_TRUE(ir::verify(g).ok());
    const auto h = fusion::kernel_hash(g);
    EXPECT_FALSE(own.contains(h));
    EXPECT_TRUE(seen.insert(h).second);
  }
  auto again = models::sample_kernels_around({*net}, "xnnpack", 40, 7);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(fusion::kernel_hash(again->front()), fusion::kernel_hash(sampled->front()));
}

}  // namespace
}  // namespace nnlat
