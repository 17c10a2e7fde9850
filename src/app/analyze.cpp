#include "nnlat/app/analyze.hpp"

#include <filesystem>

namespace nnlat::app {
namespace {

using Json = nlohmann::ordered_json;

template <class T, class F>
Json array_of(const std::vector<T>& items, F&& to_json) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

Json correlation_json(const eval::Correlation& c) {
  return {{"family", c.family}, {"networks", c.networks}, {"pearson", c.pearson}, {"spearman", c.spearman}};
}

Json flops_json(const eval::FlopsAnalysis& f) {
  return {{"target", f.target},
          {"all", correlation_json(f.all)},
          {"families", array_of(f.families, correlation_json)},
          {"misranked", array_of(f.misranked, [](const eval::MisrankedNetwork& m) {
             return Json{{"network", m.name},
                         {"family", m.family},
                         {"macs", m.macs},
                         {"latency_ms", m.latency_ms},
                         {"macs_rank", m.macs_rank},
                         {"latency_rank", m.latency_rank},
                         {"displacement", m.displacement},
                         {"ms_per_gmac", m.ms_per_gmac}};
           })}};
}

Json shares_json(const std::vector<eval::ClassShare>& shares) {
  return array_of(shares, [](const eval::ClassShare& s) {
    return Json{{"class", s.kernel_class}, {"kernels", s.kernels}, {"ms", s.ms}, {"share", s.share}};
  });
}

Json breakdown_json(const eval::BreakdownAnalysis& b) {
  return {{"target", b.target},
          {"networks", b.networks},
          {"pooled", shares_json(b.pooled)},
          {"overhead_share_median", b.overhead_share_median},
          {"overhead_share_pooled", b.overhead_share_pooled},
          {"per_network", array_of(b.per_network, [](const eval::NetworkBreakdown& n) {
             return Json{{"network", n.name},
                         {"family", n.family},
                         {"latency_ms", n.latency_ms},
                         {"kernels_ms", n.kernels_ms},
                         {"overhead_share", n.overhead_share},
                         {"classes", shares_json(n.classes)}};
           })}};
}

Json threads_json(const eval::ThreadsAnalysis& t) {
  return {
      {"device", t.device},
      {"framework", t.framework},
      {"precision", t.precision},
      {"suffix", t.suffix},
      {"points", array_of(t.points,
                          [](const eval::ScalingPoint& p) {
                            return Json{
                                {"target", p.target},
                                {"core_set", p.core_set},
                                {"cluster", p.cluster},
                                {"threads", p.threads},
                                {"single_cluster", p.single_cluster},
                                {"baseline", p.baseline},
                                {"networks", p.networks},
                                {"speedup", p.speedup},
                                {"efficiency", p.efficiency},
                                {"families", array_of(p.families, [](const eval::FamilySpeedup& f) {
                                   return Json{{"family", f.family}, {"networks", f.networks}, {"speedup", f.speedup}};
                                 })}};
                          })},
      {"clusters", array_of(t.clusters, [](const eval::ClusterScaling& c) {
         return Json{{"cluster", c.cluster},
                     {"threads", c.threads},
                     {"speedups", c.speedups},
                     {"saturates_at", c.saturates_at}};
       })}};
}

Json implementation_shares_json(const std::vector<eval::ImplementationShare>& shares) {
  return array_of(shares, [](const eval::ImplementationShare& s) {
    return Json{{"implementation", s.implementation}, {"kernels", s.kernels}, {"share", s.share}};
  });
}

Json implementations_json(const eval::ImplementationAnalysis& a) {
  return {{"target", a.target},
          {"classes", array_of(a.classes, [](const eval::ClassImplementations& c) {
             return Json{{"class", c.kernel_class},
                         {"kernels", c.kernels},
                         {"implementations", implementation_shares_json(c.implementations)},
                         {"buckets", array_of(c.buckets, [](const eval::ShapeBucket& b) {
                            return Json{{"kernel_size", b.kernel_size},
                                        {"stride", b.stride},
                                        {"in_channels", {b.in_channels_min, b.in_channels_max}},
                                        {"out_size", {b.out_size_min, b.out_size_max}},
                                        {"kernels", b.kernels},
                                        {"implementations", implementation_shares_json(b.implementations)}};
                          })}};
           })}};
}

Json disagreement_json(const eval::Disagreement& d) {
  return {{"target_a", d.target_a},
          {"target_b", d.target_b},
          {"networks", d.networks},
          {"shared", d.shared},
          {"differing", d.differing},
          {"classes", array_of(d.classes, [](const eval::ClassDisagreement& c) {
             return Json{{"class", c.kernel_class},
                         {"shared", c.shared},
                         {"differing", c.differing},
                         {"pairs", array_of(c.pairs, [](const eval::ImplementationPair& p) {
                            return Json{{"a", p.a}, {"b", p.b}, {"kernels", p.kernels}};
                          })}};
           })}};
}

Json framework_family_json(const eval::FrameworkFamily& f) {
  return {{"family", f.family},
          {"networks", f.networks},
          {"latency_ratio", f.latency_ratio},
          {"kernels_a", f.kernels_a},
          {"kernels_b", f.kernels_b}};
}

Json framework_json(const eval::FrameworkComparison& c) {
  return {{"target_a", c.target_a},
          {"target_b", c.target_b},
          {"timed_kernels", c.timed_kernels},
          {"all", framework_family_json(c.all)},
          {"families", array_of(c.families, framework_family_json)}};
}

Json noise_json(const eval::NoiseAnalysis& n) {
  return {{"target", n.target},
          {"networks", n.networks},
          {"median_cv", n.median_cv},
          {"p90_cv", n.p90_cv},
          {"max_cv", n.max_cv},
          {"unstable", n.unstable},
          {"repeated", n.repeated},
          {"campaign_spread_median", n.campaign_spread_median},
          {"noisiest", array_of(n.noisiest, [](const eval::NoisyNetwork& x) {
             return Json{{"network", x.name}, {"cv", x.cv}, {"unstable", x.unstable}};
           })}};
}

}  // namespace

Result<AnalyzeResult> analyze(const AnalyzeRequest& request) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(request.db, ec)) {
    return make_error(ErrorCode::kNotFound, request.db + ": no such store");
  }
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(request.db));
  NNLAT_ASSIGN_OR_RETURN(auto data, eval::load_target_data(store, request.targets));
  if (data.empty()) return make_error(ErrorCode::kNotFound, request.db + ": no network measurements to analyse");
  AnalyzeResult r;
  r.db = request.db;
  for (const auto& d : data) {
    r.targets.push_back(d.target);
    r.flops.push_back(eval::analyze_flops(d, request.top));
    if (auto b = eval::analyze_breakdown(d)) r.breakdown.push_back(std::move(*b));
    if (auto i = eval::analyze_implementations(d)) r.implementations.push_back(std::move(*i));
    r.noise.push_back(eval::analyze_noise(d, request.top));
  }
  r.threads = eval::analyze_threads(data);
  r.disagreements = eval::analyze_disagreements(data);
  r.frameworks = eval::analyze_frameworks(data);
  return r;
}

nlohmann::ordered_json AnalyzeResult::to_json() const {
  return {{"schema", "nnlat-analyze"},
          {"version", 1},
          {"db", db},
          {"targets", targets},
          {"flops", array_of(flops, flops_json)},
          {"breakdown", array_of(breakdown, breakdown_json)},
          {"threads", array_of(threads, threads_json)},
          {"implementations", array_of(implementations, implementations_json)},
          {"disagreements", array_of(disagreements, disagreement_json)},
          {"frameworks", array_of(frameworks, framework_json)},
          {"noise", array_of(noise, noise_json)}};
}

}  // namespace nnlat::app
