// The xnnpack fusion rule file (data/fusion/xnnpack.json) must describe what the XNNPACK
// backend really runs: for every zoo network the backend supports, the rule-file kernel list
// equals the backend's kernel list.
#include <gtest/gtest.h>

#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat {
namespace {

std::vector<std::string> rule_kernel_names(const ir::Graph& g, const fusion::RuleSet& rules) {
  std::vector<std::string> names;
  auto kernels = fusion::detect_kernels(g, rules);
  EXPECT_TRUE(kernels.ok());
  for (const auto& k : *kernels) {
    std::string name;
    for (auto id : k.nodes) {
      if (!name.empty()) name += '+';
      name += g.node(id).name;
    }
    names.push_back(name);
  }
  return names;
}

TEST(XnnpackRuleFile, MatchesTheBackendsKernelsOnTheZoo) {
  auto rules = fusion::load_rule_set("xnnpack");
  ASSERT_TRUE(rules.ok());
  backends::XnnpackBackend backend;
  backends::RunConfig config;
  int compared = 0;
  for (const auto& entry : models::zoo_entries()) {
    models::ZooParams small;
    small.width = 0.35;
    small.resolution = entry.name == std::string_view("inception_v3") ? 96 : 64;
    auto g = models::build_zoo_model(entry.name, small);
    ASSERT_TRUE(g.ok()) << g.error().message;
    if (!backend.supports(*g, config).ok()) continue;
    auto prepared = backend.prepare(*g, config);
    ASSERT_TRUE(prepared.ok()) << prepared.error().message;
    const auto* xnn = dynamic_cast<const backends::XnnpackPreparedGraph*>(prepared->get());
    ASSERT_NE(xnn, nullptr);
    const auto expected = rule_kernel_names(*g, *rules);
    const auto actual = xnn->kernel_names();
    size_t i = 0;
    while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
    EXPECT_TRUE(i == expected.size() && i == actual.size())
        << entry.name << ": kernel " << i << " differs: rules say '" << (i < expected.size() ? expected[i] : "<end>")
        << "', the backend runs '" << (i < actual.size() ? actual[i] : "<end>") << "'";
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

}  // namespace
}  // namespace nnlat
