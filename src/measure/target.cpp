#include "nnlat/measure/target.hpp"

#include <cctype>

namespace nnlat::measure {

Result<TargetName> parse_target_name(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "target '" + std::string(text) + "': " + why + " (expected device:config:precision)");
  };
  std::string parts[3];
  size_t part = 0;
  for (char c : text) {
    if (c == ':') {
      if (++part > 2) return fail("too many ':'");
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) {
      return fail(std::string("character '") + c + "' not allowed");
    }
    parts[part] += c;
  }
  if (part == 0 && !parts[0].empty()) return TargetName{parts[0], "", ""};
  if (part != 2) return fail("needs three parts");
  for (const auto& p : parts) {
    if (p.empty()) return fail("empty part");
  }
  return TargetName{parts[0], parts[1], parts[2]};
}

}  // namespace nnlat::measure
