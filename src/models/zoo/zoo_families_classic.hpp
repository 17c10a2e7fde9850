// Internal: builders of the classic (server-era) zoo families (one file each).
#pragma once

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

// resnet.cpp
Result<ir::Graph> build_resnet18(const ZooParams& p);
Result<ir::Graph> build_resnet34(const ZooParams& p);
Result<ir::Graph> build_resnet50(const ZooParams& p);
// squeezenet.cpp
Result<ir::Graph> build_squeezenet1_1(const ZooParams& p);
// shufflenet_v2.cpp
Result<ir::Graph> build_shufflenet_v2(const ZooParams& p);
// regnet.cpp
Result<ir::Graph> build_regnetx_200mf(const ZooParams& p);
Result<ir::Graph> build_regnetx_400mf(const ZooParams& p);
// densenet.cpp
Result<ir::Graph> build_densenet121(const ZooParams& p);
// googlenet.cpp
Result<ir::Graph> build_googlenet(const ZooParams& p);
// inception_v3.cpp
Result<ir::Graph> build_inception_v3(const ZooParams& p);

}  // namespace nnlat::models
