// Mobile-oriented zoo families with the figures their papers publish.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_mobile.hpp"

namespace nnlat::models {

std::span<const ZooEntry> mobile_zoo_entries() {
  static const ZooEntry entries[] = {
      {"mobilenet_v2", "MobileNetV2", "inverted residuals with linear bottlenecks", 224, 300.0, 3.47,
       "Sandler et al. 2018, Table 4 (300M MAdds); params 3.47M from the official TF-slim release table "
       "(the paper rounds to 3.4M)",
       build_mobilenet_v2},
  };
  return entries;
}

}  // namespace nnlat::models
