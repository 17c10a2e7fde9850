// The report's charts drawn from `nnlat analyze` (eval/analysis.hpp): thread and core-set
// scaling, and the GPU implementation maps. Measurements only, never predictions.
#pragma once

#include <string>
#include <vector>

#include "app/report_charts.hpp"
#include "nnlat/eval/analysis.hpp"

namespace nnlat::app {

// Speed-up against threads, one panel per framework and precision of `device`, one line per
// cluster (rows: the core sets drawn).
Chart scaling_chart(const std::vector<eval::ThreadsAnalysis>& groups, const std::string& device);
// Per kernel class, a heat map of shape buckets coloured by the implementation the runtime
// picked most often.
Chart implementation_map_chart(const eval::ImplementationAnalysis& analysis);

}  // namespace nnlat::app
