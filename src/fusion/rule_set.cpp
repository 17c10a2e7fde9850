#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "nnlat/core/file_io.hpp"
#include "nnlat/fusion/fusion.hpp"

namespace nnlat {
const std::map<std::string, std::string>& embedded_rule_files();  // generated at build time
}

namespace nnlat::fusion {
namespace {

Error rule_error(const std::string& source, const std::string& message) {
  return make_error(ErrorCode::kParseError, source + ": " + message);
}

Result<std::vector<ir::OpKind>> op_list(const nlohmann::json& j, const std::string& source, const std::string& where) {
  if (!j.is_array()) return rule_error(source, where + " must be an array of op names");
  std::vector<ir::OpKind> ops;
  for (const auto& e : j) {
    if (!e.is_string()) return rule_error(source, where + " must hold op names");
    const auto op = ir::op_from_name(e.get<std::string>());
    if (!op) return rule_error(source, where + ": unknown op '" + e.get<std::string>() + "'");
    if (std::find(ops.begin(), ops.end(), *op) != ops.end()) {
      return rule_error(source, where + ": op '" + e.get<std::string>() + "' listed twice");
    }
    ops.push_back(*op);
  }
  return ops;
}

}  // namespace

Result<RuleSet> parse_rule_set(std::string_view json_text, const std::string& source) {
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return rule_error(source, "not a JSON object");
  // Compared as JSON: value() would throw on a "format" that is not a string.
  if (!j.contains("format") || j["format"] != "nnlat-fusion-rules") {
    return rule_error(source, "not a fusion rule file (missing \"format\": \"nnlat-fusion-rules\")");
  }
  if (!j.contains("version") || j["version"] != 1) return rule_error(source, "unsupported rule file version");
  if (!j.contains("name") || !j["name"].is_string()) return rule_error(source, "missing \"name\"");
  RuleSet set;
  set.name = j["name"].get<std::string>();
  if (j.contains("description") && j["description"].is_string()) set.description = j["description"].get<std::string>();
  if (j.contains("elide")) {
    NNLAT_ASSIGN_OR_RETURN(set.elide, op_list(j["elide"], source, "elide"));
  }
  if (!j.contains("rules") || !j["rules"].is_array()) return rule_error(source, "missing array \"rules\"");
  std::map<ir::OpKind, std::string> anchored_by;
  for (const auto& jr : j["rules"]) {
    if (!jr.is_object() || !jr.contains("name") || !jr["name"].is_string()) {
      return rule_error(source, "each rule needs a \"name\"");
    }
    FusionRule rule;
    rule.name = jr["name"].get<std::string>();
    const std::string where = "rule " + rule.name;
    if (!jr.contains("anchors")) return rule_error(source, where + ": missing \"anchors\"");
    NNLAT_ASSIGN_OR_RETURN(rule.anchors, op_list(jr["anchors"], source, where + " anchors"));
    if (rule.anchors.empty()) return rule_error(source, where + ": no anchors");
    if (jr.contains("absorb")) {
      NNLAT_ASSIGN_OR_RETURN(rule.absorb, op_list(jr["absorb"], source, where + " absorb"));
    }
    if (jr.contains("max_absorb")) {
      if (!jr["max_absorb"].is_number_integer() || jr["max_absorb"].get<int>() < 0) {
        return rule_error(source, where + ": max_absorb must be a non-negative integer");
      }
      rule.max_absorb = jr["max_absorb"].get<int>();
    }
    for (ir::OpKind a : rule.anchors) {
      if (std::find(set.elide.begin(), set.elide.end(), a) != set.elide.end()) {
        return rule_error(source, where + ": anchor '" + std::string(ir::op_name(a)) + "' is also elided");
      }
      auto [it, inserted] = anchored_by.emplace(a, rule.name);
      if (!inserted) {
        return rule_error(source,
                          where + ": anchor '" + std::string(ir::op_name(a)) + "' already anchors rule " + it->second);
      }
    }
    set.rules.push_back(std::move(rule));
  }
  return set;
}

std::vector<std::string> builtin_rule_set_names() {
  std::vector<std::string> names;
  for (const auto& [name, text] : embedded_rule_files()) names.push_back(name);
  return names;
}

Result<RuleSet> load_rule_set(const std::string& name_or_path) {
  const auto& builtin = embedded_rule_files();
  if (auto it = builtin.find(name_or_path); it != builtin.end()) {
    return parse_rule_set(it->second, "rules:" + name_or_path);
  }
  if (std::filesystem::path(name_or_path).extension() == ".json") {
    NNLAT_ASSIGN_OR_RETURN(std::string text, read_file(name_or_path));
    return parse_rule_set(text, name_or_path);
  }
  std::string known;
  for (const auto& n : builtin_rule_set_names()) {
    if (!known.empty()) known += ", ";
    known += n;
  }
  return make_error(ErrorCode::kNotFound, "rules '" + name_or_path + "': no such rule set (built in: " + known +
                                              "; or a path to a .json rule file)");
}

}  // namespace nnlat::fusion
