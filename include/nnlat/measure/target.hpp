// Targets are named `device:config:precision` (DESIGN.md "Words"), e.g.
// `local:xnnpack-t2:float`, `pixel4:gpu:float`, `s10:2large:quant`.
#pragma once

#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"

namespace nnlat::measure {

struct TargetName {
  std::string device;     // "local", "pixel4", "h100"
  std::string config;     // "xnnpack-t2", "gpu", "1large", "opencl-pocl"
  std::string precision;  // "float", "quant", "fp16"

  // A bare name (config and precision empty) is the name alone: `import csv` names a target
  // exactly as its column, e.g. "pixel2".
  std::string str() const {
    return config.empty() && precision.empty() ? device : device + ":" + config + ":" + precision;
  }
  friend bool operator==(const TargetName&, const TargetName&) = default;
};

// Exactly three non-empty parts separated by ':', or one bare name without ':' (a target
// imported from a user's table); characters limited to [A-Za-z0-9._-].
Result<TargetName> parse_target_name(std::string_view text);

}  // namespace nnlat::measure
