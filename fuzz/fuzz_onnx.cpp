// ONNX model bytes → import (shape inference, verify) → kernels → features → prediction.
#include "fuzz_support.hpp"
#include "nnlat/formats/onnx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nnlat::fuzz::check_import(nnlat::formats::import_onnx_bytes(nnlat::fuzz::as_text(data, size), "fuzz.onnx"), "onnx");
  return 0;
}
