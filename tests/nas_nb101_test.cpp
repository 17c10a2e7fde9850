// NAS-Bench-101 space: the benchmark's pruning, validity rules, module hash and network
// skeleton, checked against figures from the benchmark's dataset.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "models/nas/nas_internal.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {

// The first cell of the NAS-Bench-101 dataset (hash_iterator order): its fixed metrics
// are module hash 00005c142e6f48ac74fdcf73e3439874 and 8,555,530 trainable parameters.
constexpr const char* kDatasetSpec = R"({
  "matrix": [[0, 1, 0, 0, 1, 1, 0],
             [0, 0, 1, 0, 0, 0, 0],
             [0, 0, 0, 1, 0, 0, 1],
             [0, 0, 0, 0, 0, 1, 0],
             [0, 0, 0, 0, 0, 1, 0],
             [0, 0, 0, 0, 0, 0, 1],
             [0, 0, 0, 0, 0, 0, 0]],
  "ops": ["input", "conv3x3-bn-relu", "maxpool3x3", "conv3x3-bn-relu", "conv3x3-bn-relu", "conv1x1-bn-relu",
          "output"]})";

std::string spec_json(const std::vector<std::vector<int>>& m, const std::vector<std::string>& ops) {
  std::string s = "{\"matrix\": [";
  for (size_t i = 0; i < m.size(); ++i) {
    s += i ? ",[" : "[";
    for (size_t j = 0; j < m[i].size(); ++j) s += (j ? "," : "") + std::to_string(m[i][j]);
    s += "]";
  }
  s += "], \"ops\": [";
  for (size_t i = 0; i < ops.size(); ++i) s += (i ? ",\"" : "\"") + ops[i] + "\"";
  return s + "]}";
}

TEST(NasMd5, MatchesRfc1321Vectors) {
  EXPECT_EQ(nas::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(nas::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(nas::md5_hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(nas::md5_hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(NasUniform, IsInRangeAndDeterministic) {
  std::mt19937_64 a(7), b(7);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 3000; ++i) {
    const uint64_t x = nas::uniform_below(a, 3);
    ASSERT_LT(x, 3u);
    ASSERT_EQ(x, nas::uniform_below(b, 3));
    ++counts[x];
  }
  for (int c : counts) EXPECT_GT(c, 850);
  std::mt19937_64 one(1);
  EXPECT_EQ(nas::uniform_below(one, 1), 0u);
}

TEST(NasNb101, DatasetCellHasTheBenchmarkHashAndParameterCount) {
  auto enc = nb101_encoding_from_spec_json(kDatasetSpec, "spec.json");
  ASSERT_TRUE(enc.ok()) << enc.error().message;
  auto g = build_space_graph("nb101", *enc, {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->metadata.at("nb101_module_hash"), "00005c142e6f48ac74fdcf73e3439874");
  EXPECT_EQ(ir::graph_cost(*g).total.params, 8555530);
  EXPECT_EQ(g->name, "nb101:" + *enc);
  EXPECT_EQ(g->metadata.at("space"), "nb101");
  EXPECT_EQ(g->metadata.at("encoding"), *enc);
  EXPECT_EQ(g->metadata.at("hash"), encoding_hash("nb101", *enc));
  EXPECT_TRUE(ir::verify(*g).ok());
}

TEST(NasNb101, LargestCellMatchesTheDatasetMaximum) {
  // Five full-width 3x3 convolutions in a chain, with the input projected into the
  // output and two more vertices (9 edges): the dataset's largest network, 49,979,274
  // trainable parameters.
  auto g = build_space_graph(
      "nb101", "ops=in,c3,c3,c3,c3,c3,out;adj=0111001,0010000,0001000,0000100,0000010,0000001,0000000", {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(ir::graph_cost(*g).total.params, 49979274);
}

TEST(NasNb101, SmallestCellMatchesTheDatasetMinimum) {
  // One projected max-pool fanning out to four max-pools that feed the output (9 edges):
  // every module has a single 1x1 projection to a quarter of its channels. The dataset's
  // smallest network, 227,274 trainable parameters.
  auto g = build_space_graph(
      "nb101", "ops=in,mp,mp,mp,mp,mp,out;adj=0100000,0011110,0000001,0000001,0000001,0000001,0000000", {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(ir::graph_cost(*g).total.params, 227274);
}

TEST(NasNb101, IsomorphicSpecsCanonicalizeToTheSameEncoding) {
  auto base = canonicalize_encoding("nb101", kDatasetSpec);
  ASSERT_TRUE(base.ok()) << base.error().message;
  // Relabel the interior vertices 1..5 of the dataset cell with every permutation that
  // keeps the matrix upper triangular.
  const std::vector<std::vector<int>> m = {{0, 1, 0, 0, 1, 1, 0}, {0, 0, 1, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0, 1},
                                           {0, 0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 0, 1},
                                           {0, 0, 0, 0, 0, 0, 0}};
  const std::vector<std::string> ops = {"input",           "conv3x3-bn-relu", "maxpool3x3", "conv3x3-bn-relu",
                                        "conv3x3-bn-relu", "conv1x1-bn-relu", "output"};
  std::vector<int> perm = {0, 1, 2, 3, 4, 5, 6};  // new -> old
  int relabelings = 0;
  do {
    std::vector<int> pos(7);
    for (int i = 0; i < 7; ++i) pos[perm[i]] = i;
    std::vector<std::vector<int>> pm(7, std::vector<int>(7, 0));
    bool upper = true;
    for (int a = 0; a < 7; ++a) {
      for (int b = 0; b < 7; ++b) {
        if (m[a][b]) {
          pm[pos[a]][pos[b]] = 1;
          upper = upper && pos[a] < pos[b];
        }
      }
    }
    if (!upper) continue;
    std::vector<std::string> pops(7);
    for (int i = 0; i < 7; ++i) pops[i] = ops[perm[i]];
    auto enc = canonicalize_encoding("nb101", spec_json(pm, pops));
    ASSERT_TRUE(enc.ok()) << enc.error().message;
    EXPECT_EQ(*enc, *base);
    ++relabelings;
  } while (std::next_permutation(perm.begin() + 1, perm.end() - 1));
  EXPECT_GT(relabelings, 1);

  // Two hand-written orders of the same cell (two parallel branches swapped).
  auto a = canonicalize_encoding("nb101", "ops=in,c3,mp,out;adj=0110,0001,0001,0000");
  auto b = canonicalize_encoding("nb101", "ops=input,maxpool3x3,conv3x3-bn-relu,output;adj=0110,0001,0001,0000");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(encoding_hash("nb101", *a), encoding_hash("nb101", *b));
  // A different cell gets a different encoding.
  auto c = canonicalize_encoding("nb101", "ops=in,c3,c3,out;adj=0110,0001,0001,0000");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
}

TEST(NasNb101, PrunesVerticesOffTheInputOutputPath) {
  // Vertex 2 has no path to the output, vertex 3 none from the input: both are pruned.
  auto pruned = canonicalize_encoding("nb101", "ops=in,c3,c1,mp,out;adj=01100,00001,00000,00001,00000");
  auto plain = canonicalize_encoding("nb101", "ops=in,c3,out;adj=010,001,000");
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*pruned, *plain);
  EXPECT_EQ(*plain, "ops=in,c3,out;adj=010,001,000");
  // The edge limit applies after pruning: 10 edges, one of them into a dead vertex.
  auto ok = canonicalize_encoding(
      "nb101", "ops=in,c3,c3,c3,c3,mp,out;adj=0111110,0010000,0001000,0000101,0000001,0000000,0000000");
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(NasNb101, InvalidSpecsAreErrorsThatNameTheProblem) {
  auto expect_error = [](std::string_view enc, std::string_view needle) {
    auto r = canonicalize_encoding("nb101", enc);
    ASSERT_FALSE(r.ok()) << enc;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error("ops=in,c3,out;adj=010,000,000", "no path from the input");
  expect_error("ops=in,c3,c3,c3,c3,c3,out;adj=0111111,0011111,0001111,0000111,0000011,0000001,0000000",
               "too many edges after pruning: 21 (max 9)");
  expect_error("ops=in,c3,out;adj=010,101,000", "upper triangular");
  expect_error("ops=in,c3,out;adj=011,001", "2 rows but there are 3 ops");
  expect_error("ops=in,c5,out;adj=010,001,000", "unknown op 'c5'");
  expect_error("ops=c3,c3,out;adj=010,001,000", "first op must be 'input'");
  expect_error("ops=in,out,out;adj=010,001,000", "vertex 1 is interior");
  expect_error("ops=in,c3,out;adj=010,0x1,000", "only '0' and '1'");
  expect_error("|nor_conv_3x3~0|", "expected 'ops=");
  expect_error(
      "ops=in,c3,c3,c3,c3,c3,c3,out;adj=01000000,00100000,00010000,00001000,00000100,00000010,00000001,"
      "00000000",
      "too many vertices after pruning: 8 (max 7)");
  auto bad_json = nb101_encoding_from_spec_json("{\"matrix\": [[0,1],[0,0]]", "cell.json");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_EQ(bad_json.error().code, ErrorCode::kParseError);
  EXPECT_NE(bad_json.error().message.find("cell.json"), std::string::npos);
  auto no_ops = nb101_encoding_from_spec_json("{\"matrix\": [[0,1],[0,0]]}", "cell.json");
  ASSERT_FALSE(no_ops.ok());
  EXPECT_NE(no_ops.error().message.find("\"ops\""), std::string::npos);
  auto disconnected = nb101_encoding_from_spec_json(spec_json({{0, 0}, {0, 0}}, {"input", "output"}), "cell.json");
  ASSERT_FALSE(disconnected.ok());
  EXPECT_NE(disconnected.error().message.find("cell.json: invalid cell"), std::string::npos);
}

TEST(NasNb101, InputToOutputOnlyCellIsAProjection) {
  auto g = build_space_graph("nb101", "ops=in,out;adj=01,00", {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  // stem 3x3 (3->128) + BN, 3 + 3 + 3 1x1 projections + BN, FC 512->10.
  const int64_t expected = (27 * 128 + 256) + 3 * (128 * 128 + 256) + (128 * 256 + 512) + 2 * (256 * 256 + 512) +
                           (256 * 512 + 1024) + 2 * (512 * 512 + 1024) + (512 * 10 + 10);
  EXPECT_EQ(ir::graph_cost(*g).total.params, expected);
}

TEST(NasNb101, UnevenChannelSplitTruncatesAsTheBenchmark) {
  // Three vertices feed the output: 128 = 43 + 43 + 42 channels; vertex 1 (43) also feeds
  // vertex 3 (42), which needs the one-channel truncation.
  auto g = build_space_graph("nb101", "ops=in,c3,c3,c3,out;adj=01100,00011,00001,00001,00000", {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  bool saw_split = false;
  for (const auto& n : g->nodes()) saw_split = saw_split || n.op == ir::OpKind::kSplit;
  EXPECT_TRUE(saw_split);
  EXPECT_EQ(g->value(g->outputs()[0]).shape, (ir::Shape{1, 10}));
}

TEST(NasNb101, SkeletonOptionsChangeTheNetwork) {
  SpaceOptions small;
  small.nb101_stem_channels = 16;
  small.nb101_stacks = 2;
  small.nb101_cells_per_stack = 1;
  small.resolution = 28;
  small.num_classes = 100;
  auto base = build_space_graph("nb101", kDatasetSpec, {});
  auto g = build_space_graph("nb101", kDatasetSpec, small);
  ASSERT_TRUE(base.ok() && g.ok());
  EXPECT_LT(ir::graph_cost(*g).total.macs, ir::graph_cost(*base).total.macs / 50);
  EXPECT_EQ(g->value(g->outputs()[0]).shape, (ir::Shape{1, 100}));
  EXPECT_NE(g->name.find("?res=28&classes=100&stem=16&stacks=2&cells=1"), std::string::npos) << g->name;
  SpaceOptions odd;
  odd.resolution = 31;  // TensorFlow 'same' pooling: 31 -> 16 -> 8
  auto o = build_space_graph("nb101", kDatasetSpec, odd);
  ASSERT_TRUE(o.ok()) << o.error().message;
  SpaceOptions bad;
  bad.nb101_stacks = 0;
  EXPECT_FALSE(build_space_graph("nb101", kDatasetSpec, bad).ok());
}

TEST(NasNb101, ThousandSampledCellsBuildVerifyAndAreDistinct) {
  auto encodings = sample_space("nb101", 1000, 42);
  ASSERT_TRUE(encodings.ok()) << encodings.error().message;
  ASSERT_EQ(encodings->size(), 1000u);
  std::set<std::string> distinct(encodings->begin(), encodings->end());
  EXPECT_EQ(distinct.size(), 1000u);
  std::set<std::string> module_hashes, hashes;
  for (const auto& enc : *encodings) {
    auto canon = canonicalize_encoding("nb101", enc);
    ASSERT_TRUE(canon.ok()) << enc;
    ASSERT_EQ(*canon, enc);
    auto g = build_space_graph("nb101", enc, {});
    ASSERT_TRUE(g.ok()) << enc << ": " << g.error().message;
    ASSERT_TRUE(ir::verify(*g).ok()) << enc;
    const auto cost = ir::graph_cost(*g).total;
    // The dataset's range is 227,274 .. 49,979,274 parameters.
    EXPECT_GE(cost.params, 227274) << enc;
    EXPECT_LE(cost.params, 49979274) << enc;
    EXPECT_GT(cost.macs, 0) << enc;
    module_hashes.insert(g->metadata.at("nb101_module_hash"));
    hashes.insert(g->metadata.at("hash"));
  }
  // Distinct canonical cells are distinct benchmark cells.
  EXPECT_EQ(module_hashes.size(), 1000u);
  EXPECT_EQ(hashes.size(), 1000u);
}

TEST(NasNb101, EnumerationReproducesTheBenchmarkSpaceSize) {
  // All 423,624 unique cells of the dataset, each once; by vertex count 1, 6, 84, 2441,
  // 62010 and 359082 for 2..7 vertices.
  auto all = sample_space("nb101", 423624, 0);
  ASSERT_TRUE(all.ok()) << all.error().message;
  std::set<std::string> distinct(all->begin(), all->end());
  EXPECT_EQ(distinct.size(), 423624u);
  std::vector<int> by_vertices(8, 0);
  for (const auto& enc : distinct) ++by_vertices[std::count(enc.begin(), enc.end(), ',') / 2 + 1];
  EXPECT_EQ(by_vertices, (std::vector<int>{0, 0, 1, 6, 84, 2441, 62010, 359082}));
  auto first = canonicalize_encoding("nb101", kDatasetSpec);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(distinct.count(*first), 1u);
}

TEST(NasNb101, SamplerIsSeededAndBounded) {
  auto a = sample_space("nb101", 50, 3);
  auto b = sample_space("nb101", 50, 3);
  auto c = sample_space("nb101", 50, 4);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  // A shorter list is a prefix of a longer one with the same seed.
  auto prefix = sample_space("nb101", 10, 3);
  ASSERT_TRUE(prefix.ok());
  EXPECT_TRUE(std::equal(prefix->begin(), prefix->end(), a->begin()));
  auto too_many = sample_space("nb101", 423625, 1);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("423624"), std::string::npos);
}

}  // namespace
}  // namespace nnlat::models
