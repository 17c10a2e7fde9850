// UTF-8 validity of text that nnlat reads from files and later writes as JSON: the JSON writer
// refuses invalid UTF-8 by throwing, so readers refuse it first, with the file and the place.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace nnlat {

// The byte offset of the first byte that does not start or continue a valid UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are invalid), or nullopt.
std::optional<size_t> first_invalid_utf8(std::string_view text);

}  // namespace nnlat
