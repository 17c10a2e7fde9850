// core/flat_hash_map.hpp and core/append_arena.hpp, the NAS encoding predictor's memo
// storage: every entry found after collisions and growth, clear() forgetting entries but
// keeping capacity, heterogeneous lookup, and arena copies that never move.
#include "nnlat/core/flat_hash_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <string_view>

#include "nnlat/core/append_arena.hpp"

namespace nnlat {
namespace {

// Every key hashes alike: each lookup must walk the probe run and compare keys.
struct ConstantHash {
  size_t operator()(uint64_t) const { return 42; }
};

struct IdentityHash {
  size_t operator()(uint64_t v) const { return static_cast<size_t>(v); }
};

struct StringViewHash {
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

TEST(FlatHashMap, FindsEveryKeyWhenAllHashesCollide) {
  FlatHashMap<uint64_t, int, ConstantHash> map;
  for (uint64_t k = 0; k < 200; ++k) {
    const auto [value, inserted] = map.try_emplace(k * 7, static_cast<int>(k));
    EXPECT_TRUE(inserted);
    EXPECT_EQ(*value, static_cast<int>(k));
  }
  EXPECT_EQ(map.size(), 200u);
  for (uint64_t k = 0; k < 200; ++k) {
    const int* v = map.find(k * 7);
    ASSERT_NE(v, nullptr) << k;
    EXPECT_EQ(*v, static_cast<int>(k));
    EXPECT_EQ(map.find(k * 7 + 1), nullptr) << k;
  }
}

TEST(FlatHashMap, KeepsEntriesThroughGrowthAndAgreesWithStdMap) {
  FlatHashMap<uint64_t, uint64_t, IdentityHash> map;
  std::map<uint64_t, uint64_t> reference;
  std::mt19937_64 rng(3);
  size_t capacity_seen = 0;
  int grew = 0;
  for (int i = 0; i < 50000; ++i) {
    // Small keys collide often (and sequential ones test the weak identity hash).
    const uint64_t key = i % 3 == 0 ? static_cast<uint64_t>(i) : rng() % 20000;
    const uint64_t value = rng();
    const auto [slot, inserted] = map.try_emplace(key, value);
    const auto [it, ref_inserted] = reference.try_emplace(key, value);
    ASSERT_EQ(inserted, ref_inserted) << key;
    ASSERT_EQ(*slot, it->second) << key;  // an existing entry keeps its first value
    if (map.capacity() != capacity_seen) {
      ++grew;
      capacity_seen = map.capacity();
    }
    ASSERT_LE(map.size() * 2, map.capacity());  // at most half full
  }
  EXPECT_GT(grew, 5);
  EXPECT_EQ(map.size(), reference.size());
  for (const auto& [k, v] : reference) {
    const uint64_t* found = map.find(k);
    ASSERT_NE(found, nullptr) << k;
    EXPECT_EQ(*found, v);
  }
  size_t visited = 0;
  map.for_each([&](uint64_t k, uint64_t v) {
    ++visited;
    EXPECT_EQ(reference.at(k), v);
  });
  EXPECT_EQ(visited, reference.size());
}

TEST(FlatHashMap, ClearForgetsEntriesAndKeepsCapacity) {
  FlatHashMap<uint64_t, std::string, IdentityHash> map;
  for (uint64_t k = 0; k < 1000; ++k) map.try_emplace(k, std::to_string(k));
  const size_t capacity = map.capacity();
  map.clear();
  EXPECT_EQ(map.size(), 0u);
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.capacity(), capacity);
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_EQ(map.find(k), nullptr) << k;
  size_t visited = 0;
  map.for_each([&](uint64_t, const std::string&) { ++visited; });
  EXPECT_EQ(visited, 0u);
  // Refilled with other values: none of the old ones shows through.
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_TRUE(map.try_emplace(k, "again").second);
  EXPECT_EQ(*map.find(999), "again");
  EXPECT_EQ(map.capacity(), capacity);
}

TEST(FlatHashMap, StringViewKeysAreFoundByEqualContent) {
  FlatHashMap<std::string_view, int, StringViewHash> map;
  const std::string a = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|";
  const std::string b = a;  // another buffer, same text
  map.try_emplace(std::string_view(a), 1);
  ASSERT_NE(map.find(std::string_view(b)), nullptr);
  EXPECT_EQ(*map.find(std::string_view(b)), 1);
  EXPECT_FALSE(map.try_emplace(std::string_view(b), 2).second);
  EXPECT_EQ(map.find(std::string_view("|none~0|")), nullptr);
  EXPECT_EQ(map.find(std::string_view()), nullptr);
}

TEST(FlatHashMap, ReserveAvoidsGrowth) {
  FlatHashMap<uint64_t, int, IdentityHash> map;
  map.reserve(1000);
  const size_t capacity = map.capacity();
  EXPECT_GE(capacity, 2000u);
  for (uint64_t k = 0; k < 1000; ++k) map.try_emplace(k, 0);
  EXPECT_EQ(map.capacity(), capacity);
}

TEST(AppendArena, CopiesNeverMoveAndClearReusesBlocks) {
  AppendArena<int> arena(8);  // small blocks: most appends start a new one
  std::vector<std::span<int>> copies;
  std::vector<std::vector<int>> expected;
  std::mt19937 rng(5);
  for (int i = 0; i < 300; ++i) {
    std::vector<int> items(rng() % 20);  // some longer than a block, some empty
    for (int& x : items) x = static_cast<int>(rng());
    copies.push_back(arena.append(items));
    expected.push_back(items);
  }
  size_t total = 0;
  for (size_t i = 0; i < copies.size(); ++i) {
    ASSERT_EQ(std::vector<int>(copies[i].begin(), copies[i].end()), expected[i]) << i;
    total += expected[i].size();
  }
  EXPECT_EQ(arena.size(), total);
  const size_t reserved = arena.reserved();
  arena.clear();
  EXPECT_EQ(arena.size(), 0u);
  // The same appends again fit in the blocks kept.
  for (const auto& items : expected) arena.append(items);
  EXPECT_EQ(arena.reserved(), reserved);
  EXPECT_EQ(arena.size(), total);
}

TEST(AppendArena, HoldsStringsAsViews) {
  AppendArena<char> arena(16);
  const std::string text = "a string longer than one block of sixteen chars";
  const auto copy = arena.append(text);
  EXPECT_EQ(std::string_view(copy.data(), copy.size()), text);
}

}  // namespace
}  // namespace nnlat
