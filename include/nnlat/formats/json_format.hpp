// The nnlat JSON graph format (docs/graph-json.md). Writing then reading a graph gives the
// identical graph, and writing it again gives the identical text.
#pragma once

#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::formats {

inline constexpr int kGraphJsonVersion = 1;

// Pretty-printed (2-space indent), keys in a fixed order, newline-terminated.
std::string graph_to_json(const ir::Graph& graph);
// stable_hash_hex(graph_to_json(graph)), the identity of a network in the store, computed as
// the text is written, without keeping it (about half the time of text + hash: bench_ir).
std::string graph_json_hash(const ir::Graph& graph);
// `source` names the file (or "<stdin>") in error messages. The result is shape-inferred
// and verified.
Result<ir::Graph> graph_from_json(std::string_view text, const std::string& source);

}  // namespace nnlat::formats
