#include "predictors/network_features.hpp"

#include <algorithm>
#include <cmath>

namespace nnlat::predictors {
namespace {

float log2p(double x) { return static_cast<float>(std::log2(1.0 + std::max(x, 0.0))); }

// Grouped (not depthwise) convolutions are their own runtime story: TFLite's multi-threaded
// CPU kernels run them several times slower per MAC than dense ones (RegNets on the phones'
// small cores), so they get their own count and MACs.
size_t conv_groups_index() {
  static const size_t index = [] {
    const auto& names = features::feature_names(features::KernelFamily::kConv);
    return static_cast<size_t>(std::find(names.begin(), names.end(), "groups") - names.begin());
  }();
  return index;
}

}  // namespace

const std::vector<std::string>& network_feature_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (auto f : features::all_families()) {
      names.push_back(std::string(features::family_name(f)) + "_count");
      names.push_back(std::string(features::family_name(f)) + "_log2_macs");
    }
    for (const char* n :
         {"log2_macs", "log2_params", "kernels", "log2_bytes", "grouped_conv_count", "grouped_conv_log2_macs"})
      names.emplace_back(n);
    return names;
  }();
  return kNames;
}

std::vector<float> network_features(const NetworkKernels& network) {
  std::vector<double> count(features::kNumFamilies, 0.0);
  std::vector<double> macs(features::kNumFamilies, 0.0);
  double bytes = 0;
  double grouped = 0;
  double grouped_macs = 0;
  const size_t groups_at = conv_groups_index();
  for (const auto& f : network.features) {
    count[static_cast<size_t>(f.family)] += 1;
    macs[static_cast<size_t>(f.family)] += static_cast<double>(f.macs);
    bytes += static_cast<double>(f.bytes);
    if (f.family == features::KernelFamily::kConv && groups_at < f.count && f.values[groups_at] > 1.0f) {
      grouped += 1;
      grouped_macs += static_cast<double>(f.macs);
    }
  }
  std::vector<float> row;
  row.reserve(network_feature_names().size());
  for (size_t i = 0; i < features::kNumFamilies; ++i) {
    row.push_back(static_cast<float>(count[i]));
    row.push_back(log2p(macs[i]));
  }
  row.push_back(log2p(static_cast<double>(network.macs)));
  row.push_back(log2p(static_cast<double>(network.params)));
  row.push_back(static_cast<float>(network.features.size()));
  row.push_back(log2p(bytes));
  row.push_back(static_cast<float>(grouped));
  row.push_back(log2p(grouped_macs));
  return row;
}

}  // namespace nnlat::predictors
