// Options declared once (issue 12): every field of an options struct is described by one
// `Field` (JSON key, member, help, bounds, CLI spelling), and its JSON form, its validation,
// its command-line flags (apps/nnlat/options_cli.hpp) and the option tables of the docs are
// all derived from that one list. Adding an option is one line; no copy can drift.
//
// The default of a field is not declared here: it is the struct's own member initialiser,
// read from a value-initialised struct, so that code constructing the struct directly and
// the docs agree by construction.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::options {

// How bounds are worded in error messages and docs. Two wordings exist because both are
// already in users' logs and stored error texts: the measurement protocol says "must be >= 0"
// and "a finite value >= 0", the regressors say "at least 1" and "finite and >= 0".
enum class Wording { kSymbols, kWords };

// Allowed values of a number (of each element of a list). A real with any bound must also
// be finite. No bound: anything of the right type.
struct Bounds {
  std::optional<double> min = std::nullopt;
  bool min_exclusive = false;
  std::optional<double> max = std::nullopt;  // inclusive

  bool bounded() const { return min || max; }
  bool admits(double value, bool real) const;
  // What follows "must be" in a message: ">= 0", "at least 1", "finite and > 0", "in (0, 1]".
  std::string describe(bool real, Wording wording) const;
};

template <class S>
using Member = std::variant<int S::*, double S::*, std::uint64_t S::*, std::vector<int> S::*>;

template <class S>
struct Field {
  std::string_view key;  // JSON key: stored in files, never renamed
  Member<S> member;
  std::string_view help;
  Bounds bounds = {};
  // CLI spelling, when history made it differ from "--" + key with '-' for '_'.
  std::string_view flag = {};
  // Space-separated names of the users of the field (e.g. regressor kinds); empty: all.
  std::string_view groups = {};
  bool stored = true;  // false: a run-time setting that is neither saved nor loaded

  std::string flag_name() const;
  bool in_group(std::string_view group) const;  // an empty `group` selects every field
};

// The type of a member pointer as docs and messages name it.
template <class S>
std::string_view type_name(const Member<S>& member) {
  constexpr std::string_view kNames[] = {"integer", "number", "unsigned integer", "integer list"};
  return kNames[member.index()];
}

// "key must be ..." for the first field of `group` whose value is out of bounds, or nothing.
template <class S>
std::optional<std::string> first_violation(const S& s, std::span<const Field<S>> fields, Wording wording,
                                           std::string_view group = {});

// Ok, or kInvalidArgument "PREFIX: key must be ..." for the first field out of bounds.
template <class S>
Status validate(const S& s, std::span<const Field<S>> fields, Wording wording, std::string_view prefix,
                std::string_view group = {}) {
  if (auto why = first_violation(s, fields, wording, group)) {
    return make_error(ErrorCode::kInvalidArgument, std::string(prefix) + ": " + *why);
  }
  return Status::Ok();
}

// A value as the docs and `--help` show it: 0.5, 1e-05, "64 64".
std::string format_value(int v);
std::string format_value(double v);
std::string format_value(std::uint64_t v);
std::string format_value(const std::vector<int>& v);

// The docs' table of the fields: flag, JSON key, type, default, bounds, help.
template <class S>
std::string markdown_table(std::span<const Field<S>> fields, Wording wording) {
  const S defaults{};
  std::string out = "| flag | JSON key | type | default | must be | meaning |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& f : fields) {
    const bool real = std::holds_alternative<double S::*>(f.member);
    const bool list = std::holds_alternative<std::vector<int> S::*>(f.member);
    std::string rule = f.bounds.bounded() ? f.bounds.describe(real, wording) : "";
    if (list) rule = "non-empty" + (rule.empty() ? "" : ", each " + rule);
    const std::string value = std::visit([&](auto m) { return format_value(defaults.*m); }, f.member);
    out += "| `" + f.flag_name() + "` | " + (f.stored ? "`" + std::string(f.key) + "`" : "(not stored)") + " | " +
           std::string(type_name<S>(f.member)) + " | " + value + " | " + rule + " | " + std::string(f.help) + " |\n";
  }
  return out;
}

// --- implementation of the templates above ---

std::string default_flag_name(std::string_view key);
bool group_lists(std::string_view groups, std::string_view group);

template <class S>
std::string Field<S>::flag_name() const {
  return flag.empty() ? default_flag_name(key) : std::string(flag);
}

template <class S>
bool Field<S>::in_group(std::string_view group) const {
  return group.empty() || groups.empty() || group_lists(groups, group);
}

template <class S>
std::optional<std::string> first_violation(const S& s, std::span<const Field<S>> fields, Wording wording,
                                           std::string_view group) {
  for (const auto& f : fields) {
    if (!f.in_group(group) || !f.bounds.bounded()) continue;
    const std::string key(f.key);
    if (auto list = std::get_if<std::vector<int> S::*>(&f.member)) {
      const auto& values = s.**list;
      if (values.empty()) return key + " must list at least one value";
      for (int v : values) {
        if (!f.bounds.admits(v, false)) return key + " values must be " + f.bounds.describe(false, wording);
      }
      continue;
    }
    const bool real = std::holds_alternative<double S::*>(f.member);
    const double value = std::visit(
        [&](auto m) -> double {
          if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(s.*m)>>) {
            return static_cast<double>(s.*m);
          } else {
            return 0;
          }
        },
        f.member);
    if (!f.bounds.admits(value, real)) return key + " must be " + f.bounds.describe(real, wording);
  }
  return std::nullopt;
}

}  // namespace nnlat::options
