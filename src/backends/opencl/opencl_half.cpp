#include "backends/opencl/opencl_half.hpp"

#include <cmath>

namespace nnlat::backends::opencl {

uint16_t float_to_half(float value) {
  if (std::isnan(value)) return 0x7e00;
  const uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  const double a = std::fabs(static_cast<double>(value));
  // 65504 is the largest half; values from halfway to the next step (65520) round up to inf.
  if (a >= 65520.0) return sign | 0x7c00;
  if (a < std::ldexp(1.0, -14)) {
    // Subnormal: units of 2^-24; a carry into 1024 is exactly the smallest normal's bits.
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(std::nearbyint(std::ldexp(a, 24))));
  }
  int e = 0;
  const double fraction = std::frexp(a, &e);  // a = fraction * 2^e, fraction in [0.5, 1)
  const int exponent = e - 1;                 // a = 1.m * 2^exponent
  const auto mantissa = static_cast<uint32_t>(std::nearbyint((fraction * 2.0 - 1.0) * 1024.0));
  // A mantissa rounded up to 1024 carries into the exponent, which is the right result
  // (and 65504 < a < 65520 never reaches the infinity pattern: handled above).
  return static_cast<uint16_t>(sign | ((static_cast<uint32_t>(exponent + 15) << 10) + mantissa));
}

float half_to_float(uint16_t bits) {
  const bool negative = (bits & 0x8000) != 0;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  double v = 0;
  if (exponent == 0) {
    v = std::ldexp(static_cast<double>(mantissa), -24);
  } else if (exponent == 31) {
    v = mantissa == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(1.0 + static_cast<double>(mantissa) / 1024.0, exponent - 15);
  }
  return static_cast<float>(negative ? -v : v);
}

std::vector<uint16_t> to_half(std::span<const float> values) {
  std::vector<uint16_t> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = float_to_half(values[i]);
  return out;
}

std::vector<float> from_half(std::span<const uint16_t> values) {
  std::vector<float> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = half_to_float(values[i]);
  return out;
}

}  // namespace nnlat::backends::opencl
