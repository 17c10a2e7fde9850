// `nnlat analyze`: the characterisation of targets from a store's measurements (issue 17):
// FLOPs vs latency, where the time goes, threads and core sets, GPU implementation choice,
// frameworks, noise. The analyses are eval/analysis.hpp; this call loads, runs and lays them
// out. The JSON layout is documented in docs/analyze.md and kept stable for scripts and the
// report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/eval/analysis.hpp"

namespace nnlat::app {

struct AnalyzeRequest {
  std::string db;
  std::vector<std::string> targets;  // empty: every target with network measurements
  size_t top = 5;                    // misranked and noisiest networks listed per target
};

struct AnalyzeResult {
  std::string db;
  std::vector<std::string> targets;
  std::vector<eval::FlopsAnalysis> flops;                     // per target
  std::vector<eval::BreakdownAnalysis> breakdown;             // targets with per-kernel breakdowns
  std::vector<eval::ThreadsAnalysis> threads;                 // per device, framework and precision
  std::vector<eval::ImplementationAnalysis> implementations;  // targets whose kernels name one
  std::vector<eval::Disagreement> disagreements;              // pairs of devices of one config
  std::vector<eval::FrameworkComparison> frameworks;          // TFLite vs PyTorch Mobile pairs
  std::vector<eval::NoiseAnalysis> noise;                     // per target

  // {"schema": "nnlat-analyze", "version": 1, "db", "targets", "flops", "breakdown",
  //  "threads", "implementations", "disagreements", "frameworks", "noise"} (docs/analyze.md).
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;  // analyze_text.cpp
};

// Errors: a missing store file, an unknown target (naming the store), a breakdown that does
// not match the target's rule set.
Result<AnalyzeResult> analyze(const AnalyzeRequest& request);

}  // namespace nnlat::app
