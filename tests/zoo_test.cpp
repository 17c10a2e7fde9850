// Every zoo family must match the MACs and parameter count its paper (or official release)
// publishes within 1.5% at the reference setting; the figures and their source are in the
// zoo entry (src/models/zoo/zoo_entries_*.cpp) and printed on failure.
#include "nnlat/models/zoo.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/cost.hpp"

namespace nnlat::models {
namespace {

class ZooFamily : public ::testing::TestWithParam<std::string> {};

// The only entries checked more loosely than 1.5%, each with its reason: DeiT-Ti's one
// published MACs figure is rounded to two digits (the built value is one the rounding admits),
// and MiT-B0's published encoder size is 2.2% above the built one for no reason found (the
// dataset's file size agrees with the build). The dataset test (zoo_transformer_test.cpp)
// checks both graphs against precise FLOPS within 1.5%.
struct Looser {
  const char* name;
  double macs_tol, params_tol;
  const char* why;
};
constexpr Looser kLooser[] = {
    {"deit_tiny_patch16_224", 0.04, 0.015, "1.3 GMACs is rounded to two digits; built 1.254"},
    {"mit_b0", 0.015, 0.025,
     "SegFormer Table 1 gives 3.4M for the encoder, the build has 3.319M (+0.257M head): a gap of 2.2% that the "
     "architecture does not explain; the nvidia/mit-b0 export's size/4 (3.61M) is within 0.9% of the build"},
};

TEST_P(ZooFamily, MatchesPublishedMacsAndParams) {
  const ZooEntry* e = find_zoo_entry(GetParam());
  ASSERT_NE(e, nullptr);
  auto g = build_zoo_model(e->name, {});
  ASSERT_TRUE(g.ok()) << g.error().message;
  const auto total = ir::graph_cost(*g).total;
  const double mmacs = static_cast<double>(total.macs) / 1e6;
  const double mparams = static_cast<double>(total.params) / 1e6;
  double macs_tol = 0.015, params_tol = 0.015;
  for (const auto& l : kLooser) {
    if (e->name == l.name) macs_tol = l.macs_tol, params_tol = l.params_tol;
  }
  EXPECT_NEAR(mmacs / e->published_mmacs, 1.0, macs_tol)
      << e->name << ": " << mmacs << " M MACs vs published " << e->published_mmacs << " (" << e->citation << ")";
  EXPECT_NEAR(mparams / e->published_mparams, 1.0, params_tol)
      << e->name << ": " << mparams << " M params vs published " << e->published_mparams << " (" << e->citation << ")";
}

TEST_P(ZooFamily, ScalesWithWidthAndResolution) {
  auto base = build_zoo_model(GetParam(), {});
  ZooParams small;
  small.width = 0.5;
  small.resolution = 160;
  auto scaled = build_zoo_model(GetParam(), small);
  ASSERT_TRUE(base.ok()) << base.error().message;
  ASSERT_TRUE(scaled.ok()) << scaled.error().message;
  EXPECT_LT(ir::graph_cost(*scaled).total.macs, ir::graph_cost(*base).total.macs);
  EXPECT_EQ(formats::graph_to_json(*formats::graph_from_json(formats::graph_to_json(*scaled), "rt")),
            formats::graph_to_json(*scaled));
}

std::vector<std::string> zoo_names() {
  std::vector<std::string> names;
  for (const auto& e : zoo_entries()) names.emplace_back(e.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(All, ZooFamily, ::testing::ValuesIn(zoo_names()), [](const auto& info) { return info.param; });

TEST(Zoo, HasAtLeastFifteenFamilies) {
  std::set<std::string_view> families;
  for (const auto& e : zoo_entries()) families.insert(e.family);
  EXPECT_GE(families.size(), 15u);
}

TEST(Zoo, UnknownNameIsNotFound) {
  auto g = build_zoo_model("no_such_net", {});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace nnlat::models
