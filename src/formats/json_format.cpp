#include "nnlat/formats/json_format.hpp"

#include <nlohmann/json.hpp>

#include "formats/graph_json_writer.hpp"

namespace nnlat::formats {
// The format spells out the IR's own types; everything below reads them unqualified.
using namespace nnlat::ir;
namespace {

using nlohmann::ordered_json;

// Integers stay integers; any number with a fraction, exponent or decimal point is a float.
Result<AttrValue> attr_from_json(const ordered_json& j, const std::string& where) {
  if (j.is_number_integer()) return AttrValue{j.get<int64_t>()};
  if (j.is_number_float()) return AttrValue{j.get<double>()};
  if (j.is_string()) return AttrValue{j.get<std::string>()};
  if (j.is_array()) {
    bool all_int = true;
    for (const auto& e : j) {
      if (!e.is_number()) return make_error(ErrorCode::kParseError, where + ": array attribute holds a non-number");
      all_int = all_int && e.is_number_integer();
    }
    // An empty list is read as ints: the only empty list attributes nnlat writes are ints.
    if (all_int) return AttrValue{j.get<std::vector<int64_t>>()};
    return AttrValue{j.get<std::vector<double>>()};
  }
  return make_error(ErrorCode::kParseError, where + ": unsupported attribute value " + j.dump());
}

Error parse_error(const std::string& source, const std::string& message) {
  return make_error(ErrorCode::kParseError, source + ": " + message);
}

}  // namespace

std::string graph_to_json(const Graph& graph) {
  struct StringSink {
    std::string text;
    void add(std::string_view bytes) { text.append(bytes); }
    void add(char c) { text.push_back(c); }
  } sink;
  // About what a node takes (an NB201 cell: ~200 bytes a node): one allocation, not a dozen.
  sink.text.reserve(512 + 256 * graph.nodes().size());
  detail::GraphJsonWriter<StringSink>(sink).write(graph);
  return std::move(sink.text);
}

Result<Graph> graph_from_json(std::string_view text, const std::string& source) {
  ordered_json j = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return parse_error(source, "not valid JSON");
  if (!j.is_object()) return parse_error(source, "top level must be an object");
  // Compared as JSON, not read with value(): value() throws when the key holds another type.
  if (!j.contains("format") || j["format"] != "nnlat-graph") {
    return parse_error(source, "not an nnlat graph (missing \"format\": \"nnlat-graph\")");
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kGraphJsonVersion) {
    return parse_error(source, "unsupported graph format version (this nnlat reads version " +
                                   std::to_string(kGraphJsonVersion) + ")");
  }
  if (j.contains("layout") && j["layout"] != "NCHW") return parse_error(source, "layout must be NCHW");
  for (const char* key : {"inputs", "nodes", "outputs"}) {
    if (!j.contains(key) || !j[key].is_array())
      return parse_error(source, std::string("missing array \"") + key + "\"");
  }
  Graph g;
  if (j.contains("name") && j["name"].is_string()) g.name = j["name"].get<std::string>();
  if (j.contains("metadata")) {
    if (!j["metadata"].is_object()) return parse_error(source, "\"metadata\" must be an object");
    for (const auto& [k, v] : j["metadata"].items()) {
      if (!v.is_string()) return parse_error(source, "metadata value of '" + k + "' must be a string");
      g.metadata[k] = v.get<std::string>();
    }
  }
  for (const auto& in : j["inputs"]) {
    if (!in.is_object() || !in.contains("name") || !in["name"].is_string() || !in.contains("shape") ||
        !in["shape"].is_array()) {
      return parse_error(source, "each input needs \"name\" and \"shape\"");
    }
    Shape shape;
    for (const auto& d : in["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() <= 0) {
        return parse_error(source, "input " + in["name"].get<std::string>() + " has a non-positive dimension");
      }
      shape.push_back(d.get<int64_t>());
    }
    if (in.contains("dtype") && !in["dtype"].is_string()) {
      return parse_error(source, "input " + in["name"].get<std::string>() + ": \"dtype\" must be a string");
    }
    const auto dtype = dtype_from_name(in.value("dtype", std::string("float32")));
    if (!dtype) return parse_error(source, "input " + in["name"].get<std::string>() + " has an unknown dtype");
    if (g.find_value(in["name"].get<std::string>())) return parse_error(source, "duplicate value name");
    g.add_input(in["name"].get<std::string>(), shape, *dtype);
  }
  // Nodes may reference values produced later in the list; resolve after declaring outputs.
  struct Pending {
    NodeId id;
    std::vector<std::string> inputs;
  };
  std::vector<Pending> pending;
  for (const auto& jn : j["nodes"]) {
    if (!jn.is_object() || !jn.contains("name") || !jn["name"].is_string() || !jn.contains("op") ||
        !jn["op"].is_string()) {
      return parse_error(source, "each node needs \"name\" and \"op\"");
    }
    const std::string name = jn["name"].get<std::string>();
    const auto op = op_from_name(jn["op"].get<std::string>());
    if (!op) {
      return make_error(ErrorCode::kUnsupported,
                        source + ": node " + name + ": unknown op '" + jn["op"].get<std::string>() + "'");
    }
    Attrs attrs;
    if (jn.contains("attrs")) {
      if (!jn["attrs"].is_object()) return parse_error(source, "node " + name + ": \"attrs\" must be an object");
      for (const auto& [k, v] : jn["attrs"].items()) {
        NNLAT_ASSIGN_OR_RETURN(attrs[k], attr_from_json(v, source + ": node " + name));
      }
    }
    std::vector<std::string> in_names;
    std::vector<std::string> out_names;
    for (const char* key : {"inputs", "outputs"}) {
      if (!jn.contains(key) || !jn[key].is_array()) {
        return parse_error(source, "node " + name + ": missing array \"" + key + "\"");
      }
      for (const auto& v : jn[key]) {
        if (!v.is_string()) return parse_error(source, "node " + name + ": value names must be strings");
        (std::string(key) == "inputs" ? in_names : out_names).push_back(v.get<std::string>());
      }
    }
    for (const auto& o : out_names) {
      if (g.find_value(o)) return parse_error(source, "value '" + o + "' is defined twice");
    }
    const NodeId id = g.add_node(name, *op, {}, std::move(attrs), out_names);
    pending.push_back({id, std::move(in_names)});
  }
  for (auto& p : pending) {
    for (const auto& in : p.inputs) {
      const auto v = g.find_value(in);
      if (!v) return parse_error(source, "node " + g.node(p.id).name + " reads undefined value '" + in + "'");
      g.node(p.id).inputs.push_back(*v);
    }
  }
  for (const auto& o : j["outputs"]) {
    if (!o.is_string() || !g.find_value(o.get<std::string>())) {
      return parse_error(source, "graph output " + o.dump() + " is not a value");
    }
    g.mark_output(*g.find_value(o.get<std::string>()));
  }
  if (auto st = infer_shapes(g); !st.ok()) return st.error().with_context(source);
  if (auto st = verify(g); !st.ok()) return st.error().with_context(source);
  return g;
}

}  // namespace nnlat::formats
