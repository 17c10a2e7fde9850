// JSON form of options declared with nnlat/core/options.hpp: one key per stored field.
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/options.hpp"

namespace nnlat::options {

// The stored fields of `group` as a JSON object (nlohmann::json orders keys by name).
template <class S>
nlohmann::json to_json(const S& s, std::span<const Field<S>> fields, std::string_view group = {}) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& f : fields) {
    if (f.stored && f.in_group(group)) std::visit([&](auto m) { j[std::string(f.key)] = s.*m; }, f.member);
  }
  return j;
}

enum class Missing {
  kDefault,  // a missing key keeps the struct's default (files written before the field existed)
  kError,    // every stored field must be present
};

// Reads the stored fields of `group` from `j` into `s`. Errors are kParseError
// "WHAT: KEY must be an integer" (or "...: KEY is missing", "...: must be a JSON object");
// bounds are not checked here: call validate().
template <class S>
Status from_json(const nlohmann::json& j, S& s, std::span<const Field<S>> fields, std::string_view what,
                 Missing missing, std::string_view group = {});

// --- implementation ---

namespace detail {

inline bool read_value(const nlohmann::json& v, int& out) {
  if (!v.is_number_integer()) return false;
  const auto i = v.get<int64_t>();
  if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) return false;
  out = static_cast<int>(i);
  return true;
}
inline bool read_value(const nlohmann::json& v, double& out) {
  if (!v.is_number()) return false;
  out = v.get<double>();
  return true;
}
inline bool read_value(const nlohmann::json& v, std::uint64_t& out) {
  if (!v.is_number_unsigned()) return false;
  out = v.get<std::uint64_t>();
  return true;
}
inline bool read_value(const nlohmann::json& v, std::vector<int>& out) {
  if (!v.is_array()) return false;
  std::vector<int> values(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!read_value(v[i], values[i])) return false;
  }
  out = std::move(values);
  return true;
}

// "an integer", "a number", ... as the type errors say it.
template <class S>
std::string with_article(const Member<S>& member) {
  const std::string_view name = type_name<S>(member);
  return (name.front() == 'u' || name.front() == 'i' ? "an " : "a ") + std::string(name);
}

}  // namespace detail

template <class S>
Status from_json(const nlohmann::json& j, S& s, std::span<const Field<S>> fields, std::string_view what,
                 Missing missing, std::string_view group) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kParseError, std::string(what) + ": " + why);
  };
  if (!j.is_object()) return fail("must be a JSON object");
  for (const auto& f : fields) {
    if (!f.stored || !f.in_group(group)) continue;
    const std::string key(f.key);
    const auto it = j.find(key);
    if (it == j.end()) {
      if (missing == Missing::kError) return fail(key + " is missing");
      continue;
    }
    const bool ok = std::visit([&](auto m) { return detail::read_value(*it, s.*m); }, f.member);
    if (!ok) return fail(key + " must be " + detail::with_article<S>(f.member));
  }
  return Status::Ok();
}

}  // namespace nnlat::options
