// TFLite FlatBuffer bytes → import (verifier, shape inference, verify) → kernels → features →
// prediction.
#include "fuzz_support.hpp"
#include "nnlat/formats/tflite.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nnlat::fuzz::check_import(nnlat::formats::import_tflite_bytes(nnlat::fuzz::as_text(data, size), "fuzz.tflite"),
                            "tflite");
  return 0;
}
