#include "nnlat/app/report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "app/report_analysis_charts.hpp"
#include "app/report_charts.hpp"
#include "app/report_page.hpp"
#include "app/report_tables.hpp"
#include "nnlat/app/analyze.hpp"
#include "nnlat/app/learning_curve.hpp"
#include "nnlat/app/training_data.hpp"
#include "nnlat/features/kernel_features.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {
namespace {

// The store's only target when none is given; an error naming them when there are several.
Result<std::string> pick_target(const store::Store& store, const std::string& db, const std::string& target) {
  if (!target.empty()) return target;
  NNLAT_ASSIGN_OR_RETURN(const auto stats, store.stats());
  if (stats.per_target.size() == 1) return stats.per_target.front().target;
  std::string names;
  for (const auto& t : stats.per_target) names += (names.empty() ? "" : ", ") + t.target;
  return make_error(ErrorCode::kInvalidArgument,
                    stats.per_target.empty() ? db + ": the store holds no measurements"
                                             : fmt::format("{}: --target is required, the store holds {} targets: {}",
                                                           db, stats.per_target.size(), names));
}

// Where and how the target was measured: the environment of its first network measurement
// (a kernel measurement when it measured no network).
Result<std::vector<std::pair<std::string, std::string>>> environment_summary(const store::Store& store,
                                                                             const std::string& target) {
  nlohmann::json env;
  std::string first_created;
  auto visit = [&](const store::MeasurementRow& row) -> Status {
    if (!env.is_null() && row.kind == store::MeasurementKind::kKernel) return Status::Ok();
    if (env.is_null() || first_created.empty()) {
      env = nlohmann::json::parse(row.environment_json, nullptr, /*allow_exceptions=*/false);
      if (env.is_discarded() || !env.is_object()) env = nlohmann::json::object();
      first_created = row.created;
    }
    return Status::Ok();
  };
  NNLAT_RETURN_IF_ERROR(store.for_each_measurement(target, visit));
  auto field = [&](const char* key) -> std::string {
    if (!env.contains(key)) return "unknown";
    return env[key].is_string() ? env[key].get<std::string>() : env[key].dump();
  };
  // An imported dataset records the machine that imported it, not the device that measured.
  if (field("backend").starts_with("dataset")) {
    return std::vector<std::pair<std::string, std::string>>{
        {"Measured by", fmt::format("{} (the device's own environment is not in the dataset)", field("backend"))},
        {"Imported", fmt::format("by nnlat {} on {}", field("nnlat_version"), first_created)},
    };
  }
  return std::vector<std::pair<std::string, std::string>>{
      {"CPU", fmt::format("{} ({} logical CPUs, {})", field("cpu_model"), field("cpu_cores"), field("machine"))},
      {"Operating system", field("kernel")},
      {"Backend", fmt::format("{} {}, {} thread(s)", field("backend"), field("backend_version"), field("threads"))},
      {"Measured by", fmt::format("nnlat {} from {}", field("nnlat_version"), first_created)},
  };
}

std::string now_utc() {
  return measure::iso8601_utc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// The network whose breakdown is drawn: the one named, else the slowest with in-network
// kernel rows (a measured breakdown), else the slowest.
Result<size_t> pick_network(const predictors::TrainingSet& data, const std::string& name) {
  if (data.networks.empty()) return make_error(ErrorCode::kNotFound, data.target + ": no network was measured");
  if (!name.empty()) {
    for (size_t i = 0; i < data.networks.size(); ++i) {
      if (data.networks[i].name == name) return i;
    }
    return make_error(ErrorCode::kNotFound,
                      fmt::format("--network {}: no network of that name was measured on {}", name, data.target));
  }
  std::vector<bool> has_breakdown(data.networks.size(), false);
  for (const auto& k : data.kernels) {
    if (k.network) has_breakdown[*k.network] = true;
  }
  const bool any = std::find(has_breakdown.begin(), has_breakdown.end(), true) != has_breakdown.end();
  size_t best = data.networks.size();
  for (size_t i = 0; i < data.networks.size(); ++i) {
    if (any && !has_breakdown[i]) continue;
    if (best == data.networks.size() || data.networks[i].latency_ms > data.networks[best].latency_ms) best = i;
  }
  return best;
}

// The measured bar and how it was measured: the network's kernels timed inside its run (a
// profiler's or a dataset's per-kernel breakdown), else its kernels measured in isolation
// (`profile kernels --from`, matched by hash) when every one was, else the end-to-end figure
// alone; the rest of the end-to-end latency is the overhead.
std::pair<std::vector<BreakdownBar>, std::string> measured_breakdown(const predictors::TrainingSet& data,
                                                                     size_t network) {
  std::map<std::string, double> in_run;
  std::map<std::string, const predictors::KernelExample*> isolated;  // by hash
  size_t timed = 0;
  for (const auto& k : data.kernels) {
    if (k.network == network) {
      in_run[std::string(features::family_name(k.features.family))] += k.latency_ms;
      ++timed;
    } else if (!k.network) {
      isolated.emplace(k.hash, &k);
    }
  }
  std::string how = fmt::format("{} kernels timed inside the run", timed);
  if (in_run.empty()) {
    const auto& hashes = data.networks[network].kernels.hashes;
    for (const auto& hash : hashes) {
      const auto it = isolated.find(hash);
      if (it == isolated.end()) {
        in_run.clear();
        break;
      }
      in_run[std::string(features::family_name(it->second->features.family))] += it->second->latency_ms;
    }
    how = in_run.empty() ? "no per-kernel timing in the store"
                         : fmt::format("its {} kernels measured in isolation (profile kernels)", hashes.size());
  }
  const double total = data.networks[network].latency_ms;
  if (in_run.empty()) return {{{"measured", "end to end (no per-kernel measurement)", total}}, how};
  std::vector<BreakdownBar> bars;
  double sum = 0;
  for (const auto& [family, ms] : in_run) {
    bars.push_back({"measured", family, ms});
    sum += ms;
  }
  bars.push_back({"measured", "overhead", total - sum});
  return {bars, how};
}

// The breakdown chart and table of one network, predicted by a model trained without it.
Status add_breakdown(size_t network, const predictors::TrainingSet& data, const predictors::TrainOptions& options,
                     Page& page) {
  const std::vector<size_t> held_out = {network};
  const auto kernel_rows = predictors::kernel_rows_excluding(data, held_out);
  std::vector<size_t> network_rows;
  for (size_t i = 0; i < data.networks.size(); ++i) {
    if (i != network) network_rows.push_back(i);
  }
  auto train = options;
  train.calibrate = false;
  auto predictor = predictors::LatencyPredictor::train(data, kernel_rows, network_rows, train);
  if (!predictor.ok()) return predictor.error().with_context("breakdown of " + data.networks[network].name);
  const auto prediction = predictor->predict(data.networks[network].kernels);
  auto bars = predicted_breakdown(prediction);
  if (bars.empty()) bars.push_back({"predicted", "end to end (the method predicts no kernels)", prediction.latency_ms});
  const auto [measured, how] = measured_breakdown(data, network);
  bars.insert(bars.end(), measured.begin(), measured.end());
  const auto& net = data.networks[network];
  page.charts.push_back(breakdown_chart(
      net.name, bars,
      fmt::format("{} ({} kernels) on {}: time per kernel family. Predicted by {} trained on the other {} networks "
                  "and {} kernels (this network and its kernels held out): {:.3f} ms. Measured: {:.3f} ms end to end "
                  "(median over its measurements){}. \"overhead\" is the end-to-end latency minus the kernels' sum.",
                  net.name, net.kernels.kernels.size(), data.target, predictors::method_name(options.method),
                  network_rows.size(), kernel_rows.size(), prediction.latency_ms, net.latency_ms, ", " + how)));
  auto table = breakdown_table(bars);
  table.title += ": " + net.name;
  page.tables.push_back(std::move(table));
  return Status::Ok();
}

ReportResult finish(const Page& page, const std::string& target, const std::string& path) {
  ReportResult result;
  result.output = path;
  result.target = target;
  for (const auto& c : page.charts) result.charts.push_back(c.id);
  result.notes = page.notes;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  result.bytes = ec ? 0 : static_cast<size_t>(size);
  return result;
}

void add_eval_plots(const EvalResult& eval, double nominal, Page& page) {
  page.charts.push_back(predicted_vs_measured_chart(eval));
  page.charts.push_back(error_cdf_chart(eval));
  page.charts.push_back(family_error_chart(eval));
  page.charts.push_back(interval_coverage_chart(eval, nominal));
  page.tables.push_back(accuracy_table(eval));
  page.tables.push_back(family_table(eval));
}

// The scaling and implementation plots of `target`, from `nnlat analyze` on the whole store
// (thread scaling compares the device's core sets, each its own target); a note for each plot
// the store holds no data for.
void add_analysis_plots(const std::string& db, const std::string& target, Page& page) {
  AnalyzeRequest request;
  request.db = db;
  const auto analysis = analyze(request);
  if (!analysis.ok()) {
    page.notes.push_back(
        "Thread scaling and implementation maps are not drawn: `nnlat analyze` failed on this "
        "store: " +
        analysis.error().message);
    return;
  }
  const auto name = measure::parse_target_name(target);
  const std::string device = name.ok() ? name->device : target;
  const bool scaling = std::any_of(analysis->threads.begin(), analysis->threads.end(),
                                   [&](const auto& g) { return g.device == device; });
  if (scaling) {
    page.charts.push_back(scaling_chart(analysis->threads, device));
  } else {
    page.notes.push_back(
        fmt::format("No thread or core-set scaling plot: the store holds no two core sets of {} "
                    "with a one-core baseline (`nnlat analyze` threads).",
                    device));
  }
  const auto it = std::find_if(analysis->implementations.begin(), analysis->implementations.end(),
                               [&](const auto& a) { return a.target == target; });
  if (it != analysis->implementations.end()) {
    page.charts.push_back(implementation_map_chart(*it));
  } else {
    page.notes.push_back(
        fmt::format("No implementation map: no kernel timed on {} names the implementation its "
                    "runtime chose (GPU delegates do; XNNPACK does not).",
                    target));
  }
}

}  // namespace

nlohmann::json ReportResult::to_json() const {
  nlohmann::json j = {{"output", output}, {"target", target}, {"charts", charts}, {"notes", notes}, {"bytes", bytes}};
  if (eval) j["eval"] = eval->to_json();
  return j;
}

std::string ReportResult::to_text() const {
  std::string ids;
  for (const auto& id : charts) ids += (ids.empty() ? "" : ", ") + id;
  std::string text = eval ? eval->to_text() + "\n" : "";
  text += fmt::format("wrote {} ({:.1f} MB, {} charts: {}) for {}\n", output, static_cast<double>(bytes) / 1e6,
                      charts.size(), ids, target);
  for (const auto& note : notes) text += "note: " + note + "\n";
  return text;
}

Status check_report_library() {
  const auto& library = embedded_charting_library();
  if (!library.missing_reason.empty()) NNLAT_RETURN_IF_ERROR(render_page(Page{}, library));
  return Status::Ok();
}

Result<ReportResult> report(const ReportRequest& request) {
  if (request.output.empty()) return make_error(ErrorCode::kInvalidArgument, "-o/--output is required");
  NNLAT_RETURN_IF_ERROR(check_report_library());  // before minutes of training, not after
  std::error_code ec;  // Store::open would create a missing file: a typo must not leave an empty store
  if (!std::filesystem::exists(request.db, ec)) return make_error(ErrorCode::kNotFound, request.db + ": no such store");
  NNLAT_ASSIGN_OR_RETURN(const auto measurements, store::Store::open(request.db));
  NNLAT_ASSIGN_OR_RETURN(const std::string target, pick_target(measurements, request.db, request.target));
  NNLAT_ASSIGN_OR_RETURN(const auto environment, environment_summary(measurements, target));
  NNLAT_ASSIGN_OR_RETURN(const auto data,
                         load_training_set_from(request.db, target, "", "", request.training.correct_drift));
  // A wrong --network fails now, not after minutes of training.
  NNLAT_ASSIGN_OR_RETURN(const size_t breakdown_network, pick_network(data, request.network));

  EvalRequest eval_request;
  eval_request.db = request.db;
  eval_request.target = target;
  eval_request.cv = request.cv;
  eval_request.training = request.training;
  NNLAT_ASSIGN_OR_RETURN(const auto eval, evaluate(eval_request));
  NNLAT_ASSIGN_OR_RETURN(const auto options, make_train_options(request.training));

  Page page;
  page.title = "nnlat report: " + target;
  page.summary = {{"Target", target},
                  {"Store", request.db},
                  {"Measured", fmt::format("{} networks, {} kernel rows ({} subjects flagged unstable)",
                                           data.networks.size(), data.kernels.size(), data.unstable)},
                  {"Method", request.training.method},
                  {"Evaluation", eval.protocol}};
  page.summary.insert(page.summary.end(), environment.begin(), environment.end());
  page.summary.push_back({"Report", fmt::format("written {} by nnlat {}", now_utc(), NNLAT_VERSION)});
  add_eval_plots(eval, request.training.coverage, page);
  if (request.learning_curve) {
    LearningCurveRequest curve_request;
    curve_request.db = request.db;
    curve_request.target = target;
    curve_request.kernel_budgets = request.kernel_budgets;
    curve_request.repeats = request.curve_repeats;
    curve_request.training = request.training;
    curve_request.training.calibrate = false;
    NNLAT_ASSIGN_OR_RETURN(const auto curve, learning_curve(curve_request));
    page.charts.push_back(learning_curve_chart(curve, ""));
    page.tables.push_back(learning_curve_table(curve));
  } else {
    page.notes.push_back("The learning curve is left out (--no-learning-curve).");
  }
  NNLAT_RETURN_IF_ERROR(add_breakdown(breakdown_network, data, options, page));
  add_analysis_plots(request.db, target, page);
  NNLAT_RETURN_IF_ERROR(write_page(page, request.output));
  auto result = finish(page, target, request.output);
  result.eval = eval;
  return result;
}

Result<ReportResult> write_eval_report(const EvalRequest& request, const EvalResult& eval, const std::string& path) {
  Page page;
  page.title = "nnlat eval: " + eval.target;
  page.summary = {
      {"Target", eval.target},
      {"Store", request.db},
      {"Measured", fmt::format("{} networks, {} kernel rows", eval.networks_measured, eval.kernels_measured)},
      {"Method", request.predictor.empty() ? request.training.method : "predictor " + request.predictor},
      {"Evaluation", eval.protocol},
      {"Report", fmt::format("written {} by nnlat {}", now_utc(), NNLAT_VERSION)}};
  add_eval_plots(eval, request.training.coverage, page);
  NNLAT_RETURN_IF_ERROR(write_page(page, path));
  return finish(page, eval.target, path);
}

Result<ReportResult> write_predict_report(const PredictResult& predict, const std::string& path) {
  Page page;
  page.title = "nnlat predict: " + predict.target;
  page.summary = {{"Target", predict.target},
                  {"Predictor", fmt::format("{} ({})", predict.predictor, predict.method)},
                  {"Models", std::to_string(predict.models.size())},
                  {"Report", fmt::format("written {} by nnlat {}", now_utc(), NNLAT_VERSION)}};
  std::vector<BreakdownBar> bars;
  Table table{
      .title = "Predicted latency",
      .header = {"model", "kernels", "predicted (ms)", "interval (ms)", "kernel sum (ms)", "extrapolated kernels"},
      .rows = {}};
  for (const auto& m : predict.models) {
    for (auto bar : predicted_breakdown(m.prediction)) {
      bar.bar = m.name;
      bars.push_back(std::move(bar));
    }
    if (m.prediction.kernels.empty()) bars.push_back({m.name, "end to end", m.prediction.latency_ms});
    const auto& p = m.prediction;
    table.rows.push_back({m.name, std::to_string(m.kernels), fmt::format("{:.3f}", p.latency_ms),
                          fmt::format("{:.3f} .. {:.3f}", p.low_ms, p.high_ms), fmt::format("{:.3f}", p.kernel_sum_ms),
                          std::to_string(p.extrapolated_kernels)});
  }
  auto chart = breakdown_chart(
      "predicted time per kernel family", bars,
      fmt::format("Predicted latency of {} model(s) on {} by {} ({}), split by kernel family; \"overhead\" is what "
                  "the composition adds to the kernels' sum. Predictions only: nothing here was measured.",
                  predict.models.size(), predict.target, predict.method, predict.predictor));
  chart.title = "Predicted time per kernel family";
  page.charts.push_back(std::move(chart));
  page.tables.push_back(std::move(table));
  if (predict.failure) page.notes.push_back("Stopped at a model that failed: " + predict.failure->message);
  NNLAT_RETURN_IF_ERROR(write_page(page, path));
  return finish(page, predict.target, path);
}

}  // namespace nnlat::app
