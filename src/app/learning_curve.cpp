#include "nnlat/app/learning_curve.hpp"

#include <fmt/core.h>

#include <fstream>

#include "nnlat/app/training_data.hpp"

namespace nnlat::app {
namespace {

Status write_csv(const std::string& path, const LearningCurveResult& r) {
  std::ofstream out(path);
  out << "method,kernels,networks,test_networks,repeats,mape,mape_std,rmspe,acc5,acc10,kendall_tau,spearman\n";
  for (const auto& p : r.curve.points) {
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", r.method, p.kernels, p.networks, r.curve.test_networks,
                       p.repeats, p.mean.mape, p.mape_std, p.mean.rmspe, p.mean.acc5, p.mean.acc10, p.mean.kendall_tau,
                       p.mean.spearman);
  }
  if (!out) return make_error(ErrorCode::kIoError, path + ": cannot write");
  return Status::Ok();
}

}  // namespace

nlohmann::json LearningCurveResult::to_json() const {
  nlohmann::json pts = nlohmann::json::array();
  for (const auto& p : curve.points) {
    nlohmann::json m = eval::metrics_to_json(p.mean);
    m["kernels"] = p.kernels;
    m["networks"] = p.networks;
    m["mape_std"] = p.mape_std;
    m["repeats"] = p.repeats;
    pts.push_back(m);
  }
  return {{"target", target}, {"method", method}, {"test_networks", curve.test_networks}, {"points", pts}};
}

Result<LearningCurveResult> learning_curve(const LearningCurveRequest& request) {
  NNLAT_ASSIGN_OR_RETURN(auto train, make_train_options(request.training));
  NNLAT_ASSIGN_OR_RETURN(auto data, load_training_set_from(request.db, request.target, request.rules,
                                                           request.transfer_from, request.training.correct_drift));
  eval::LearningCurveOptions options;
  options.train = std::move(train);
  options.kernel_budgets = request.kernel_budgets;
  options.network_budgets = request.network_budgets;
  options.test_fraction = request.test_fraction;
  options.repeats = request.repeats;
  options.seed = request.training.seed;
  LearningCurveResult result;
  result.target = request.target;
  result.method = request.training.method;
  result.repeats = request.repeats;
  auto curve = eval::learning_curve(data, options);
  if (!curve.ok()) return curve.error().with_context(request.target);
  result.curve = std::move(*curve);
  if (!request.csv.empty()) NNLAT_RETURN_IF_ERROR(write_csv(request.csv, result));
  return result;
}

}  // namespace nnlat::app
