// NAS-Bench-201 space: strict string validation, the TinyNetwork skeleton checked against
// the benchmark API's parameter and FLOP figures, the sampler and `nnlat sample`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_test_util.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {

std::string uniform_cell(const std::string& op) {
  return "|" + op + "~0|+|" + op + "~0|" + op + "~1|+|" + op + "~0|" + op + "~1|" + op + "~2|";
}

ir::OpCost cost_of(const std::string& enc, const SpaceOptions& options = {}) {
  auto g = build_space_graph("nb201", enc, options);
  EXPECT_TRUE(g.ok()) << enc << ": " << (g.ok() ? "" : g.error().message);
  return g.ok() ? ir::graph_cost(*g).total : ir::OpCost{};
}

// The benchmark API's CIFAR-10 extremes: params 0.073306 .. 1.531546 M and FLOPs
// 7.78305 .. 220.11969 M. The API's FLOPs are conv and FC multiply-adds plus the FC
// bias (10 additions), which the IR does not count as MACs.
TEST(NasNb201, LargestCellMatchesTheBenchmarkApi) {
  const auto c = cost_of(uniform_cell("nor_conv_3x3"));
  EXPECT_EQ(c.params, 1531546);
  EXPECT_EQ(c.macs + 10, 220119690);
}

TEST(NasNb201, AllNoneCellMatchesTheBenchmarkApiMinimum) {
  const auto c = cost_of(uniform_cell("none"));
  EXPECT_EQ(c.params, 73306);
  EXPECT_EQ(c.macs + 10, 7783050);
}

TEST(NasNb201, ImageNet16SettingMatchesTheBenchmarkApi) {
  // ImageNet16-120: 16x16 inputs, 120 classes; API maximum 1.538696 M params, 55.03756 M
  // FLOPs (including 120 bias additions).
  SpaceOptions o;
  o.resolution = 16;
  o.num_classes = 120;
  const auto c = cost_of(uniform_cell("nor_conv_3x3"), o);
  EXPECT_EQ(c.params, 1538696);
  EXPECT_EQ(c.macs + 120, 55037560);
}

TEST(NasNb201, CostsAreOrderedByOp) {
  const auto conv3 = cost_of(uniform_cell("nor_conv_3x3"));
  const auto conv1 = cost_of(uniform_cell("nor_conv_1x1"));
  const auto pool = cost_of(uniform_cell("avg_pool_3x3"));
  const auto skip = cost_of(uniform_cell("skip_connect"));
  const auto none = cost_of(uniform_cell("none"));
  EXPECT_GT(conv3.macs, conv1.macs);
  EXPECT_GT(conv1.macs, skip.macs);
  EXPECT_EQ(skip.macs, none.macs);  // the skeleton alone
  EXPECT_EQ(pool.macs, none.macs);
  EXPECT_GT(pool.output_bytes, skip.output_bytes);
  EXPECT_GT(skip.output_bytes, none.output_bytes);
}

TEST(NasNb201, ZeroNodesAreDroppedAndAZeroCellIsOneMul) {
  auto g = build_space_graph("nb201", uniform_cell("none"), {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  int muls = 0;
  for (const auto& n : g->nodes()) {
    if (n.op == ir::OpKind::kMul) {
      ++muls;
      EXPECT_EQ(n.inputs.size(), 1u);
      EXPECT_EQ(ir::get_float(n.attrs, "scalar", 1.0), 0.0);
    }
  }
  EXPECT_EQ(muls, 15);
  EXPECT_TRUE(ir::verify(*g).ok());
  // Node 1 is zero: the 3x3 convs on edges 1->2 and 1->3 are dropped with it, so the cell
  // is one conv (0->2) and one skip (0->3) summed: as '|none~0|+|nor_conv_3x3~0|none~1|+|
  // skip_connect~0|none~1|skip_connect~2|'.
  const auto dropped =
      cost_of("|none~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
  const auto same = cost_of("|none~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|skip_connect~2|");
  EXPECT_EQ(dropped.macs, same.macs);
  EXPECT_EQ(dropped.params, same.params);
  // The output node fed only by a zero node is zero too.
  auto z = build_space_graph("nb201", "|none~0|+|none~0|nor_conv_3x3~1|+|none~0|none~1|nor_conv_3x3~2|", {});
  ASSERT_TRUE(z.ok()) << z.error().message;
  EXPECT_EQ(ir::graph_cost(*z).total.macs, cost_of(uniform_cell("none")).macs);
}

TEST(NasNb201, GraphNameAndMetadata) {
  const std::string enc =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
  auto g = build_space_graph("nb201", enc, {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->name, "nb201:" + enc);
  EXPECT_EQ(g->metadata.at("space"), "nb201");
  EXPECT_EQ(g->metadata.at("encoding"), enc);
  EXPECT_EQ(g->metadata.at("hash"), encoding_hash("nb201", enc));
  EXPECT_EQ(g->metadata.at("hash").size(), 16u);
  EXPECT_NE(encoding_hash("nb201", enc), encoding_hash("mbv2", enc));
  EXPECT_EQ(g->value(g->inputs()[0]).shape, (ir::Shape{1, 3, 32, 32}));
  EXPECT_EQ(g->value(g->outputs()[0]).shape, (ir::Shape{1, 10}));
}

TEST(NasNb201, EncodingFeaturesAreTheOneHotOfEachEdgesOp) {
  const std::string enc =
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
  const auto names = encoding_feature_names("nb201");
  auto f = encoding_features("nb201", enc);
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(names.size(), 30u);
  ASSERT_EQ(f->size(), names.size());
  std::set<std::string> hot;
  for (size_t i = 0; i < f->size(); ++i) {
    if ((*f)[i] == 1.0f) hot.insert(names[i]);
    EXPECT_TRUE((*f)[i] == 0.0f || (*f)[i] == 1.0f) << names[i];
  }
  EXPECT_EQ(hot,
            (std::set<std::string>{"nb201:1<-0:nor_conv_3x3", "nb201:2<-0:nor_conv_3x3", "nb201:2<-1:avg_pool_3x3",
                                   "nb201:3<-0:skip_connect", "nb201:3<-1:nor_conv_3x3", "nb201:3<-2:skip_connect"}));
  // Spaces without encoding features, and a malformed encoding.
  EXPECT_TRUE(encoding_feature_names("mbv2").empty());
  auto none = encoding_features("mbv2", "anything");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto bad = encoding_features("nb201", "|conv~0|");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("nb201"), std::string::npos) << bad.error().message;
}

TEST(NasNb201, MalformedStringsAreErrorsThatNameTheProblem) {
  auto expect_error = [](std::string_view enc, std::string_view needle) {
    auto r = canonicalize_encoding("nb201", enc);
    ASSERT_FALSE(r.ok()) << enc;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error("garbage", "expected 3 nodes");
  expect_error("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "expected 3 nodes");
  expect_error("|conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown op 'conv_3x3'");
  expect_error("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|", "edge 0 must come from node 0");
  expect_error("|none~0|+|none~0|+|none~0|none~1|none~2|", "needs 2 incoming edge(s)");
  expect_error("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|none~3|", "needs 3 incoming edge(s)");
  expect_error("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "must start and end with '|'");
  expect_error("|none|+|none~0|none~1|+|none~0|none~1|none~2|", "lacks '~INPUT'");
  expect_error("|none~0|+|none~0|none~1|+|none~0|none~1|none~02|", "got '~02'");
  auto space = build_space_graph("nb202", uniform_cell("none"), {});
  ASSERT_FALSE(space.ok());
  EXPECT_NE(space.error().message.find("unknown NAS space 'nb202'"), std::string::npos);
  SpaceOptions odd;
  odd.resolution = 30;
  auto r = build_space_graph("nb201", uniform_cell("none"), odd);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("multiple of 4"), std::string::npos);
}

TEST(NasNb201, ThousandSampledCellsBuildAndVerify) {
  auto encodings = sample_space("nb201", 1000, 7);
  ASSERT_TRUE(encodings.ok()) << encodings.error().message;
  ASSERT_EQ(encodings->size(), 1000u);
  EXPECT_EQ(std::set<std::string>(encodings->begin(), encodings->end()).size(), 1000u);
  const auto smallest = cost_of(uniform_cell("none"));
  const auto largest = cost_of(uniform_cell("nor_conv_3x3"));
  for (const auto& enc : *encodings) {
    auto canon = canonicalize_encoding("nb201", enc);
    ASSERT_TRUE(canon.ok()) << enc;
    ASSERT_EQ(*canon, enc);
    auto g = build_space_graph("nb201", enc, {});
    ASSERT_TRUE(g.ok()) << enc << ": " << g.error().message;
    ASSERT_TRUE(ir::verify(*g).ok()) << enc;
    const auto c = ir::graph_cost(*g).total;
    EXPECT_GE(c.macs, smallest.macs) << enc;
    EXPECT_LE(c.macs, largest.macs) << enc;
    EXPECT_GE(c.params, smallest.params) << enc;
    EXPECT_LE(c.params, largest.params) << enc;
  }
}

TEST(NasNb201, SamplerCoversTheSpaceAndIsSeeded) {
  auto all = sample_space("nb201", 15625, 1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(std::set<std::string>(all->begin(), all->end()).size(), 15625u);
  auto too_many = sample_space("nb201", 15626, 1);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("15625"), std::string::npos);
  auto a = sample_space("nb201", 20, 99);
  auto b = sample_space("nb201", 20, 99);
  auto c = sample_space("nb201", 20, 100);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  auto none = sample_space("nb201", 0, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(sample_space("nb201", -1, 1).ok());
}

TEST(NasNb201, SampleCommandWritesGraphsAndIndex) {
  testing::TempDir dir("nas_sample");
  const auto run = testing::run_cli("sample nb201 --n 5 --seed 1 --out " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  int graphs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".json" && entry.path().filename() != "index.json") ++graphs;
  }
  EXPECT_EQ(graphs, 5);
  std::ifstream in(dir.file("index.json"));
  ASSERT_TRUE(in.good());
  const auto index = nlohmann::json::parse(in);
  auto expected = sample_space("nb201", 5, 1);
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(index.at("architectures").size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    const auto& a = index.at("architectures")[i];
    EXPECT_EQ(a.at("encoding"), (*expected)[i]);
    EXPECT_EQ(a.at("hash"), encoding_hash("nb201", (*expected)[i]));
    EXPECT_TRUE(std::filesystem::exists(dir.file(a.at("file").get<std::string>())));
  }
  const auto bad = testing::run_cli("sample nb201 --n 20000 --out " + dir.path().string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("15625"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace nnlat::models
