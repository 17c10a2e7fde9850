#include "nnlat/core/options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace nnlat::options {

bool Bounds::admits(double value, bool real) const {
  if (real && bounded() && !std::isfinite(value)) return false;
  if (min && (min_exclusive ? !(value > *min) : !(value >= *min))) return false;
  if (max && !(value <= *max)) return false;
  return true;
}

std::string Bounds::describe(bool real, Wording wording) const {
  if (min && max) return fmt::format("in {}{}, {}]", min_exclusive ? "(" : "[", *min, *max);
  if (max) return fmt::format("{}<= {}", real ? "finite and " : "", *max);
  if (!min) return "";
  const char* op = min_exclusive ? ">" : ">=";
  if (wording == Wording::kSymbols) return fmt::format("{}{} {}", real ? "a finite value " : "", op, *min);
  if (!real && !min_exclusive) return fmt::format("at least {}", *min);
  return fmt::format("{}{} {}", real ? "finite and " : "", op, *min);
}

std::string format_value(int v) { return fmt::format("{}", v); }
std::string format_value(double v) { return fmt::format("{}", v); }
std::string format_value(std::uint64_t v) { return fmt::format("{}", v); }
std::string format_value(const std::vector<int>& v) { return fmt::format("{}", fmt::join(v, " ")); }

std::string default_flag_name(std::string_view key) {
  std::string flag = "--" + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

bool group_lists(std::string_view groups, std::string_view group) {
  while (!groups.empty()) {
    const size_t space = groups.find(' ');
    if (groups.substr(0, space) == group) return true;
    if (space == std::string_view::npos) break;
    groups.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace nnlat::options
