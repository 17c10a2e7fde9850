#include "nnlat/core/hash.hpp"

#include <cstdio>

namespace nnlat {

uint64_t fnv1a64(std::string_view bytes) {
  Fnv1a64Stream stream;
  stream.add(bytes);
  return stream.value();
}

std::string hash_hex(uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

std::string stable_hash_hex(std::string_view bytes) { return hash_hex(fnv1a64(bytes)); }

}  // namespace nnlat
