// Internal: builders of the mobile-oriented zoo families (one file each).
#pragma once

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

Result<ir::Graph> build_mobilenet_v2(const ZooParams& p);

}  // namespace nnlat::models
