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
// 16 lowercase hex digits of a 64-bit hash: stable_hash_hex(b) == hash_hex(fnv1a64(b)).
std::string hash_hex(uint64_t hash);

// fnv1a64 over bytes given in pieces: after add(a), add(b) the value is fnv1a64(a + b), so a
// text can be hashed as it is written, without being kept (formats::graph_json_hash).
class Fnv1a64Stream {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) add(static_cast<char>(c));
  }
  void add(char c) {
    hash_ ^= static_cast<unsigned char>(c);
    hash_ *= 0x100000001b3ULL;
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace nnlat
