// The charting library that HTML reports inline: Vega, Vega-Lite and vega-embed's minified
// builds, embedded into the binary at build time (cmake/embed_charting.cmake), so a report
// opens offline and nnlat downloads nothing at run time.
#pragma once

#include <string_view>

namespace nnlat::app {

struct ChartingScript {
  std::string_view source;   // minified JavaScript; empty when not installed at build time
  std::string_view version;  // the npm package's version
};

struct ChartingLibrary {
  ChartingScript vega;
  ChartingScript vega_lite;
  ChartingScript vega_embed;
  // Non-empty when the build could not install the packages (no npm, registry unreachable):
  // why, in words. The scripts are then all empty.
  std::string_view missing_reason;
};

const ChartingLibrary& embedded_charting_library();

}  // namespace nnlat::app
