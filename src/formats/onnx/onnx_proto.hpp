// The ONNX protobuf, checker and shape-inference headers, included as system headers so that
// their own warnings do not trip -Wall -Wextra -Wpedantic -Werror in nnlat's sources.
#pragma once
#pragma GCC system_header

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
