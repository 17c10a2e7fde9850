// IEEE 754 binary16 <-> float on the host, for fp16 storage: graph inputs are converted
// before upload and outputs after download (outside run()). Kernels use vload_half /
// vstore_half, core OpenCL 1.2 functions that need no cl_khr_fp16.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace nnlat::backends::opencl {

// Round to nearest, ties to even (vstore_half's default); overflow gives infinity, NaN a
// quiet NaN.
uint16_t float_to_half(float value);
float half_to_float(uint16_t bits);

std::vector<uint16_t> to_half(std::span<const float> values);
std::vector<float> from_half(std::span<const uint16_t> values);

}  // namespace nnlat::backends::opencl
