// One line of the device runner's protocol (runner_protocol.hpp), read as both ends read it:
// JSON → its "type" → the message's parser. A request's graph goes the whole path of an
// accepted model (kernels, features, prediction), and every accepted message written back
// and read again parses to the same JSON (what one end writes, the other reads).
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "nnlat/backends/runner_protocol.hpp"
#include "nnlat/formats/json_format.hpp"

namespace {

using nnlat::fuzz::fail;
using nnlat::fuzz::require_clear_error;

// What travels on the wire: one line, as the runner writes it.
nlohmann::json over_the_wire(const nlohmann::json& message) {
  const std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto back = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (back.is_discarded()) fail("a written message is not JSON: " + line);
  return back;
}

// Parses `json` with `parse`; an accepted message written again must parse again, alike.
template <class Parse, class Check>
void round_trip(const nlohmann::json& json, Parse parse, const char* type, Check check) {
  auto message = parse(json);
  if (!message.ok()) {
    require_clear_error(message.error(), type);
    return;
  }
  check(*message);
  const nlohmann::json written = nnlat::backends::to_json(*message);
  auto again = parse(over_the_wire(written));
  if (!again.ok()) fail(std::string(type) + ": a written message does not read back: " + again.error().message);
  if (nnlat::backends::to_json(*again) != written) fail(std::string(type) + ": the round trip changed the message");
}

template <class Parse>
void round_trip(const nlohmann::json& json, Parse parse, const char* type) {
  round_trip(json, parse, type, [](const auto&) {});
}

void check_graph(const nlohmann::json& graph, const char* type) {
  auto g = nnlat::formats::graph_from_json(graph.dump(), "the request's graph");
  if (!g.ok()) {
    require_clear_error(g.error(), type);
    return;
  }
  nnlat::fuzz::check_accepted_graph(*g, type);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace b = nnlat::backends;
  const auto json = nlohmann::json::parse(nnlat::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;
  auto type = b::message_type(json);
  if (!type.ok()) {
    require_clear_error(type.error(), "message type");
    return 0;
  }
  if (*type == "hello") {
    round_trip(json, b::hello_from_json, "hello");
  } else if (*type == "measure") {
    round_trip(json, b::measure_request_from_json, "measure",
               [](const b::MeasureRequest& r) { check_graph(r.graph, "measure"); });
  } else if (*type == "result") {
    round_trip(json, b::measure_result_from_json, "result");
  } else if (*type == "check") {
    round_trip(json, b::check_request_from_json, "check",
               [](const b::CheckRequest& r) { check_graph(r.graph, "check"); });
  } else if (*type == "checked") {
    round_trip(json, b::check_result_from_json, "checked");
  } else if (*type == "error") {
    round_trip(json, b::runner_error_from_json, "error");
  }
  return 0;
}
