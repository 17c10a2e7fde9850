// Folds, draws and quantiles (see sampling.hpp). Written out rather than taken from <random>'s
// distributions so that folds are the same with every standard library.
#include "nnlat/core/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>

namespace nnlat {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::kInvalidArgument, std::move(message)); }

// Uniform draw from [0, n), n > 0, by rejection: values below 2^64 mod n are dropped so the
// rest split evenly into n residues. Written out (rather than uniform_int_distribution)
// because the standard fixes mt19937_64's output but not the distributions' algorithms, and
// folds must be the same with every standard library.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t reject_below = (uint64_t{0} - n) % n;
  for (;;) {
    const uint64_t r = rng();
    if (r >= reject_below) return r % n;
  }
}

// Fisher-Yates, our own (std::shuffle's algorithm is unspecified, so its result is not
// portable across standard libraries).
template <class T>
void shuffle_in_place(std::vector<T>& values, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<size_t>(uniform_below(rng, static_cast<uint64_t>(i)));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

Result<std::vector<int>> kfold_assignment(size_t n, int k, uint64_t seed) {
  if (k < 2) return invalid("kfold_assignment: k = " + std::to_string(k) + " must be at least 2");
  if (static_cast<size_t>(k) > n) {
    return invalid("kfold_assignment: k = " + std::to_string(k) + " folds need at least k items, got " +
                   std::to_string(n));
  }
  // Deal fold labels round-robin (sizes differ by at most one), then shuffle the labels:
  // balance is exact whatever the shuffle does.
  std::vector<int> folds(n);
  for (size_t i = 0; i < n; ++i) folds[i] = static_cast<int>(i % static_cast<size_t>(k));
  shuffle_in_place(folds, seed);
  return folds;
}

std::vector<size_t> seeded_permutation(size_t n, uint64_t seed) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  shuffle_in_place(order, seed);
  return order;
}

Result<std::vector<size_t>> sample_without_replacement(size_t n, size_t count, uint64_t seed) {
  if (count > n) {
    return invalid("sample_without_replacement: cannot draw " + std::to_string(count) + " distinct indices from " +
                   std::to_string(n));
  }
  // Partial Fisher-Yates over the virtual array 0..n-1, storing only the displaced slots so
  // memory is O(count) even when n is a whole search space. Step i swaps slot i with a
  // uniform slot in [i, n); slot i then holds the i-th draw.
  std::mt19937_64 rng(seed);
  std::unordered_map<size_t, size_t> displaced;
  displaced.reserve(2 * count);
  const auto slot = [&](size_t s) {
    const auto it = displaced.find(s);
    return it == displaced.end() ? s : it->second;
  };
  std::vector<size_t> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t j = i + static_cast<size_t>(uniform_below(rng, static_cast<uint64_t>(n - i)));
    const size_t drawn = slot(j);
    displaced[j] = slot(i);  // slot i is never read again, so only j needs updating
    out.push_back(drawn);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double quantile(std::vector<double> values, double q) {
  // The API returns a plain double, so misuse (empty input, NaN anywhere) yields NaN rather
  // than an error; NaN values would also break the ordering nth_element relies on.
  if (values.empty() || std::isnan(q)) return std::nan("");
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) return std::nan("");
  q = std::clamp(q, 0.0, 1.0);
  // numpy's default ("linear"): position q * (n - 1) between the two neighbouring order
  // statistics. nth_element keeps it O(n); the upper neighbour is the minimum of the rest.
  const double pos = q * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const double t = pos - static_cast<double>(lo);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  if (lo + 1 >= values.size() || t == 0) return a;
  const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1, values.end());
  // numpy's _lerp: interpolate from the nearer end so q = 1 gives b exactly and the result
  // stays monotonic in q.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

}  // namespace nnlat
