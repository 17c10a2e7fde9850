// One self-contained HTML page: a summary of the target and environment at the top, then the
// charts (Vega-Lite specs drawn by the charting library inlined into the page), then the
// tables. The page writes its own status (#nnlat-status) once every chart has rendered, which
// is what the headless-browser test reads.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/charting_library.hpp"
#include "app/report_charts.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct Page {
  std::string title;
  std::vector<std::pair<std::string, std::string>> summary;  // label, value
  std::vector<Chart> charts;
  std::vector<Table> tables;
  std::vector<std::string> notes;  // what the page leaves out and why, in words
};

// The page as HTML. An error when the charting library was not installed at build time (the
// page would draw nothing) or a script cannot be inlined safely.
Result<std::string> render_page(const Page& page, const ChartingLibrary& library);
// render_page with the embedded library, written to `path`.
Status write_page(const Page& page, const std::string& path);

}  // namespace nnlat::app
