// Internal: builders of the hybrid convolution-transformer zoo families (one file each).
#pragma once

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

// levit.cpp
Result<ir::Graph> build_levit_128s(const ZooParams& p);
Result<ir::Graph> build_levit_128(const ZooParams& p);
Result<ir::Graph> build_levit_192(const ZooParams& p);
Result<ir::Graph> build_levit_256(const ZooParams& p);
Result<ir::Graph> build_levit_384(const ZooParams& p);
// efficientformer.cpp
Result<ir::Graph> build_efficientformer_l1(const ZooParams& p);
Result<ir::Graph> build_efficientformer_l3(const ZooParams& p);
Result<ir::Graph> build_efficientformer_l7(const ZooParams& p);
// mobilevit.cpp
Result<ir::Graph> build_mobilevit_xx_small(const ZooParams& p);
Result<ir::Graph> build_mobilevit_x_small(const ZooParams& p);
Result<ir::Graph> build_mobilevit_small(const ZooParams& p);

}  // namespace nnlat::models
