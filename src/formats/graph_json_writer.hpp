// The canonical text of a JSON graph (docs/graph-json.md), written piece by piece into a sink:
// graph_to_json collects it into a string, graph_json_hash feeds it to a hash without keeping
// it (hashing a NAS graph that way is what makes reading 15,625 stored NB201 networks cheap).
//
// The text is, byte for byte, what nlohmann's dump(2) gives for the graph's JSON tree (the
// writer nnlat used before, and so the text every stored network's hash was taken of):
// objects and arrays one member per line, two spaces per level, "key": value, {} and [] when
// empty. Strings and floats that are not the plain common case are rendered by nlohmann
// itself, so escaping, UTF-8 checks and float digits are its own. Tests:
// GraphJsonWriter.* (tests/graph_json_writer_test.cpp) compare with that tree writer over
// zoo, NAS and hand-made graphs.
#pragma once

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats::detail {

// Sink: add(std::string_view) and add(char).
template <class Sink>
class GraphJsonWriter {
 public:
  explicit GraphJsonWriter(Sink& sink) : sink_(sink) {}

  void write(const ir::Graph& graph) {
    open('{');
    key("format");
    string("nnlat-graph");
    next();
    key("version");
    integer(kGraphJsonVersion);
    next();
    key("name");
    string(graph.name);
    next();
    key("layout");
    string("NCHW");
    next();
    key("metadata");
    object(graph.metadata, [&](const std::string& v) { string(v); });
    next();
    key("inputs");
    list(graph.inputs(), [&](ir::ValueId id) {
      const ir::Value& v = graph.value(id);
      open('{');
      key("name");
      string(v.name);
      next();
      key("shape");
      integers(v.shape);
      next();
      key("dtype");
      string(ir::dtype_name(v.dtype));
      close('}');
    });
    next();
    key("nodes");
    list(graph.nodes(), [&](const ir::Node& n) { node(graph, n); });
    next();
    key("outputs");
    value_names(graph, graph.outputs());
    close('}');
    sink_.add('\n');
  }

 private:
  void node(const ir::Graph& graph, const ir::Node& n) {
    open('{');
    key("name");
    string(n.name);
    next();
    key("op");
    string(ir::op_name(n.op));
    next();
    key("inputs");
    value_names(graph, n.inputs);
    next();
    key("outputs");
    value_names(graph, n.outputs);
    next();
    key("attrs");
    object(n.attrs, [&](const ir::AttrValue& v) { std::visit([&](const auto& x) { attr(x); }, v); });
    close('}');
  }

  void attr(int64_t v) { integer(v); }
  void attr(double v) { floating(v); }
  void attr(const std::string& v) { string(v); }
  void attr(const std::vector<int64_t>& v) { integers(v); }
  void attr(const std::vector<double>& v) {
    list(v, [&](double x) { floating(x); });
  }

  void value_names(const ir::Graph& graph, const std::vector<ir::ValueId>& ids) {
    list(ids, [&](ir::ValueId id) { string(graph.value(id).name); });
  }
  void integers(const std::vector<int64_t>& v) {
    list(v, [&](int64_t x) { integer(x); });
  }

  // A std::map as an object: its keys in their (sorted) order.
  template <class Map, class WriteValue>
  void object(const Map& map, WriteValue write_value) {
    members(map, '{', '}', [&](const auto& entry) {
      key(entry.first);
      write_value(entry.second);
    });
  }

  template <class Items, class WriteItem>
  void list(const Items& items, WriteItem write_item) {
    members(items, '[', ']', write_item);
  }

  // One member per line between the brackets; "{}" / "[]" when empty, as dump(2) writes them.
  template <class Items, class WriteItem>
  void members(const Items& items, char open_bracket, char close_bracket, WriteItem write_item) {
    if (items.empty()) {
      sink_.add(open_bracket);
      sink_.add(close_bracket);
      return;
    }
    open(open_bracket);
    bool first = true;
    for (const auto& item : items) {
      if (!first) next();
      first = false;
      write_item(item);
    }
    close(close_bracket);
  }

  // After an opening bracket: a new line at one level deeper.
  void open(char bracket) {
    sink_.add(bracket);
    ++depth_;
    new_line();
  }
  void close(char bracket) {
    --depth_;
    new_line();
    sink_.add(bracket);
  }
  // Between two members of an object or array.
  void next() {
    sink_.add(',');
    new_line();
  }
  void new_line() {
    sink_.add('\n');
    for (int i = 0; i < depth_; ++i) sink_.add("  ");
  }
  void key(std::string_view k) {
    string(k);
    sink_.add(": ");
  }
  void integer(int64_t v) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    sink_.add(std::string_view(buf, static_cast<size_t>(end - buf)));
  }
  void floating(double v) { sink_.add(nlohmann::ordered_json(v).dump()); }
  void string(std::string_view s) {
    // Printable ASCII other than '"' and '\' is written as it is by every JSON writer; any
    // other text (escapes, UTF-8, its checks) is left to nlohmann.
    for (unsigned char c : s) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        sink_.add(nlohmann::ordered_json(std::string(s)).dump());
        return;
      }
    }
    sink_.add('"');
    sink_.add(s);
    sink_.add('"');
  }

  Sink& sink_;
  int depth_ = 0;
};

}  // namespace nnlat::formats::detail
