// JSON between nlohmann and Python objects, through the `json` module: results are returned
// as the dicts their `to_json()` gives (the CLI's `--json`, DESIGN.md principle 14), and
// options arrive as dicts checked against the fields nnlat declares for them.
#pragma once

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "nnlat/core/options.hpp"
#include "nnlat/core/options_json.hpp"

namespace nnlat::python {

pybind11::object to_python(const nlohmann::json& json);
pybind11::object to_python(const nlohmann::ordered_json& json);
nlohmann::json from_python(const pybind11::handle& object);

// Appends the keys of `fields` (the stored ones) to `keys`.
template <class S>
void add_field_keys(std::span<const options::Field<S>> fields, std::vector<std::string>& keys) {
  for (const auto& f : fields) {
    if (f.stored) keys.emplace_back(f.key);
  }
}

// Copies the entries of `values` whose keys are fields of S into `s`, with the types and
// messages of the JSON files; other keys are left for other option structs, so that several
// can share one **kwargs (reject_unknown_keys catches what none of them takes).
template <class S>
void read_options(const nlohmann::json& values, S& s, std::span<const options::Field<S>> fields,
                  std::string_view what) {
  nlohmann::json mine = nlohmann::json::object();
  for (const auto& f : fields) {
    if (f.stored && values.contains(std::string(f.key))) mine[std::string(f.key)] = values[std::string(f.key)];
  }
  check(options::from_json(mine, s, fields, what, options::Missing::kDefault));
}

// kInvalidArgument naming every key of `values` that none of `known` lists.
void reject_unknown_keys(const nlohmann::json& values, const std::vector<std::string>& known, std::string_view call);

}  // namespace nnlat::python
