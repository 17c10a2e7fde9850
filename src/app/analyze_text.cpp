// AnalyzeResult::to_text: one plain-text section per analysis, for a terminal.
#include <fmt/core.h>

#include "nnlat/app/analyze.hpp"

namespace nnlat::app {
namespace {

std::string percent(double share) { return fmt::format("{:.1f}%", 100 * share); }

std::string range(int64_t lo, int64_t hi) { return lo == hi ? std::to_string(lo) : fmt::format("{}-{}", lo, hi); }

void flops_section(const AnalyzeResult& r, std::string& out) {
  out += "== FLOPs (MACs) vs latency: Pearson of values, Spearman of ranks\n";
  out += fmt::format("{:<32} {:>8} {:>8} {:>9}  {}\n", "target", "networks", "pearson", "spearman",
                     "most misranked (latency rank - MACs rank)");
  for (const auto& f : r.flops) {
    std::string worst;
    for (const auto& m : f.misranked)
      worst += fmt::format("{}{} ({:+.0f})", worst.empty() ? "" : ", ", m.name, m.displacement);
    out += fmt::format("{:<32} {:>8} {:>8.3f} {:>9.3f}  {}\n", f.target, f.all.networks, f.all.pearson, f.all.spearman,
                       worst);
    std::string families;
    for (const auto& c : f.families) {
      families += fmt::format("{}{} {:.2f} ({})", families.empty() ? "" : ", ", c.family, c.spearman, c.networks);
    }
    if (!families.empty()) out += "    per family, Spearman (networks): " + families + "\n";
  }
}

void breakdown_section(const AnalyzeResult& r, std::string& out) {
  out += "\n== Where the time goes: share of kernel time per class; overhead = 1 - sum(kernels) / end to end\n";
  if (r.breakdown.empty()) out += "no target has per-kernel breakdowns\n";
  for (const auto& b : r.breakdown) {
    std::string classes;
    for (const auto& s : b.pooled) {
      if (s.share >= 0.005)
        classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", s.kernel_class, percent(s.share));
    }
    out += fmt::format("{:<32} {:>3} networks, overhead median {}, pooled {}\n    {}\n", b.target, b.networks,
                       percent(b.overhead_share_median), percent(b.overhead_share_pooled), classes);
  }
}

void threads_section(const AnalyzeResult& r, std::string& out) {
  out += "\n== Threads and core sets: speed-up over one core of the set's first cluster (geometric mean)\n";
  if (r.threads.empty()) out += "no core set measured beside a one-core baseline\n";
  for (const auto& t : r.threads) {
    out += fmt::format("{} {} {}{}\n", t.device, t.framework, t.precision, t.suffix.empty() ? "" : " " + t.suffix);
    out += fmt::format("    {:<12} {:>7} {:>9} {:>10} {:>8}  {}\n", "core set", "threads", "speed-up", "efficiency",
                       "networks", "baseline");
    for (const auto& p : t.points) {
      out += fmt::format("    {:<12} {:>7} {:>9.2f} {:>10} {:>8}  {}", p.core_set, p.threads, p.speedup,
                         percent(p.efficiency), p.networks, p.baseline);
      // The families that gain least and most (3 networks or more: fewer say little).
      const eval::FamilySpeedup *low = nullptr, *high = nullptr;
      for (const auto& f : p.families) {
        if (f.networks < 3) continue;
        if (!low || f.speedup < low->speedup) low = &f;
        if (!high || f.speedup > high->speedup) high = &f;
      }
      if (low && high && low != high) {
        out += fmt::format("; least {} {:.2f}, most {} {:.2f}", low->family, low->speedup, high->family, high->speedup);
      }
      out += "\n";
    }
    for (const auto& c : t.clusters) {
      out += fmt::format("    {}: ", c.cluster);
      out += c.saturates_at > 0
                 ? fmt::format("adding threads stops helping after {} (next step < +10%)\n", c.saturates_at)
                 : fmt::format("every measured step helps (up to {} threads)\n", c.threads.back());
    }
  }
}

std::string shares_text(const std::vector<eval::ImplementationShare>& shares) {
  std::string s;
  for (const auto& x : shares) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", x.implementation, percent(x.share));
  return s;
}

void implementations_section(const AnalyzeResult& r, std::string& out) {
  out += "\n== Implementation choice per kernel class, by shape (k kernel, s stride, cin input channels, out size)\n";
  if (r.implementations.empty()) out += "no timed kernel names its implementation\n";
  for (const auto& a : r.implementations) {
    out += a.target + "\n";
    for (const auto& c : a.classes) {
      out += fmt::format("    {:<13} {:>5} kernels: {}\n", c.kernel_class, c.kernels, shares_text(c.implementations));
      if (c.implementations.size() < 2) continue;  // no choice made: nothing depends on shape
      // The buckets that only ever use the class's usual implementation say nothing about the
      // choice on a terminal (they are all in the JSON).
      const std::string& usual = c.implementations.front().implementation;
      size_t hidden = 0;
      for (const auto& b : c.buckets) {
        if (b.implementations.size() == 1 && b.implementations.front().implementation == usual) {
          hidden += b.kernels;
          continue;
        }
        out += fmt::format("      k{} s{} cin {:<9} out {:<7} {:>4}: {}\n", b.kernel_size, b.stride,
                           range(b.in_channels_min, b.in_channels_max), range(b.out_size_min, b.out_size_max),
                           b.kernels, shares_text(b.implementations));
      }
      if (hidden > 0) out += fmt::format("      other shapes ({} kernels): {} only\n", hidden, usual);
    }
  }
  if (!r.disagreements.empty()) out += "\n== Where two devices pick another implementation for the same kernel\n";
  for (const auto& d : r.disagreements) {
    out += fmt::format("{} vs {}: {} networks, {} of {} kernels differ ({})\n", d.target_a, d.target_b, d.networks,
                       d.differing, d.shared, percent(d.shared > 0 ? double(d.differing) / double(d.shared) : 0));
    for (const auto& c : d.classes) {
      if (c.differing == 0) continue;
      out += fmt::format("    {:<13} {} of {}", c.kernel_class, c.differing, c.shared);
      if (!c.pairs.empty())
        out += fmt::format(", most often {} vs {} ({})", c.pairs[0].a, c.pairs[0].b, c.pairs[0].kernels);
      out += "\n";
    }
  }
}

void frameworks_section(const AnalyzeResult& r, std::string& out) {
  out += "\n== Frameworks: the same networks (by name), latency ratio b / a (geometric mean)\n";
  if (r.frameworks.empty()) out += "no target measured under both TFLite and PyTorch Mobile\n";
  for (const auto& c : r.frameworks) {
    out +=
        fmt::format("{} vs {}: {} networks, ratio {:.2f}", c.target_a, c.target_b, c.all.networks, c.all.latency_ratio);
    if (c.timed_kernels) out += fmt::format(", kernels per network {:.1f} vs {:.1f}", c.all.kernels_a, c.all.kernels_b);
    out += "\n";
    std::string families;
    for (const auto& f : c.families) {
      families += fmt::format("{}{} {:.2f}", families.empty() ? "" : ", ", f.family, f.latency_ratio);
      if (c.timed_kernels) families += fmt::format(" ({:.0f}/{:.0f} kernels)", f.kernels_a, f.kernels_b);
    }
    out += "    per family: " + families + "\n";
  }
}

void noise_section(const AnalyzeResult& r, std::string& out) {
  out += "\n== Noise: run-to-run CV of the network measurements\n";
  out += fmt::format("{:<32} {:>8} {:>9} {:>7} {:>7} {:>8} {:>8} {:>9}  {}\n", "target", "networks", "median CV",
                     "p90 CV", "max CV", "unstable", "repeated", "spread", "noisiest");
  for (const auto& n : r.noise) {
    std::string noisiest;
    for (size_t i = 0; i < n.noisiest.size() && i < 3; ++i) {
      noisiest += fmt::format("{}{} {}", i ? ", " : "", n.noisiest[i].name, percent(n.noisiest[i].cv));
    }
    out += fmt::format("{:<32} {:>8} {:>9} {:>7} {:>7} {:>8} {:>8} {:>9}  {}\n", n.target, n.networks,
                       percent(n.median_cv), percent(n.p90_cv), percent(n.max_cv), n.unstable, n.repeated,
                       n.repeated ? percent(n.campaign_spread_median) : "-", noisiest);
  }
}

}  // namespace

std::string AnalyzeResult::to_text() const {
  std::string out = fmt::format("{}: {} targets\n", db, targets.size());
  flops_section(*this, out);
  breakdown_section(*this, out);
  threads_section(*this, out);
  implementations_section(*this, out);
  frameworks_section(*this, out);
  noise_section(*this, out);
  return out;
}

}  // namespace nnlat::app
