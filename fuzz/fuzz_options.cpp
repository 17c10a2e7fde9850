// Option JSON as nnlat stores and reads it: the measurement protocol (stored with every
// measurement, sent to runners), the regressor options of a predictor file and a devices
// file's entry. An accepted value validates or is refused clearly, and what validates writes
// back to JSON that reads again to the same value.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "nnlat/backends/remote_device.hpp"
#include "nnlat/core/options_json.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/predictors/regressor.hpp"

namespace {

using nnlat::fuzz::fail;
using nnlat::fuzz::require_clear_error;

void protocol(const nlohmann::json& json) {
  auto options = nnlat::measure::protocol_from_json(json);
  if (!options.ok()) return require_clear_error(options.error(), "protocol");
  if (auto valid = nnlat::measure::validate(*options); !valid.ok()) {
    return require_clear_error(valid.error(), "protocol validation");
  }
  const auto written = nnlat::measure::protocol_to_json(*options);
  auto again = nnlat::measure::protocol_from_json(written);
  if (!again.ok()) fail("protocol: written options do not read back: " + again.error().message);
  if (nnlat::measure::protocol_to_json(*again) != written) fail("protocol: the round trip changed the options");
}

void regressor(const nlohmann::json& json) {
  nnlat::predictors::RegressorOptions options;
  auto read = nnlat::options::from_json(json, options, nnlat::predictors::regressor_option_fields(), "regressor",
                                        nnlat::options::Missing::kDefault);
  if (!read.ok()) return require_clear_error(read.error(), "regressor options");
  if (auto valid = nnlat::predictors::validate_regressor_options(options); !valid.ok()) {
    return require_clear_error(valid.error(), "regressor options validation");
  }
}

void device(const nlohmann::json& json) {
  auto d = nnlat::backends::remote_device_from_json(json);
  if (!d.ok()) return require_clear_error(d.error(), "device");
  const auto written = nnlat::backends::to_json(*d);
  auto again = nnlat::backends::remote_device_from_json(written);
  if (!again.ok()) fail("device: a written entry does not read back: " + again.error().message);
  if (nnlat::backends::to_json(*again) != written) fail("device: the round trip changed the entry");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto json = nlohmann::json::parse(nnlat::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;
  protocol(json);
  regressor(json);
  device(json);
  return 0;
}
