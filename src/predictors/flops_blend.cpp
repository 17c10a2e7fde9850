#include "predictors/flops_blend.hpp"

#include <cmath>
#include <limits>

namespace nnlat::predictors {

double vote_flops_weight(std::span<const double> y, std::span<const double> model_loo,
                         std::span<const double> flops_loo) {
  double best_error = std::numeric_limits<double>::infinity();
  double best_weight = 0;
  for (double v : kFlopsBlendWeights) {
    double error = 0;
    for (size_t i = 0; i < y.size(); ++i) error += std::abs((1.0 - v) * model_loo[i] + v * flops_loo[i] - y[i]);
    if (error < best_error) {
      best_error = error;
      best_weight = v;
    }
  }
  return best_weight;
}

}  // namespace nnlat::predictors
