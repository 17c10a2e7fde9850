#include "nnlat/models/stored_network.hpp"

#include "nnlat/core/file_io.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/nas.hpp"

namespace nnlat::models {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

Result<std::optional<SpaceEncoding>> canonical(std::string_view space, std::string_view encoding,
                                               std::string_view reference) {
  auto canon = canonicalize_encoding(space, encoding);
  if (!canon.ok()) return canon.error().with_context(std::string(reference));
  return std::optional<SpaceEncoding>(SpaceEncoding{std::string(space), std::move(*canon)});
}

}  // namespace

Result<std::optional<SpaceEncoding>> space_reference(std::string_view reference) {
  // The same prefixes, in the same order, as load_model (model_ref.cpp).
  if (starts_with(reference, "nb201:")) return canonical("nb201", reference.substr(6), reference);
  if (starts_with(reference, "nb101:")) {
    const std::string path(reference.substr(6));
    NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(path));
    NNLAT_ASSIGN_OR_RETURN(std::string encoding, nb101_encoding_from_spec_json(text, path));
    return canonical("nb101", encoding, reference);
  }
  if (starts_with(reference, "space:")) {
    const std::string_view rest = reference.substr(6);
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, std::string(reference) + ": expected space:SPACE:ENCODING");
    }
    return canonical(rest.substr(0, colon), rest.substr(colon + 1), reference);
  }
  return std::optional<SpaceEncoding>();
}

Result<ir::Graph> stored_network_graph(std::string_view space, std::string_view encoding, std::string_view graph_json,
                                       std::string_view hash, const std::string& where) {
  if (space.empty()) return formats::graph_from_json(graph_json, where);
  auto graph = build_space_graph(space, encoding, {});
  if (!graph.ok()) return graph.error().with_context(where);
  // The hash keys the measurements: a rebuilt graph that differs from the measured one would
  // silently pair its features with another network's latency.
  const std::string rebuilt = formats::graph_json_hash(*graph);
  if (rebuilt != hash) {
    return make_error(ErrorCode::kParseError, where + ": the " + std::string(space) + " encoding '" +
                                                  std::string(encoding) + "' rebuilds a graph of hash " + rebuilt +
                                                  ", not the stored " + std::string(hash) +
                                                  " (the space's builder changed since the network was stored)");
  }
  return graph;
}

}  // namespace nnlat::models
