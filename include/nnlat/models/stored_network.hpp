// A network as the store keeps it: a NAS network as its space and encoding (the graph rebuilt
// on demand), any other network as its JSON graph (docs/store.md, "NAS networks"). Every
// reader of stored graphs (training sets, analyses, reports, the Python module) goes through
// stored_network_graph, so a store may mix both kinds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::models {

struct SpaceEncoding {
  std::string space;     // a space of nas.hpp: "nb201", "nb101", "mbv2", ...
  std::string encoding;  // canonical
};

// The space and canonical encoding that a model reference (model_ref.hpp) builds with default
// options, found without building the graph: "nb201:ENC", "nb101:SPEC.json" (the file is
// read), "space:SPACE:ENC". Other references (files, zoo) are nullopt. A malformed encoding
// is the error canonicalize_encoding gives, naming the reference.
Result<std::optional<SpaceEncoding>> space_reference(std::string_view reference);

// The graph of a stored network. With a space: build_space_graph(space, encoding) with
// default options, whose hash (stable_hash_hex of its JSON graph) must be `hash`, else an
// error saying the space's builder changed since the network was stored. Without: the JSON
// graph parsed. Errors are prefixed with `where` (the store path and network name).
Result<ir::Graph> stored_network_graph(std::string_view space, std::string_view encoding, std::string_view graph_json,
                                       std::string_view hash, const std::string& where);

}  // namespace nnlat::models
