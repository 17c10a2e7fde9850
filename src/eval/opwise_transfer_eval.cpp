#include "nnlat/eval/opwise_transfer_eval.hpp"

#include "nnlat/predictors/opwise_transfer.hpp"

namespace nnlat::eval {

Result<MethodReport> evaluate_opwise_transfer(const predictors::TrainingSet& source,
                                              const predictors::TrainingSet& target, const std::vector<Split>& splits,
                                              const predictors::TrainOptions& source_options, bool repeated) {
  auto source_model = predictors::LatencyPredictor::train(source, source_options);
  if (!source_model.ok()) return source_model.error().with_context("op-wise transfer source " + source.target);
  MethodReport report;
  report.method = source_options.method;
  const std::vector<double> kernel_sums = measured_kernel_sums(target);
  for (size_t s = 0; s < splits.size(); ++s) {
    auto model = predictors::OpwiseTransfer::fit(*source_model, target, splits[s].train_networks);
    if (!model.ok()) return model.error().with_context("op-wise transfer, split " + std::to_string(s + 1));
    for (size_t n : splits[s].test_networks) {
      const auto& net = target.networks[n];
      const double ms = model->predict_ms(net.kernels);
      // No interval: low = high = the prediction (the coverage column means nothing here).
      report.results.push_back(
          {net.name, net.family, net.latency_ms, ms, ms, ms, static_cast<int>(s), 0.0, kernel_sums[n]});
    }
  }
  NNLAT_RETURN_IF_ERROR(summarise_report(report, repeated, static_cast<int>(splits.size())));
  return report;
}

}  // namespace nnlat::eval
