// Internal: builders of the mobile-oriented zoo families (one file each).
#pragma once

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

Result<ir::Graph> build_mobilenet_v1(const ZooParams& p);         // mobilenet_v1.cpp
Result<ir::Graph> build_mobilenet_v2(const ZooParams& p);         // mobilenet_v2.cpp
Result<ir::Graph> build_mobilenet_v3_large(const ZooParams& p);   // mobilenet_v3.cpp
Result<ir::Graph> build_mobilenet_v3_small(const ZooParams& p);   // mobilenet_v3.cpp
Result<ir::Graph> build_mnasnet_a1(const ZooParams& p);           // mnasnet.cpp
Result<ir::Graph> build_proxylessnas_mobile(const ZooParams& p);  // proxylessnas.cpp
Result<ir::Graph> build_efficientnet_b0(const ZooParams& p);      // efficientnet.cpp
Result<ir::Graph> build_efficientnet_lite0(const ZooParams& p);   // efficientnet.cpp
Result<ir::Graph> build_ghostnet(const ZooParams& p);             // ghostnet.cpp

}  // namespace nnlat::models
