// The one place that includes the OpenCL headers: the backend is written against the
// OpenCL 1.2 API (what phone drivers offer), so newer entry points are hidden.
#pragma once

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include <string>

namespace nnlat::backends::opencl {

// "CL_OUT_OF_RESOURCES (-5)" for an OpenCL status code.
std::string cl_error_name(cl_int code);

}  // namespace nnlat::backends::opencl
