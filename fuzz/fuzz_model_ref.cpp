// Model references as the CLI takes them (`zoo:NAME?width=..`, `nb201:|..|`, `space:SPACE:..`,
// and `nb101:` whose spec file holds the rest of the input) → graph → kernels → features →
// prediction. File paths are not fuzzed here: the format targets read those bytes.
#include "fuzz_support.hpp"
#include "nnlat/models/model_ref.hpp"

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = nnlat::fuzz::as_text(data, size);
  std::string reference;
  if (starts_with(input, "nb101:")) {
    reference = "nb101:" + nnlat::fuzz::write_scratch_file("nb101.json", input.substr(6));
  } else if (starts_with(input, "zoo:") || starts_with(input, "nb201:") || starts_with(input, "space:")) {
    reference = std::string(input);
  } else {
    return 0;
  }
  nnlat::fuzz::check_import(nnlat::models::load_model(reference), "model reference");
  return 0;
}
