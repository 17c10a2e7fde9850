// A synthetic target for tests and benchmarks of the learners: kernel latencies follow a
// known roofline and networks add a known dispatch overhead, so a learner can be checked
// against what was put in, and training/prediction speed measured on any number of rows.
// Nothing here is a measurement; never report these numbers as latencies.
#pragma once

#include <cstdint>

#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

struct SyntheticTarget {
  double constant_ms = 0.05;
  double per_kernel_ms = 0.004;
  double scale = 1.15;
  double kernel_ms(const features::KernelFeatures& f) const;
};

// `nb201` + `mbv2` networks sampled from their spaces, all their distinct kernels, then kernels
// sampled around them (and from the generic prior once the neighbourhood is exhausted) until
// there are `total_kernels` kernels in all; rules "xnnpack", one thread.
Result<TrainingSet> make_synthetic_training_set(const SyntheticTarget& target, int nb201, int mbv2,
                                                int64_t total_kernels, uint64_t seed);

}  // namespace nnlat::predictors
