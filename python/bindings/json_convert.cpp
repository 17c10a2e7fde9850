#include "json_convert.hpp"

#include <algorithm>

namespace nnlat::python {
namespace py = pybind11;

py::object to_python(const nlohmann::json& json) {
  return py::module_::import("json").attr("loads")(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

py::object to_python(const nlohmann::ordered_json& json) {
  return py::module_::import("json").attr("loads")(
      json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

nlohmann::json from_python(const py::handle& object) {
  std::string text;
  try {
    text = py::module_::import("json").attr("dumps")(object).cast<std::string>();
  } catch (const py::error_already_set& e) {
    raise(make_error(ErrorCode::kInvalidArgument, std::string("options must be JSON-like values: ") + e.what()));
  }
  return nlohmann::json::parse(text);
}

void reject_unknown_keys(const nlohmann::json& values, const std::vector<std::string>& known, std::string_view call) {
  std::string unknown;
  for (const auto& [key, value] : values.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) unknown += (unknown.empty() ? "" : ", ") + key;
  }
  if (unknown.empty()) return;
  std::string listed;
  for (const auto& k : known) listed += (listed.empty() ? "" : ", ") + k;
  raise(make_error(ErrorCode::kInvalidArgument,
                   std::string(call) + ": unknown option(s) " + unknown + " (known: " + listed + ")"));
}

}  // namespace nnlat::python
