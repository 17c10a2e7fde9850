#include "predictors/network_features.hpp"

#include <algorithm>
#include <cmath>

namespace nnlat::predictors {
namespace {

float log2p(double x) { return static_cast<float>(std::log2(1.0 + std::max(x, 0.0))); }

}  // namespace

const std::vector<std::string>& network_feature_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (auto f : features::all_families()) {
      names.push_back(std::string(features::family_name(f)) + "_count");
      names.push_back(std::string(features::family_name(f)) + "_log2_macs");
    }
    for (const char* n : {"log2_macs", "log2_params", "kernels", "log2_bytes"}) names.emplace_back(n);
    return names;
  }();
  return kNames;
}

std::vector<float> network_features(const NetworkKernels& network) {
  std::vector<double> count(features::kNumFamilies, 0.0);
  std::vector<double> macs(features::kNumFamilies, 0.0);
  double bytes = 0;
  for (const auto& f : network.features) {
    count[static_cast<size_t>(f.family)] += 1;
    macs[static_cast<size_t>(f.family)] += static_cast<double>(f.macs);
    bytes += static_cast<double>(f.bytes);
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
  return row;
}

}  // namespace nnlat::predictors
