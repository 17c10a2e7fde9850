// The streaming JSON graph writer (src/formats/graph_json_writer.hpp) against the writer every
// stored hash was taken of: the graph's nlohmann tree, dumped with indent 2 (kept here, as it
// was in json_format.cpp, as the reference). graph_to_json must give its text byte for byte and
// graph_json_hash its hash, for every zoo model, NAS samples of every space, their kernels,
// and hand-made graphs with the awkward values (escapes, UTF-8, floats, empty lists).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat {
namespace {

using nlohmann::ordered_json;

std::string reference_graph_to_json(const ir::Graph& graph) {
  ordered_json j;
  j["format"] = "nnlat-graph";
  j["version"] = formats::kGraphJsonVersion;
  j["name"] = graph.name;
  j["layout"] = "NCHW";
  ordered_json meta = ordered_json::object();
  for (const auto& [k, v] : graph.metadata) meta[k] = v;
  j["metadata"] = meta;
  ordered_json inputs = ordered_json::array();
  for (ir::ValueId id : graph.inputs()) {
    const ir::Value& v = graph.value(id);
    inputs.push_back({{"name", v.name}, {"shape", v.shape}, {"dtype", ir::dtype_name(v.dtype)}});
  }
  j["inputs"] = inputs;
  ordered_json nodes = ordered_json::array();
  for (const ir::Node& n : graph.nodes()) {
    ordered_json jn;
    jn["name"] = n.name;
    jn["op"] = ir::op_name(n.op);
    ordered_json ins = ordered_json::array();
    for (ir::ValueId v : n.inputs) ins.push_back(graph.value(v).name);
    jn["inputs"] = ins;
    ordered_json outs = ordered_json::array();
    for (ir::ValueId v : n.outputs) outs.push_back(graph.value(v).name);
    jn["outputs"] = outs;
    ordered_json attrs = ordered_json::object();
    for (const auto& [k, v] : n.attrs) attrs[k] = std::visit([](const auto& x) { return ordered_json(x); }, v);
    jn["attrs"] = attrs;
    nodes.push_back(jn);
  }
  j["nodes"] = nodes;
  ordered_json outs = ordered_json::array();
  for (ir::ValueId id : graph.outputs()) outs.push_back(graph.value(id).name);
  j["outputs"] = outs;
  return j.dump(2) + "\n";
}

void expect_same_as_reference(const ir::Graph& g, const std::string& what) {
  const std::string reference = reference_graph_to_json(g);
  EXPECT_EQ(formats::graph_to_json(g), reference) << what;
  EXPECT_EQ(formats::graph_json_hash(g), stable_hash_hex(reference)) << what;
}

TEST(GraphJsonWriter, EveryZooModelAndItsKernelsAsTheTreeWriterWroteThem) {
  auto rules = fusion::load_rule_set("xnnpack");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  size_t models = 0;
  for (const models::ZooEntry& e : models::zoo_entries()) {
    const std::string name(e.name);
    auto g = models::build_zoo_model(name, {});
    ASSERT_TRUE(g.ok()) << name << ": " << g.error().message;
    expect_same_as_reference(*g, name);
    ++models;
    if (models % 8 != 1) continue;  // the kernels of a few models: they are hashed by the same writer
    auto kernels = fusion::detect_kernels(*g, *rules);
    ASSERT_TRUE(kernels.ok()) << name << ": " << kernels.error().message;
    for (const auto& k : *kernels) {
      auto kg = fusion::kernel_graph(*g, k);
      ASSERT_TRUE(kg.ok()) << name << ": " << kg.error().message;
      expect_same_as_reference(*kg, name + " kernel");
      EXPECT_EQ(fusion::kernel_hash(*kg), stable_hash_hex(reference_graph_to_json(*kg))) << name;
    }
  }
  EXPECT_GT(models, 10u);
}

TEST(GraphJsonWriter, NasSamplesOfEverySpaceAsTheTreeWriterWroteThem) {
  for (const std::string& space : models::space_names()) {
    auto encodings = models::sample_space(space, 12, /*seed=*/7);
    ASSERT_TRUE(encodings.ok()) << space << ": " << encodings.error().message;
    ASSERT_FALSE(encodings->empty()) << space;
    for (const std::string& encoding : *encodings) {
      auto g = models::build_space_graph(space, encoding, {});
      ASSERT_TRUE(g.ok()) << space << ":" << encoding << ": " << g.error().message;
      expect_same_as_reference(*g, space + ":" + encoding);
    }
  }
}

TEST(GraphJsonWriter, AwkwardNamesFloatsAndEmptyListsAsTheTreeWriterWroteThem) {
  ir::Graph g;
  g.name = "quote\" back\\slash tab\t newline\n bell\x07 del\x7f caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 /";
  g.metadata["empty"] = "";
  g.metadata["\x01key"] = "value\r";
  const ir::ValueId x = g.add_input("in \"x\"", {1, 3, 8, 8}, ir::DType::kInt8);
  const ir::ValueId y = g.add_input("y", {}, ir::DType::kFloat16);
  ir::Attrs attrs;
  attrs["f_int_valued"] = 6.0;
  attrs["f_small"] = 1e-5;
  attrs["f_negative"] = -0.1;
  attrs["f_huge"] = 1.7976931348623157e308;
  attrs["f_tiny"] = 5e-324;
  attrs["f_zero"] = -0.0;
  attrs["f_nan"] = std::numeric_limits<double>::quiet_NaN();
  attrs["f_inf"] = -std::numeric_limits<double>::infinity();
  attrs["floats"] = std::vector<double>{0.5, 1.0 / 3.0, 1e21, 123456789.0};
  attrs["floats_empty"] = std::vector<double>{};
  attrs["ints"] = std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -1, 0, std::numeric_limits<int64_t>::max()};
  attrs["ints_empty"] = std::vector<int64_t>{};
  attrs["int"] = int64_t{-42};
  attrs["text"] = std::string("m\xC3\xBC \"q\"");
  const ir::NodeId n = g.add_node("n\xE2\x82\xAC", ir::OpKind::kAdd, {x, y}, attrs, {"out\\1", "out2"});
  g.add_node("no_attrs", ir::OpKind::kRelu, {g.node(n).outputs[0]}, {}, {"r"});
  g.mark_output(g.node(n).outputs[1]);
  expect_same_as_reference(g, "awkward graph");

  ir::Graph empty;
  expect_same_as_reference(empty, "empty graph");
}

}  // namespace
}  // namespace nnlat
