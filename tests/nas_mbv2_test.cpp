// MobileNetV2-style block space: encoding rules, the MobileNetV2 reference point and the
// sampler.
#include <gtest/gtest.h>

#include <set>

#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::models {
namespace {

std::string repeat(const std::string& token) {
  std::string s;
  for (int i = 0; i < 16; ++i) s += (i ? "-" : "") + token;
  return s;
}

TEST(NasMbv2, AllK3E6IsMobileNetV2) {
  auto g = build_space_graph("mbv2", repeat("k3e6"), {});
  auto ref = build_zoo_model("mobilenet_v2", {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  const auto a = ir::graph_cost(*g).total;
  const auto b = ir::graph_cost(*ref).total;
  EXPECT_EQ(a.macs, b.macs);
  EXPECT_EQ(a.params, b.params);
  // MobileNetV2 1.0-224: 300 M multiply-adds, 3.4 M parameters (paper, table 4).
  EXPECT_NEAR(static_cast<double>(a.macs) / 1e6, 300.0, 6.0);
  EXPECT_NEAR(static_cast<double>(a.params) / 1e6, 3.5, 0.1);
}

TEST(NasMbv2, ChoicesMoveCostsTheRightWay) {
  const std::string base = repeat("k3e6");
  auto cost = [](const std::string& enc) {
    auto g = build_space_graph("mbv2", enc, {});
    EXPECT_TRUE(g.ok()) << enc << ": " << (g.ok() ? "" : g.error().message);
    return g.ok() ? ir::graph_cost(*g).total : ir::OpCost{};
  };
  const auto b = cost(base);
  EXPECT_GT(cost(repeat("k7e6")).macs, b.macs);
  EXPECT_LT(cost(repeat("k3e3")).macs, b.macs);
  EXPECT_GT(cost(repeat("k3e6se")).params, b.params);
  EXPECT_EQ(cost(repeat("k3e6hs")).macs, b.macs);
  // Skipping the second layer of the 24-channel stage removes one block.
  std::string skipped = "k3e6-skip" + base.substr(9);
  EXPECT_LT(cost(skipped).macs, b.macs);
  SpaceOptions o;
  o.resolution = 160;
  o.num_classes = 10;
  auto small = build_space_graph("mbv2", base, o);
  ASSERT_TRUE(small.ok());
  EXPECT_LT(ir::graph_cost(*small).total.macs, b.macs);
  EXPECT_EQ(small->value(small->outputs()[0]).shape, (ir::Shape{1, 10}));
}

TEST(NasMbv2, EncodingIsValidatedAndCanonical) {
  auto canon = canonicalize_encoding("mbv2", "k5e3hsse-" + repeat("k3e6").substr(5));
  ASSERT_TRUE(canon.ok()) << canon.error().message;
  EXPECT_EQ(canon->substr(0, 9), "k5e3sehs-");
  EXPECT_EQ(*canonicalize_encoding("mbv2", *canon), *canon);
  auto expect_error = [](const std::string& enc, std::string_view needle) {
    auto r = canonicalize_encoding("mbv2", enc);
    ASSERT_FALSE(r.ok()) << enc;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error("skip-" + repeat("k3e6").substr(5),
               "layer 0 (stage 0, 24 channels, stride 2) 'skip': 'skip' is allowed only");
  // Layer 5 is the first of the 64-channel stage.
  std::string s = repeat("k3e6");
  s.replace(5 * 5, 4, "skip");
  expect_error(s, "layer 5 (stage 2, 64 channels, stride 2)");
  expect_error(repeat("k3e6").substr(5), "expected 16 layer tokens");
  expect_error("k4e6-" + repeat("k3e6").substr(5), "kernel must be 3, 5 or 7");
  expect_error("k3e4-" + repeat("k3e6").substr(5), "expansion must be 1, 3 or 6");
  expect_error("k3e6sese-" + repeat("k3e6").substr(5), "unknown or repeated flag");
  expect_error("conv-" + repeat("k3e6").substr(5), "expected 'skip' or 'k<3|5|7>e<1|3|6>[se][hs]'");
  // 'skip' where the stride is 1 and the channels match is fine.
  std::string ok = repeat("k3e6");
  ok.replace(5, 4, "skip");
  EXPECT_TRUE(canonicalize_encoding("mbv2", ok).ok());
}

TEST(NasMbv2, SampledArchitecturesBuildAndAreDistinct) {
  auto a = sample_space("mbv2", 100, 5);
  auto b = sample_space("mbv2", 100, 5);
  auto c = sample_space("mbv2", 100, 6);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(std::set<std::string>(a->begin(), a->end()).size(), 100u);
  std::set<std::string> hashes;
  for (const auto& enc : *a) {
    ASSERT_EQ(*canonicalize_encoding("mbv2", enc), enc);
    auto g = build_space_graph("mbv2", enc, {});
    ASSERT_TRUE(g.ok()) << enc << ": " << g.error().message;
    ASSERT_TRUE(ir::verify(*g).ok());
    EXPECT_EQ(g->name, "mbv2:" + enc);
    hashes.insert(g->metadata.at("hash"));
    const auto cost = ir::graph_cost(*g).total;
    EXPECT_GT(cost.macs, 50'000'000) << enc;
    EXPECT_LT(cost.macs, 2'000'000'000) << enc;
  }
  EXPECT_EQ(hashes.size(), 100u);
}

// Pinned first draws for seed 1: std::mt19937_64 and the bounded draw are fully specified,
// so these are the same on every platform and compiler; a change here changes every
// stored sample list.
TEST(NasSpaces, SamplersArePinnedAcrossPlatforms) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> golden = {
      {"nb101",
       {"ops=in,mp,c3,c1,c3,mp,out;adj=0100000,0010000,0001100,0000111,0000010,0000001,0000000",
        "ops=in,c3,c1,c1,mp,c3,out;adj=0110011,0000100,0001000,0000001,0000010,0000001,0000000"}},
      {"nb201",
       {"|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|nor_conv_3x3~1|avg_pool_3x3~2|",
        "|skip_connect~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|skip_connect~1|avg_pool_3x3~2|"}},
      {"mbv2",
       {"k7e3sehs-k7e3sehs-k3e1hs-k5e3sehs-k5e1sehs-k3e6sehs-k7e6hs-k5e3se-k3e6-k5e3-k5e1se-k5e3-k7e3-k7e3hs-k7e1sehs-"
        "k3e1se",
        "k5e3se-k7e6sehs-k7e6sehs-skip-k5e3se-k5e3sehs-k7e1-k5e6hs-k7e6sehs-k3e6-k7e3hs-k7e3hs-k7e3sehs-k5e6hs-skip-"
        "k5e3se"}},
      {"mixed",
       {"r176-s16-se.c16.d2.k7.e3.r16.hswish-se.c48.d2.k7.e1.r16.hswish-dense.c176.d3.gr16-h1024",
        "r192-s32-dense.c32.d4.gr24-dense.c32.d2.gr32-fire.c64.d2.q8-h1280"}}};
  for (const auto& [space, expected] : golden) {
    auto got = sample_space(space, 2, 1);
    ASSERT_TRUE(got.ok()) << space;
    EXPECT_EQ(*got, expected) << space;
  }
}

TEST(NasSpaces, NamesAndUnknownSpace) {
  EXPECT_EQ(space_names(), (std::vector<std::string>{"nb101", "nb201", "mbv2", "shuffle", "grouped", "fire", "dense",
                                                     "inception", "se", "largedw", "mixed"}));
  for (const auto& space : space_names()) {
    auto one = sample_space(space, 3, 11);
    ASSERT_TRUE(one.ok()) << space;
    for (const auto& enc : *one) EXPECT_TRUE(build_space_graph(space, enc, {}).ok()) << space << " " << enc;
  }
  auto bad = sample_space("darts", 1, 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("nb101, nb201, mbv2"), std::string::npos);
}

}  // namespace
}  // namespace nnlat::models
