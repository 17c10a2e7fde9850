// Block spaces (src/models/nas/block_space.hpp): the sampler is seeded and distinct, every
// block kind shows up, graphs verify and carry their family, encodings are checked and
// canonical, and the generated blocks are the zoo's own.
#include <gtest/gtest.h>

#include <set>

#include "nnlat/ir/cost.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {

const std::vector<std::string> kKinds = {"shuffle", "grouped", "fire", "dense", "inception", "se", "largedw"};

std::set<ir::OpKind> op_kinds(const ir::Graph& g) {
  std::set<ir::OpKind> kinds;
  for (const auto& node : g.nodes()) kinds.insert(node.op);
  return kinds;
}

TEST(NasBlocks, EverySpaceIsListed) {
  const auto names = space_names();
  for (const auto& k : kKinds) EXPECT_NE(std::find(names.begin(), names.end(), k), names.end()) << k;
  EXPECT_NE(std::find(names.begin(), names.end(), "mixed"), names.end());
}

TEST(NasBlocks, SamplesAreSeededDistinctAndVerify) {
  for (const auto& space : kKinds) {
    auto a = sample_space(space, 12, 3);
    auto b = sample_space(space, 12, 3);
    auto c = sample_space(space, 12, 4);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << space;
    EXPECT_EQ(*a, *b) << space;
    EXPECT_NE(*a, *c) << space;
    // A shorter list is a prefix of a longer one.
    auto shorter = sample_space(space, 5, 3);
    ASSERT_TRUE(shorter.ok());
    EXPECT_TRUE(std::equal(shorter->begin(), shorter->end(), a->begin())) << space;
    std::set<std::string> hashes;
    for (const auto& enc : *a) {
      ASSERT_EQ(*canonicalize_encoding(space, enc), enc);
      auto g = build_space_graph(space, enc, {});
      ASSERT_TRUE(g.ok()) << space << ":" << enc << ": " << g.error().message;
      EXPECT_TRUE(ir::verify(*g).ok());
      EXPECT_EQ(g->name, space + ":" + enc);
      EXPECT_EQ(g->metadata.at("family"), "blocks-" + space);
      EXPECT_EQ(g->metadata.at("space"), space);
      hashes.insert(g->metadata.at("hash"));
      const auto cost = ir::graph_cost(*g).total;
      EXPECT_GT(cost.macs, 1'000'000) << enc;
      EXPECT_LT(cost.macs, 3'000'000'000) << enc;
      EXPECT_EQ(g->value(g->outputs()[0]).shape, (ir::Shape{1, 1000}));
    }
    EXPECT_EQ(hashes.size(), 12u) << space;
  }
}

// The ops that tell each kind apart appear in its samples; "mixed" draws every kind.
TEST(NasBlocks, EveryBlockKindAppears) {
  auto has = [](const std::string& space, auto&& test) {
    auto encodings = sample_space(space, 6, 1);
    EXPECT_TRUE(encodings.ok());
    for (const auto& enc : *encodings) {
      auto g = build_space_graph(space, enc, {});
      EXPECT_TRUE(g.ok()) << enc;
      if (g.ok() && test(*g, enc)) return true;
    }
    return false;
  };
  using ir::OpKind;
  EXPECT_TRUE(has("shuffle", [](const ir::Graph& g, auto&) {
    return op_kinds(g).contains(OpKind::kChannelShuffle) && op_kinds(g).contains(OpKind::kSplit);
  }));
  EXPECT_TRUE(has("se", [](const ir::Graph& g, auto&) { return op_kinds(g).contains(OpKind::kMul); }));
  EXPECT_TRUE(has("dense", [](const ir::Graph& g, auto&) { return op_kinds(g).contains(OpKind::kConcat); }));
  EXPECT_TRUE(has("largedw", [](const ir::Graph& g, const std::string& enc) {
    return op_kinds(g).contains(OpKind::kDepthwiseConv2d) && enc.find(".k9.") != std::string::npos;
  }));
  auto mixed = sample_space("mixed", 40, 2);
  ASSERT_TRUE(mixed.ok());
  std::set<std::string> kinds_seen;
  std::set<std::string> group_counts;
  for (const auto& enc : *mixed) {
    for (const auto& k : kKinds) {
      if (enc.find("-" + k + ".") != std::string::npos) kinds_seen.insert(k);
    }
    for (size_t at = enc.find("grouped."); at != std::string::npos; at = enc.find("grouped.", at + 1)) {
      const size_t g = enc.find(".g", at + 8);
      group_counts.insert(enc.substr(g, enc.find_first_of(".-", g + 1) - g));
    }
    ASSERT_TRUE(build_space_graph("mixed", enc, {}).ok()) << enc;
  }
  EXPECT_EQ(kinds_seen.size(), kKinds.size());
  EXPECT_GE(group_counts.size(), 4u);  // many group counts, not one
}

TEST(NasBlocks, ReferencesRebuildTheSameNetwork) {
  auto encodings = sample_space("mixed", 3, 9);
  ASSERT_TRUE(encodings.ok());
  for (const auto& enc : *encodings) {
    auto direct = build_space_graph("mixed", enc, {});
    auto by_ref = load_model("space:mixed:" + enc);
    ASSERT_TRUE(direct.ok() && by_ref.ok()) << enc;
    EXPECT_EQ(direct->name, by_ref->name);
    EXPECT_EQ(ir::graph_cost(*direct).total.macs, ir::graph_cost(*by_ref).total.macs);
  }
}

TEST(NasBlocks, EncodingIsCanonicalAndChecked) {
  // Fields in any order; the canonical form lists them in a fixed one.
  auto canon = canonicalize_encoding("mixed", "r128-s16-se.hswish.r4.c32.d2.k5.e3-grouped.g4.d1.c64-h0");
  ASSERT_TRUE(canon.ok()) << canon.error().message;
  EXPECT_EQ(*canon, "r128-s16-se.c32.d2.k5.e3.r4.hswish-grouped.c64.d1.g4-h0");
  EXPECT_EQ(*canonicalize_encoding("mixed", *canon), *canon);
  auto expect_error = [](const std::string& space, const std::string& enc, std::string_view needle) {
    auto r = canonicalize_encoding(space, enc);
    ASSERT_FALSE(r.ok()) << enc;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error("shuffle", "r128-s16-fire.c64.d1.q8-h0", "this space holds only shuffle stages");
  expect_error("mixed", "r128-s16-conv.c64.d1-h0", "unknown block kind 'conv'");
  expect_error("mixed", "r128-s16-fire.c64.d1-h0", "field 'q' is missing");
  expect_error("mixed", "r128-s16-fire.c64.d1.q8.q4-h0", "unknown or repeated field 'q4'");
  expect_error("mixed", "r128-s16-fire.c64.d1.k3.q8-h0", "unknown or repeated field 'k3' (fire takes c, d, q)");
  expect_error("mixed", "r128-s16-grouped.c64.d1.g5-h0", "g (groups) must divide c");
  expect_error("mixed", "r128-s16-largedw.c64.d1.k8.e3.relu-h0", "k must be odd");
  expect_error("mixed", "r128-s16-se.c64.d1.k3.e3.r4.gelu-h0",
               "unknown or repeated field 'gelu' (se takes c, d, k, e, r, act)");
  expect_error("mixed", "r128-s16-se.c64.d1.k3.e3.r4-h0", "field 'act' is missing");
  expect_error("mixed", "r128-s16-se.c64.d1.k3.e3.r4.act1-h0", "write the activation bare");
  expect_error("mixed", "r16-s16-inception.c64.d1-inception.c64.d1-inception.c64.d1-inception.c64.d1-h0",
               "resolution r16 must be in [32, 1024] for 4 stages");
  expect_error("mixed", "r128-s16-h0", "too few parts");
  expect_error("mixed", "x128-s16-fire.c64.d1.q8-h0", "expected 'r<resolution>-s<stem>");
  expect_error("mixed", "r128-s16-fire.c64.d1x.q8-h0", "field 'd1x' needs an integer after 'd'");
  expect_error("mixed", "r128-s16-fire.c64.dx.q8-h0", "unknown or repeated field 'dx'");
  EXPECT_FALSE(sample_space("blocks", 3, 1).ok());
  auto unknown = sample_space("blocks", 3, 1);
  EXPECT_NE(unknown.error().message.find("largedw"), std::string::npos) << unknown.error().message;
}

// The shuffle, fire, inception, grouped and dense stages are the zoo's blocks: one stage of
// a kind costs what the zoo's block costs at the same shapes.
TEST(NasBlocks, BlocksAreTheZoosBlocks) {
  // SqueezeNet's fire2 (squeeze 16, expands 64 + 64) on 64 channels: 11,920 weights + biases.
  auto fire = build_space_graph("fire", "r64-s64-fire.c128.d1.q8-h0", {});
  auto shuffle = build_space_graph("shuffle", "r64-s24-shuffle.c116.d2.k3-h0", {});
  ASSERT_TRUE(fire.ok() && shuffle.ok());
  const auto kinds = op_kinds(*shuffle);
  EXPECT_TRUE(kinds.contains(ir::OpKind::kChannelShuffle));
  EXPECT_TRUE(kinds.contains(ir::OpKind::kSplit));
  // stem 3x3x3x64 + BN(2x64), fire (16x64+16 + 64x16+64 + 64x16x9+64), classifier 128x1000+1000.
  const int64_t stem = 3 * 3 * 3 * 64 + 2 * 64;
  const int64_t fire_params = (16 * 64 + 16) + (64 * 16 + 64) + (64 * 16 * 9 + 64);
  EXPECT_EQ(ir::graph_cost(*fire).total.params, stem + fire_params + 128 * 1000 + 1000);
}

}  // namespace
}  // namespace nnlat::models
