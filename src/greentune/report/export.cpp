#include "greentune/report/export.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "greentune/common/csv.hpp"
#include "greentune/tune/space.hpp"

namespace greentune::report {
namespace {

std::string number(double x) {
  return std::isfinite(x) ? fmt::format("{:.10g}", x) : "";
}

}  // namespace

std::string csv_field(const std::string& text) {
  return csv_cell(text);
}

std::string trials_csv(const std::vector<StudyRecord>& studies) {
  std::set<std::string> param_names, domains;
  for (const auto& study : studies)
    for (const auto& trial : study.trials) {
      for (const auto& [name, value] : trial.params) param_names.insert(name);
      for (const auto& e : trial.energy) domains.insert(e.name);
    }
  std::vector<std::string> header = {"study_id",  "study",    "group",  "strategy",    "objective",
                                     "direction", "trial_id", "number", "state",       "value",
                                     "values",    "seconds",  "joules", "energy_kind", "host"};
  for (const auto& name : param_names) header.push_back("param:" + name);
  for (const auto& domain : domains) {
    header.push_back("energy:" + domain + ":joules");
    header.push_back("energy:" + domain + ":kind");
    header.push_back("energy:" + domain + ":source");
  }
  std::string out;
  auto write_row = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      out += csv_field(fields[i]);
    }
    out += "\n";
  };
  write_row(header);
  for (const auto& study : studies) {
    for (const auto& trial : study.trials) {
      std::string values;
      for (double v : trial.values) {
        if (!values.empty()) values += ';';
        values += number(v);
      }
      std::vector<std::string> row = {std::to_string(study.info.id),
                                      study.info.name,
                                      study.info.group,
                                      study.info.strategy,
                                      study.info.objective,
                                      study.maximize() ? "maximize" : "minimize",
                                      std::to_string(trial.id),
                                      std::to_string(trial.number),
                                      tune::to_string(trial.state),
                                      trial.value() ? number(*trial.value()) : "",
                                      values,
                                      number(trial.seconds),
                                      number(trial.joules),
                                      energy_kind(trial),
                                      trial.host};
      for (const auto& name : param_names) {
        auto it = trial.params.find(name);
        row.push_back(it == trial.params.end() ? "" : tune::to_string(it->second));
      }
      for (const auto& domain : domains) {
        double joules = 0;
        std::string kind, source;
        bool found = false;
        for (const auto& e : trial.energy)
          if (e.name == domain) {
            joules += e.joules;
            kind = e.kind;
            source = e.source;
            found = true;
          }
        row.push_back(found ? number(joules) : "");
        row.push_back(kind);
        row.push_back(source);
      }
      write_row(row);
    }
  }
  return out;
}

std::string trials_json(const std::vector<StudyRecord>& studies) {
  nlohmann::json root;
  root["generator"] = std::string("greentune ") + GREENTUNE_VERSION;
  root["studies"] = nlohmann::json::array();
  for (const auto& study : studies) {
    nlohmann::json s;
    s["id"] = study.info.id;
    s["name"] = study.info.name;
    s["group"] = study.info.group;
    s["strategy"] = study.info.strategy;
    s["objective"] = study.info.objective;
    s["direction"] = study.maximize() ? "maximize" : "minimize";
    auto space = parse_lenient(study.info.space_json);
    s["space"] = space.is_discarded() ? nlohmann::json(study.info.space_json) : space;
    s["config"] = study.config;
    s["trials"] = nlohmann::json::array();
    for (const auto& trial : study.trials) {
      nlohmann::json t = tune::to_json(trial);
      t["energy_kind"] = energy_kind(trial);
      s["trials"].push_back(std::move(t));
    }
    root["studies"].push_back(std::move(s));
  }
  // Strings from the store may hold invalid UTF-8; replace rather than fail the export.
  return root.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace greentune::report
