// min_cost_assignment (core/assignment.hpp) against every permutation of small matrices.
#include "nnlat/core/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace nnlat {
namespace {

double total(const std::vector<double>& cost, size_t n, const std::vector<size_t>& columns) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += cost[i * n + columns[i]];
  return sum;
}

TEST(Assignment, MatchesTheBestOfAllPermutations) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> draw(-3.0, 10.0);
  for (size_t n = 1; n <= 6; ++n) {
    for (int trial = 0; trial < 30; ++trial) {
      std::vector<double> cost(n * n);
      for (double& c : cost) c = trial % 3 == 0 ? std::round(draw(rng)) : draw(rng);  // ties too
      auto got = min_cost_assignment(cost, n);
      ASSERT_TRUE(got.ok()) << got.error().message;
      std::vector<size_t> sorted = *got;
      std::sort(sorted.begin(), sorted.end());
      std::vector<size_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      ASSERT_EQ(sorted, perm) << "not a permutation";
      double best = total(cost, n, perm);
      while (std::next_permutation(perm.begin(), perm.end())) best = std::min(best, total(cost, n, perm));
      EXPECT_NEAR(total(cost, n, *got), best, 1e-9) << "n=" << n << " trial=" << trial;
    }
  }
}

TEST(Assignment, KnownCaseAndEmpty) {
  // Row 0 prefers column 1, row 1 column 0, row 2 column 2.
  const std::vector<double> cost = {5, 1, 9, 2, 6, 9, 9, 9, 0};
  auto got = min_cost_assignment(cost, 3);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (std::vector<size_t>{1, 0, 2}));
  auto empty = min_cost_assignment({}, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Assignment, BadInputIsAnError) {
  EXPECT_FALSE(min_cost_assignment({1, 2, 3}, 2).ok());
  EXPECT_FALSE(min_cost_assignment({1, std::nan(""), 3, 4}, 2).ok());
}

}  // namespace
}  // namespace nnlat
