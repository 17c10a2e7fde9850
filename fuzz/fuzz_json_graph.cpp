// nnlat JSON graph text → import → kernels → features → prediction; an accepted graph also
// writes back to JSON that reads again into an equal graph (the format's own round trip).
#include "fuzz_support.hpp"
#include "nnlat/formats/json_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto graph = nnlat::formats::graph_from_json(nnlat::fuzz::as_text(data, size), "fuzz.json");
  if (!graph.ok()) {
    nnlat::fuzz::require_clear_error(graph.error(), "json graph import");
    return 0;
  }
  nnlat::fuzz::check_accepted_graph(*graph, "json graph");
  const std::string written = nnlat::formats::graph_to_json(*graph);
  auto again = nnlat::formats::graph_from_json(written, "fuzz.json written back");
  if (!again.ok()) nnlat::fuzz::fail("a written graph does not read back: " + again.error().message);
  if (nnlat::formats::graph_to_json(*again) != written) nnlat::fuzz::fail("the JSON round trip changed the graph");
  return 0;
}
