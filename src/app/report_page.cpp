#include "app/report_page.hpp"

#include <fmt/core.h>

#include <fstream>

namespace nnlat::app {
namespace {

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON inside a <script> element: "</" would end the element early, so it is written "<\/"
// (the same string to a JSON parser).
std::string script_json(const nlohmann::json& value) {
  std::string text = value.dump();
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

Status check_script(std::string_view name, const ChartingScript& script) {
  if (script.source.empty()) return make_error(ErrorCode::kInternal, fmt::format("{} is empty", name));
  if (script.source.find("</script") != std::string_view::npos) {
    return make_error(ErrorCode::kInternal, fmt::format("{} contains '</script' and cannot be inlined", name));
  }
  return Status::Ok();
}

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
table.summary td { text-align: left; }
figure { margin: 1.5em 0; } figcaption { color: #555; font-size: .9em; max-width: 900px; margin-top: .4em; }
.note { color: #8a5a00; } #nnlat-status { color: #999; font-size: .8em; margin-top: 3em; }
)";

// Embeds every chart, then writes how many rendered (or the first error) into #nnlat-status.
constexpr std::string_view kDrawScript = R"(
(function () {
  const status = document.getElementById('nnlat-status');
  const fail = (message) => { status.dataset.state = 'error'; status.textContent = 'error: ' + message; };
  window.addEventListener('error', (e) => fail(e.message));
  Promise.all(NNLAT_CHARTS.map((c) =>
      vegaEmbed('#' + c.id, c.spec, {mode: 'vega-lite', renderer: 'svg', actions: false})))
    .then(() => {
      let drawn = 0;
      for (const c of NNLAT_CHARTS) {
        const marks = document.querySelectorAll('#' + c.id + ' svg .role-mark > *').length;
        document.getElementById(c.id).dataset.marks = marks;
        if (marks > 0) drawn += 1;
      }
      if (status.dataset.state === 'error') return;
      status.dataset.state = drawn === NNLAT_CHARTS.length ? 'ok' : 'error';
      status.textContent = 'rendered ' + drawn + ' of ' + NNLAT_CHARTS.length + ' charts';
    })
    .catch((e) => fail(e && e.message ? e.message : String(e)));
})();
)";

}  // namespace

Result<std::string> render_page(const Page& page, const ChartingLibrary& library) {
  if (!library.missing_reason.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("the charting library (Vega, Vega-Lite, vega-embed) was not installed when nnlat "
                                  "was built, so a report could not draw its charts: {}; install npm "
                                  "(scripts/install-deps.sh) and rebuild (docs/report.md)",
                                  library.missing_reason));
  }
  NNLAT_RETURN_IF_ERROR(check_script("vega", library.vega));
  NNLAT_RETURN_IF_ERROR(check_script("vega-lite", library.vega_lite));
  NNLAT_RETURN_IF_ERROR(check_script("vega-embed", library.vega_embed));

  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n",
      escape_html(page.title), kStyle);
  for (const auto* script : {&library.vega, &library.vega_lite, &library.vega_embed}) {
    html += "<script>";
    html += script->source;
    html += "</script>\n";
  }
  html += fmt::format("</head>\n<body>\n<h1>{}</h1>\n<table class=\"summary\">\n", escape_html(page.title));
  for (const auto& [label, value] : page.summary) {
    html += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", escape_html(label), escape_html(value));
  }
  html += "</table>\n";
  for (const auto& note : page.notes) html += fmt::format("<p class=\"note\">{}</p>\n", escape_html(note));

  html += "<h2>Plots</h2>\n";
  nlohmann::json charts = nlohmann::json::array();
  for (const auto& chart : page.charts) {
    const std::string id = "chart-" + chart.id;
    html += fmt::format(
        "<figure id=\"figure-{}\">\n<h3>{}</h3>\n<div id=\"{}\" class=\"chart\" data-rows=\"{}\"></div>\n"
        "<figcaption>{}</figcaption>\n</figure>\n",
        chart.id, escape_html(chart.title), id, chart.rows, escape_html(chart.caption));
    charts.push_back({{"id", id}, {"spec", chart.spec}});
  }

  if (!page.tables.empty()) html += "<h2>Tables</h2>\n";
  for (const auto& table : page.tables) {
    html += fmt::format("<h3>{}</h3>\n<table>\n<tr>", escape_html(table.title));
    for (const auto& h : table.header) html += fmt::format("<th>{}</th>", escape_html(h));
    html += "</tr>\n";
    for (const auto& row : table.rows) {
      html += "<tr>";
      for (const auto& cell : row) html += fmt::format("<td>{}</td>", escape_html(cell));
      html += "</tr>\n";
    }
    html += "</table>\n";
  }
  html += fmt::format(
      "<p id=\"nnlat-status\" data-state=\"pending\">charts not drawn yet (JavaScript off?)</p>\n"
      "<p style=\"color:#999;font-size:.8em\">Drawn with Vega {}, Vega-Lite {} and vega-embed {} (BSD-3-Clause), "
      "inlined into this file.</p>\n",
      library.vega.version, library.vega_lite.version, library.vega_embed.version);
  html += "<script>const NNLAT_CHARTS = " + script_json(charts) + ";</script>\n<script>";
  html += kDrawScript;
  html += "</script>\n</body>\n</html>\n";
  return html;
}

Status write_page(const Page& page, const std::string& path) {
  NNLAT_ASSIGN_OR_RETURN(const std::string html, render_page(page, embedded_charting_library()));
  std::ofstream out(path, std::ios::binary);
  out << html;
  out.close();
  if (!out) return make_error(ErrorCode::kIoError, path + ": cannot write the report");
  return Status::Ok();
}

}  // namespace nnlat::app
