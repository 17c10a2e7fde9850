// Append-only storage whose elements never move: copies of spans of trivially copyable
// values, laid end to end in large blocks. The NAS encoding predictor keeps its memoised
// plans (kernel pointers) and their encodings (chars) here instead of a std::vector and a
// std::string per entry, so that memoising a plan costs no allocation and the memo's hash
// table (core/flat_hash_map.hpp) can hold plain views into it.
//
// clear() forgets the contents and keeps the blocks for the next fill (a memo cleared and
// refilled batch after batch does not return to the allocator, nor fault fresh pages in, each
// time); the views it returned are then invalid. Not thread-safe (callers lock).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

namespace nnlat {

template <class T>
class AppendArena {
  static_assert(std::is_trivially_copyable_v<T>, "AppendArena copies elements bytewise");

 public:
  // Blocks hold at least `block_elements` elements (more for a longer span).
  explicit AppendArena(size_t block_elements = 1 << 16) : block_elements_(std::max<size_t>(block_elements, 1)) {}

  // A copy of `items`, valid until clear() (appends never move earlier copies).
  std::span<T> append(std::span<const T> items) {
    while (current_ < blocks_.size() && blocks_[current_].capacity - used_ < items.size()) {
      ++current_;  // a block too full (or too small) for this span: the next, kept or new
      used_ = 0;
    }
    if (current_ == blocks_.size()) {
      const size_t capacity = std::max(block_elements_, items.size());
      blocks_.push_back({std::make_unique_for_overwrite<T[]>(capacity), capacity});
      used_ = 0;
    }
    T* at = blocks_[current_].data.get() + used_;
    std::copy(items.begin(), items.end(), at);
    used_ += items.size();
    size_ += items.size();
    return {at, items.size()};
  }

  // Elements appended since the last clear.
  size_t size() const { return size_; }
  // Elements the blocks can hold in all (kept across clear).
  size_t reserved() const {
    size_t n = 0;
    for (const auto& b : blocks_) n += b.capacity;
    return n;
  }

  void clear() {
    current_ = 0;
    used_ = 0;
    size_ = 0;
  }

 private:
  struct Block {
    std::unique_ptr<T[]> data;
    size_t capacity = 0;
  };
  size_t block_elements_;
  std::vector<Block> blocks_;
  size_t current_ = 0;  // the block being filled
  size_t used_ = 0;     // elements used in it
  size_t size_ = 0;
};

}  // namespace nnlat
