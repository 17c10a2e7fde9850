// An insert-only hash map over one flat array of slots (open addressing, linear probing).
//
// Why not std::unordered_map: the NAS encoding predictor's memos (issue 15: NB201 cold at
// >= 200,000 networks/s on one core) look up and insert tens of millions of entries a
// second, and std::unordered_map spends most of that allocating a node per entry and chasing
// bucket pointers (perf: 19% of a cold NB201 prediction). Why not absl::flat_hash_map: the
// project would depend on abseil for one table; this one does only what the memos use.
//
// What it does and does not do:
// - find and try_emplace (heterogeneous: `Hash` and `Equal` may take other types than Key,
//   e.g. std::string_view for std::string keys); no erase, so no tombstones: memos only grow
//   until they are cleared.
// - clear() forgets every entry (their slots are reset to Key{} and Value{}) and keeps the
//   capacity, for a memo cleared and filled again batch after batch.
// - Entries move when the table grows: a pointer from find or try_emplace is valid until the
//   next insertion or clear, never across them.
// - Key and Value must be default-constructible and movable; not thread-safe (callers lock).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace nnlat {

template <class Key, class Value, class Hash, class Equal = std::equal_to<>>
class FlatHashMap {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return slots_.size(); }

  template <class K>
  const Value* find(const K& key) const {
    if (size_ == 0) return nullptr;
    const uint64_t h = spread(key);
    const uint8_t tag = tag_of(h);
    for (size_t i = home(h);; i = (i + 1) & mask_) {
      if (tags_[i] == kEmpty) return nullptr;
      if (tags_[i] == tag && equal_(slots_[i].key, key)) return &slots_[i].value;
    }
  }
  template <class K>
  Value* find(const K& key) {
    return const_cast<Value*>(std::as_const(*this).find(key));
  }

  // Inserts Key(key) -> Value(args...) unless the key is present. Returns the entry's value
  // and whether it was inserted.
  template <class K, class... Args>
  std::pair<Value*, bool> try_emplace(K&& key, Args&&... args) {
    if ((size_ + 1) * kMaxLoadDenominator > slots_.size() * kMaxLoadNumerator) grow();
    const uint64_t h = spread(key);
    const uint8_t tag = tag_of(h);
    size_t i = home(h);
    for (; tags_[i] != kEmpty; i = (i + 1) & mask_) {
      if (tags_[i] == tag && equal_(slots_[i].key, key)) return {&slots_[i].value, false};
    }
    tags_[i] = tag;
    slots_[i].key = Key(std::forward<K>(key));
    slots_[i].value = Value(std::forward<Args>(args)...);
    ++size_;
    return {&slots_[i].value, true};
  }

  // Room for `n` entries without growing.
  void reserve(size_t n) {
    while (n * kMaxLoadDenominator > slots_.size() * kMaxLoadNumerator) grow();
  }

  void clear() {
    if (size_ == 0) return;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (tags_[i] != kEmpty) slots_[i] = Slot{};
      tags_[i] = kEmpty;
    }
    size_ = 0;
  }

  // Calls visit(key, value) for every entry, in no particular order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (tags_[i] != kEmpty) visit(slots_[i].key, slots_[i].value);
    }
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
  };
  static constexpr uint8_t kEmpty = 0;
  // At most half full: a miss (the common case of a cold memo) then probes about 2.5 slots.
  static constexpr size_t kMaxLoadNumerator = 1, kMaxLoadDenominator = 2;
  static constexpr size_t kInitialCapacity = 16;

  // Fibonacci hashing: the slot comes from the high bits of the hash times 2^64/phi, so that
  // weak hashes (std::hash of an integer is the integer) still spread over the table.
  template <class K>
  uint64_t spread(const K& key) const {
    return static_cast<uint64_t>(hash_(key)) * 0x9e3779b97f4a7c15ull;
  }
  size_t home(uint64_t h) const { return static_cast<size_t>(h >> shift_); }
  // A non-zero byte of the hash (bits the slot index does not use) compared before the keys,
  // so that a probe rarely calls Equal on keys that differ.
  static uint8_t tag_of(uint64_t h) { return static_cast<uint8_t>(0x80u | (h & 0x7fu)); }

  void grow() {
    const size_t capacity = slots_.empty() ? kInitialCapacity : slots_.size() * 2;
    std::vector<Slot> old_slots(capacity);
    std::vector<uint8_t> old_tags(capacity, kEmpty);
    old_slots.swap(slots_);
    old_tags.swap(tags_);
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    for (size_t i = 0; i < old_slots.size(); ++i) {
      if (old_tags[i] == kEmpty) continue;
      const uint64_t h = spread(old_slots[i].key);
      size_t j = home(h);
      while (tags_[j] != kEmpty) j = (j + 1) & mask_;
      tags_[j] = old_tags[i];
      slots_[j] = std::move(old_slots[i]);
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint8_t> tags_;  // per slot: kEmpty or tag_of(its key's spread hash)
  size_t size_ = 0;
  size_t mask_ = 0;
  unsigned shift_ = 64;
  [[no_unique_address]] Hash hash_{};
  [[no_unique_address]] Equal equal_{};
};

}  // namespace nnlat
