// Stable, platform-independent hashes for encodings and graphs (stored in databases, so
// they must never change between versions or machines).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nnlat {

uint64_t fnv1a64(std::string_view bytes);
// 16 lowercase hex digits of fnv1a64.
std::string stable_hash_hex(std::string_view bytes);

}  // namespace nnlat
