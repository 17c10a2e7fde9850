// Options declared once (nnlat/core/options.hpp): every declared struct round-trips through
// JSON, rejects an out-of-bounds value naming its key, and the docs list every field.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "nnlat/app/options_reference.hpp"
#include "nnlat/core/options_json.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "predictors/regressor_impl.hpp"

namespace nnlat {
namespace {

using measure::ProtocolOptions;
using predictors::RegressorKind;
using predictors::RegressorOptions;

// Sets every field to a value other than its default that is still within its bounds.
template <class S>
S all_changed(std::span<const options::Field<S>> fields) {
  S s{};
  for (const auto& f : fields) {
    std::visit(
        [&](auto m) {
          auto& v = s.*m;
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::vector<int>>) {
            v.push_back(7);
          } else if constexpr (std::is_same_v<T, double>) {
            v = f.bounds.max ? *f.bounds.max / 2 : v + 1.5;  // fractions stay in (0, 1]
          } else {
            v = v + 3;
          }
        },
        f.member);
  }
  return s;
}

// A value that breaks the lower bound of `f` (every bounded field declared has one).
template <class S>
void break_bound(S& s, const options::Field<S>& f) {
  ASSERT_TRUE(f.bounds.min.has_value()) << f.key;
  const double min = *f.bounds.min;
  std::visit(
      [&](auto m) {
        auto& v = s.*m;
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::vector<int>>) {
          v = {static_cast<int>(min) - 1};
        } else if constexpr (std::is_same_v<T, double>) {
          v = f.bounds.min_exclusive ? min : min - 0.5;
        } else {
          v = static_cast<T>(min - 1);
        }
      },
      f.member);
}

TEST(OptionsTest, ProtocolRoundTripsThroughJson) {
  const auto fields = measure::protocol_option_fields();
  ProtocolOptions changed = all_changed(fields);
  changed.max_repeats = changed.min_repeats + 5;
  ASSERT_NE(changed, ProtocolOptions{});
  const nlohmann::json j = measure::protocol_to_json(changed);
  EXPECT_EQ(j.size(), fields.size());
  auto back = measure::protocol_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, changed);
}

TEST(OptionsTest, RegressorOptionsRoundTripThroughJsonPerKind) {
  const auto fields = predictors::regressor_option_fields();
  const RegressorOptions changed = all_changed(fields);
  for (RegressorKind kind : predictors::all_regressor_kinds()) {
    const nlohmann::json saved = predictors::options_to_json(kind, changed);
    auto back = predictors::options_from_json(kind, nlohmann::json{{"options", saved}});
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(predictors::options_to_json(kind, *back), saved) << predictors::regressor_kind_name(kind);
  }
  // Over every group at once, each stored field comes back.
  RegressorOptions back;
  ASSERT_TRUE(
      options::from_json(options::to_json(changed, fields), back, fields, "all", options::Missing::kError).ok());
  EXPECT_EQ(options::to_json(back, fields), options::to_json(changed, fields));
  EXPECT_EQ(back.mlp_hidden, changed.mlp_hidden);
}

TEST(OptionsTest, SavedRegressorOptionsKeepTheirKeys) {
  // Predictor files already hold these blocks: the keys are part of the file format.
  const RegressorOptions o;
  EXPECT_EQ(predictors::options_to_json(RegressorKind::kGbdt, o), (nlohmann::json{{"gbdt_rounds", 300},
                                                                                  {"gbdt_max_depth", 6},
                                                                                  {"gbdt_learning_rate", 0.08},
                                                                                  {"gbdt_subsample", 0.9},
                                                                                  {"gbdt_min_child_weight", 1.0},
                                                                                  {"seed", uint64_t{0}}}));
  EXPECT_EQ(predictors::options_to_json(RegressorKind::kRidge, o), (nlohmann::json{{"ridge_lambda", 1e-2}}));
  EXPECT_EQ(predictors::options_to_json(RegressorKind::kLinear, o), nlohmann::json::object());
  EXPECT_EQ(predictors::options_to_json(RegressorKind::kRidgeGbdt, o), nlohmann::json::object());
  auto missing =
      predictors::options_from_json(RegressorKind::kRidge, nlohmann::json{{"options", nlohmann::json::object()}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("ridge_lambda"), std::string::npos) << missing.error().message;
}

TEST(OptionsTest, ProtocolRejectsOutOfBoundsNamingTheKey) {
  for (const auto& f : measure::protocol_option_fields()) {
    if (!f.bounds.bounded()) continue;
    ProtocolOptions o;
    break_bound(o, f);
    const Status s = measure::validate(o);
    ASSERT_FALSE(s.ok()) << f.key;
    EXPECT_EQ(s.error().message.find("measurement protocol: " + std::string(f.key) + " must be"), 0u)
        << s.error().message;
    auto parsed = measure::protocol_from_json(measure::protocol_to_json(o));
    ASSERT_FALSE(parsed.ok()) << f.key;
    EXPECT_EQ(parsed.error().code, ErrorCode::kParseError);
    EXPECT_NE(parsed.error().message.find(std::string(f.key)), std::string::npos) << parsed.error().message;
  }
  // The historical wording stays.
  ProtocolOptions o;
  o.min_time_s = -1;
  EXPECT_EQ(measure::validate(o).error().message, "measurement protocol: min_time_s must be a finite value >= 0");
  o = {};
  o.max_repeats = o.min_repeats - 1;
  EXPECT_EQ(measure::validate(o).error().message, "measurement protocol: max_repeats must be >= min_repeats");
  auto wrong_type = measure::protocol_from_json(nlohmann::json{{"warmup_runs", 1.5}});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().message, "measurement protocol: warmup_runs must be an integer");
}

TEST(OptionsTest, RegressorRejectsOutOfBoundsNamingTheKey) {
  for (const auto& f : predictors::regressor_option_fields()) {
    if (!f.bounds.bounded()) continue;
    // The first kind that uses the field (every kind uses an ungrouped one).
    const std::string group = f.groups.empty() ? "linear" : std::string(f.groups.substr(0, f.groups.find(' ')));
    auto kind = predictors::parse_regressor_kind(group);
    ASSERT_TRUE(kind.ok()) << group;
    RegressorOptions o;
    break_bound(o, f);
    const Status s = predictors::validate_options(*kind, o);
    ASSERT_FALSE(s.ok()) << f.key;
    EXPECT_EQ(s.error().message.find(group + ": " + std::string(f.key)), 0u) << s.error().message;
    EXPECT_FALSE(predictors::make_regressor(*kind, o).ok()) << f.key;
  }
  RegressorOptions o;
  o.gbdt_subsample = 1.5;
  EXPECT_EQ(predictors::validate_options(RegressorKind::kGbdt, o).error().message,
            "gbdt: gbdt_subsample must be in (0, 1]");
  o = {};
  o.ridge_lambda = -1;
  EXPECT_EQ(predictors::validate_options(RegressorKind::kRidgeGbdt, o).error().message,
            "ridge: ridge_lambda must be finite and >= 0");
  EXPECT_TRUE(predictors::validate_options(RegressorKind::kGbdt, o).ok()) << "gbdt does not use ridge_lambda";
}

std::string read_docs(const std::string& name) {
  std::ifstream in(std::string(NNLAT_SOURCE_DIR) + "/docs/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <class S>
void expect_table_lists_every_field(const std::string& table, std::span<const options::Field<S>> fields) {
  for (const auto& f : fields) {
    EXPECT_NE(table.find("| `" + f.flag_name() + "` |"), std::string::npos) << f.key;
    if (f.stored) {
      EXPECT_NE(table.find("| `" + std::string(f.key) + "` |"), std::string::npos) << f.key;
    }
  }
}

TEST(OptionsTest, DocsTablesListEveryFieldAndMatchTheDeclarations) {
  const std::string protocol = measure::protocol_options_markdown();
  const std::string regressor = predictors::regressor_options_markdown();
  expect_table_lists_every_field(protocol, measure::protocol_option_fields());
  expect_table_lists_every_field(regressor, predictors::regressor_option_fields());
  EXPECT_NE(protocol.find("| `--warmup` | `warmup_runs` | integer | 3 | >= 0 |"), std::string::npos) << protocol;
  const std::string reference = app::options_reference_markdown();
  EXPECT_NE(reference.find(protocol), std::string::npos);
  EXPECT_NE(reference.find(regressor), std::string::npos);
  // The docs hold exactly what the declarations print: `nnlat help-options > docs/options.md`.
  EXPECT_EQ(read_docs("options.md"), reference) << "docs/options.md is stale: regenerate it with nnlat help-options";
}

}  // namespace
}  // namespace nnlat
