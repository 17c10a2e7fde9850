// The CLI's commands as Python functions: profile, train, eval, analyze. Each takes the options the
// CLI takes, under their JSON keys (docs/options.md: warmup_runs, rounds, gbdt_rounds, ...),
// and returns the dict that the command's `--json` prints.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "errors.hpp"
#include "json_convert.hpp"
#include "nnlat/app/analyze.hpp"
#include "nnlat/app/evaluate.hpp"
#include "nnlat/app/profile.hpp"
#include "nnlat/app/train.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::python {
namespace py = pybind11;

namespace {

// The protocol and schedule options of a profile call, from its **kwargs.
void read_measurement_options(const py::kwargs& kwargs, campaigns::ProfileRequest& request, std::string_view call) {
  const nlohmann::json values = from_python(kwargs);
  std::vector<std::string> known;
  add_field_keys(measure::protocol_option_fields(), known);
  add_field_keys(measure::schedule_option_fields(), known);
  reject_unknown_keys(values, known, call);
  read_options(values, request.protocol, measure::protocol_option_fields(), "measurement protocol");
  read_options(values, request.schedule, measure::schedule_option_fields(), "measurement schedule");
  check(measure::validate(request.protocol));
  check(measure::validate(request.schedule));
}

// The regressor hyperparameters of a train or eval call, from its **kwargs (not seed and
// threads: the call's own arguments, as on the CLI).
void read_regressor_options(const py::kwargs& kwargs, app::TrainingFlags& flags, std::string_view call) {
  const nlohmann::json values = from_python(kwargs);
  std::vector<std::string> known;
  for (const auto& f : predictors::regressor_option_fields()) {
    if (f.stored && f.key != "seed" && f.key != "threads") known.emplace_back(f.key);
  }
  reject_unknown_keys(values, known, call);
  read_options(values, flags.regressor, predictors::regressor_option_fields(), "regressor options");
}

app::ProfileJob make_job(const std::string& target, const std::string& db,
                         const std::optional<std::vector<std::string>>& references, uint64_t weight_seed,
                         const std::string& repeat, const std::string& devices, const py::kwargs& kwargs,
                         std::string_view call) {
  app::ProfileJob job;
  job.target = target;
  job.db = db;
  if (references) job.campaign.references = *references;
  job.campaign.weight_seed = weight_seed;
  job.campaign.repeat_tag = repeat;
  if (!devices.empty()) job.campaign.devices_file = devices;
  read_measurement_options(kwargs, job.campaign, call);
  return job;
}

template <class R>
py::object run_released(const std::function<Result<R>()>& call) {
  std::optional<Result<R>> result;
  {
    py::gil_scoped_release release;
    result.emplace(call());
  }
  return to_python(unwrap(std::move(*result)).to_json());
}

app::TrainingFlags training_flags(const std::string& method, uint64_t seed, double coverage, int threads,
                                  bool calibrate, bool correct_drift, const py::kwargs& kwargs, std::string_view call) {
  app::TrainingFlags flags;
  flags.method = method;
  flags.seed = seed;
  flags.coverage = coverage;
  flags.threads = threads;
  flags.calibrate = calibrate;
  flags.correct_drift = correct_drift;
  read_regressor_options(kwargs, flags, call);
  return flags;
}

}  // namespace

void bind_commands(py::module_& m) {
  m.def(
      "profile_networks",
      [](const std::vector<std::string>& models, const std::string& target, const std::string& db,
         const std::optional<std::vector<std::string>>& references, uint64_t weight_seed, const std::string& repeat,
         const std::string& devices, const py::kwargs& kwargs) {
        const auto job = make_job(target, db, references, weight_seed, repeat, devices, kwargs, "profile_networks");
        const auto expanded = unwrap(models::expand_model_references(models));
        return run_released<app::ProfileResult>([&] { return app::profile_networks(job, expanded, {}); });
      },
      py::arg("models"), py::kw_only(), py::arg("target") = "local:xnnpack-t1:float", py::arg("db") = "nnlat.db",
      py::arg("references") = std::nullopt, py::arg("weight_seed") = 0, py::arg("repeat") = "", py::arg("devices") = "",
      "`nnlat profile networks`: measures each model (references or directories) end to end on target into the "
      "store db, resumably (the same call again measures only what is missing). Measurement options by their JSON "
      "keys (docs/options.md), e.g. warmup_runs=1, min_repeats=5, min_time_s=0, rounds=1, cooldown_s=2, "
      "max_freq_drop=0.1. references: networks re-measured each round ([] for none; None: the default). Returns "
      "the `--json` summary.");

  m.def(
      "profile_kernels",
      [](const std::optional<std::vector<std::string>>& from_models, const std::string& sample_family,
         const std::optional<std::vector<std::string>>& around, int64_t n, uint64_t seed, const std::string& rules,
         const std::string& target, const std::string& db, const std::optional<std::vector<std::string>>& references,
         uint64_t weight_seed, const std::string& repeat, const std::string& devices, const py::kwargs& kwargs) {
        const auto job = make_job(target, db, references, weight_seed, repeat, devices, kwargs, "profile_kernels");
        app::KernelSelection selection;
        if (from_models) selection.from = unwrap(models::expand_model_references(*from_models));
        selection.sample_family = sample_family;
        if (around) selection.around = *around;
        selection.n = n;
        selection.seed = seed;
        selection.rules = rules;
        return run_released<app::ProfileResult>([&] { return app::profile_kernels(job, selection, {}); });
      },
      py::kw_only(), py::arg("from_models") = std::nullopt, py::arg("sample_family") = "",
      py::arg("around") = std::nullopt, py::arg("n") = 50, py::arg("seed") = 0, py::arg("rules") = "",
      py::arg("target") = "local:xnnpack-t1:float", py::arg("db") = "nnlat.db", py::arg("references") = std::nullopt,
      py::arg("weight_seed") = 0, py::arg("repeat") = "", py::arg("devices") = "",
      "`nnlat profile kernels`: measures standalone kernels, exactly one selection of: from_models (every distinct "
      "kernel of these networks), sample_family (n sampled kernels of a family), around (n kernels sampled near "
      "those of these networks). Measurement options as for profile_networks. Returns the `--json` summary.");

  m.def(
      "train",
      [](const std::string& db, const std::string& target, const std::string& output, const std::string& method,
         const std::string& rules, const std::string& transfer_from, uint64_t seed, double coverage, int threads,
         bool calibrate, bool correct_drift, const py::kwargs& kwargs) {
        app::TrainRequest request;
        request.db = db;
        request.target = target;
        request.output = output;
        request.rules = rules;
        request.transfer_from = transfer_from;
        request.training = training_flags(method, seed, coverage, threads, calibrate, correct_drift, kwargs, "train");
        return run_released<app::TrainResult>([&] { return app::train(request); });
      },
      py::arg("db"), py::arg("target"), py::arg("output"), py::kw_only(), py::arg("method") = "opwise-gbdt",
      py::arg("rules") = "", py::arg("transfer_from") = "", py::arg("seed") = 0, py::arg("coverage") = 0.9,
      py::arg("threads") = 1, py::arg("calibrate") = true, py::arg("correct_drift") = false,
      "`nnlat train`: fits a predictor for target from the store db and writes it to output. Regressor "
      "hyperparameters by their JSON keys (docs/options.md), e.g. gbdt_rounds=200. Returns the `--json` summary; "
      "load the file with Predictor.load(output).");

  m.def(
      "evaluate",
      [](const std::string& db, const std::string& target, const std::string& predictor, const std::string& method,
         const std::string& cv, size_t train_size, int repeats,
         const std::optional<std::vector<std::string>>& baselines, const std::string& rules,
         const std::string& transfer_from, const std::string& csv, uint64_t seed, int threads, bool calibrate,
         bool correct_drift, bool calibrate_drift, const py::kwargs& kwargs) {
        app::EvalRequest request;
        request.db = db;
        request.target = target;
        request.predictor = predictor;
        request.cv = cv;
        request.train_size = train_size;
        request.repeats = repeats;
        if (baselines) request.baselines = *baselines;
        request.rules = rules;
        request.transfer_from = transfer_from;
        request.csv = csv;
        request.calibrate_drift = calibrate_drift;
        request.training = training_flags(method, seed, 0.9, threads, calibrate, correct_drift, kwargs, "evaluate");
        return run_released<app::EvalResult>([&] { return app::evaluate(request); });
      },
      py::arg("db"), py::kw_only(), py::arg("target") = "", py::arg("predictor") = "",
      py::arg("method") = "opwise-gbdt", py::arg("cv") = "5", py::arg("train_size") = 0, py::arg("repeats") = 10,
      py::arg("baselines") = std::nullopt, py::arg("rules") = "", py::arg("transfer_from") = "", py::arg("csv") = "",
      py::arg("seed") = 0, py::arg("threads") = 1, py::arg("calibrate") = true, py::arg("correct_drift") = false,
      py::arg("calibrate_drift") = false,
      "`nnlat eval`: cross-validated accuracy of method on target's networks in db (cv='5' folds by network, "
      "'family' leave-one-family-out, or train_size>0 repeated draws) beside the baselines, with the noise floor; "
      "or of a trained predictor file. Returns the `--json` object (reports per method: MAPE, within_10, ...).");

  m.def(
      "analyze",
      [](const std::string& db, const std::optional<std::vector<std::string>>& targets, size_t top) {
        app::AnalyzeRequest request{db, targets.value_or(std::vector<std::string>{}), top};
        return run_released<app::AnalyzeResult>([&] { return app::analyze(request); });
      },
      py::arg("db"), py::kw_only(), py::arg("targets") = std::nullopt, py::arg("top") = 5,
      "`nnlat analyze`: the characterisation of db's targets (all, or `targets`) from measurements alone: FLOPs "
      "vs latency, where the time goes, threads and core sets, implementation choice, frameworks, noise. Returns "
      "the `--json` object (docs/analyze.md).");
}

}  // namespace nnlat::python
