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

// splitmix64's finaliser: a fast, well-spread 64-bit mix (in-memory fingerprints and keys,
// and the deterministic random numbers of the TFLite writer; the constants must stay, since
// the writer's weights and any kept key depend on them).
constexpr uint64_t splitmix64_mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// splitmix64's increment, the golden-ratio constant.
inline constexpr uint64_t kSplitmix64Increment = 0x9e3779b97f4a7c15ULL;

}  // namespace nnlat
