#include "formats/graph_json_writer.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"

namespace nnlat::formats {

std::string graph_json_hash(const ir::Graph& graph) {
  Fnv1a64Stream stream;
  detail::GraphJsonWriter<Fnv1a64Stream>(stream).write(graph);
  return hash_hex(stream.value());
}

}  // namespace nnlat::formats
