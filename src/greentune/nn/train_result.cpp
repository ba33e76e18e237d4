// JSON forms of training results, for `greentune train --json` and the study store.
#include <cmath>

#include "greentune/nn/trainer.hpp"

namespace greentune::nn {
namespace {

// JSON has no NaN or infinity; a missing figure is null.
nlohmann::json number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json measurement_to_json(const energy::Measurement& m) {
  nlohmann::json domains = nlohmann::json::array();
  for (const auto& d : m.domains) {
    domains.push_back({{"name", d.info.name},
                       {"source", d.info.source},
                       {"kind", energy::to_string(d.info.kind)},
                       {"method", d.info.method},
                       {"joules", number(d.joules)},
                       {"watts", number(d.watts)},
                       {"idle_joules", number(d.idle_joules)},
                       {"net_joules", number(d.net_joules)}});
  }
  return {{"name", m.name},
          {"seconds", number(m.seconds)},
          {"joules", number(m.total_joules)},
          {"idle_joules", number(m.idle_joules)},
          {"net_joules", number(m.net_joules)},
          {"estimated", m.any_estimated},
          {"samples", m.samples},
          {"missed_samples", m.missed_samples},
          {"domains", domains}};
}

nlohmann::json TrainResult::to_json() const {
  nlohmann::json epoch_list = nlohmann::json::array();
  for (const auto& e : epochs) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : e.layers) {
      layers.push_back({{"layer_type", l.layer_type},
                        {"time_share", number(l.time_share)},
                        {"attributed_joules", number(l.joules)}});
    }
    epoch_list.push_back({{"epoch", e.epoch},
                          {"train_loss", number(e.train_loss)},
                          {"validation_loss", number(e.validation_loss)},
                          {"validation_accuracy", number(e.validation_accuracy)},
                          {"train_seconds", number(e.train_seconds)},
                          {"eval_seconds", number(e.eval_seconds)},
                          {"images_per_second", number(e.images_per_second)},
                          {"joules_per_1000_images", number(e.joules_per_1000_images)},
                          {"train_energy", measurement_to_json(e.train_energy)},
                          {"eval_energy", measurement_to_json(e.eval_energy)},
                          {"layers_attributed", layers}});
  }
  return {{"model_spec", model_spec},
          {"parameter_count", parameter_count},
          {"diverged", diverged},
          {"diverged_reason", diverged_reason},
          {"best_validation_accuracy", number(best_validation_accuracy)},
          {"test_accuracy", number(test_accuracy)},
          {"seconds", number(seconds)},
          {"joules", number(joules)},
          {"epochs", epoch_list}};
}

}  // namespace greentune::nn
