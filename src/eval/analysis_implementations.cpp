// GPU implementation choice: which implementation the runtime picked per kernel class as a
// function of shape, per target, and where two devices of one config pick differently
// (analysis.hpp).
#include <algorithm>
#include <bit>
#include <map>
#include <tuple>

#include "nnlat/eval/analysis.hpp"

namespace nnlat::eval {
namespace {

// [2^k, 2^(k+1) - 1] holding v (v >= 1); {0, 0} for 0.
std::pair<int64_t, int64_t> power_of_two_range(int64_t v) {
  if (v <= 0) return {0, 0};
  const auto low = static_cast<int64_t>(std::bit_floor(static_cast<uint64_t>(v)));
  return {low, 2 * low - 1};
}

std::vector<ImplementationShare> sorted_shares(const std::map<std::string, size_t>& counts) {
  size_t total = 0;
  for (const auto& [name, n] : counts) total += n;
  std::vector<ImplementationShare> out;
  for (const auto& [name, n] : counts) {
    out.push_back({name, n, total > 0 ? static_cast<double>(n) / static_cast<double>(total) : 0});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.kernels > b.kernels; });
  return out;
}

using BucketKey = std::tuple<int64_t, int64_t, int64_t, int64_t>;  // kernel, stride, channels low, size low

}  // namespace

std::optional<ImplementationAnalysis> analyze_implementations(const TargetData& data) {
  std::map<std::string, std::map<std::string, size_t>> per_class;
  std::map<std::string, std::map<BucketKey, std::map<std::string, size_t>>> per_bucket;
  for (const auto& n : data.networks) {
    for (const auto& k : n.timed) {
      if (k.implementation.empty()) continue;
      ++per_class[k.kernel_class][k.implementation];
      const BucketKey key{k.kernel_size, k.stride, power_of_two_range(k.in_channels).first,
                          power_of_two_range(k.out_size).first};
      ++per_bucket[k.kernel_class][key][k.implementation];
    }
  }
  if (per_class.empty()) return std::nullopt;
  ImplementationAnalysis out;
  out.target = data.target;
  for (const auto& [cls, counts] : per_class) {
    ClassImplementations c;
    c.kernel_class = cls;
    c.implementations = sorted_shares(counts);
    for (const auto& s : c.implementations) c.kernels += s.kernels;
    for (const auto& [key, bucket_counts] : per_bucket[cls]) {
      const auto& [kernel, stride, channels, size] = key;
      ShapeBucket b;
      b.kernel_size = kernel;
      b.stride = stride;
      std::tie(b.in_channels_min, b.in_channels_max) = power_of_two_range(channels);
      std::tie(b.out_size_min, b.out_size_max) = power_of_two_range(size);
      b.implementations = sorted_shares(bucket_counts);
      for (const auto& s : b.implementations) b.kernels += s.kernels;
      c.buckets.push_back(std::move(b));
    }
    out.classes.push_back(std::move(c));
  }
  return out;
}

std::vector<Disagreement> analyze_disagreements(const std::vector<TargetData>& data) {
  std::vector<Disagreement> out;
  for (size_t i = 0; i < data.size(); ++i) {
    for (size_t j = i + 1; j < data.size(); ++j) {
      const auto &a = data[i], &b = data[j];
      // Implementations are comparable only within one runtime and API: the same config.
      if (a.name.config != b.name.config || a.name.precision != b.name.precision || a.name.device == b.name.device) {
        continue;
      }
      std::map<std::string, const AnalysisNetwork*> b_networks;
      for (const auto& n : b.networks) {
        if (!n.timed.empty()) b_networks[n.hash] = &n;
      }
      Disagreement d;
      d.target_a = a.target;
      d.target_b = b.target;
      std::map<std::string, std::pair<size_t, std::map<std::pair<std::string, std::string>, size_t>>> classes;
      for (const auto& n : a.networks) {
        const auto it = b_networks.find(n.hash);
        if (n.timed.empty() || it == b_networks.end() || it->second->timed.size() != n.timed.size()) continue;
        ++d.networks;
        for (size_t k = 0; k < n.timed.size(); ++k) {
          const auto& ka = n.timed[k];
          const auto& kb = it->second->timed[k];
          if (ka.implementation.empty() || kb.implementation.empty()) continue;
          auto& c = classes[ka.kernel_class];
          ++c.first;
          if (ka.implementation != kb.implementation) ++c.second[{ka.implementation, kb.implementation}];
        }
      }
      if (d.networks == 0) continue;
      for (const auto& [cls, c] : classes) {
        ClassDisagreement cd;
        cd.kernel_class = cls;
        cd.shared = c.first;
        for (const auto& [pair, count] : c.second) {
          cd.pairs.push_back({pair.first, pair.second, count});
          cd.differing += count;
        }
        std::stable_sort(cd.pairs.begin(), cd.pairs.end(),
                         [](const auto& x, const auto& y) { return x.kernels > y.kernels; });
        d.shared += cd.shared;
        d.differing += cd.differing;
        d.classes.push_back(std::move(cd));
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace nnlat::eval
