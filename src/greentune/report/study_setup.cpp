#include "greentune/report/study_setup.hpp"

#include <fmt/format.h>

#include <cmath>

namespace greentune::report {
namespace {

std::optional<int64_t> integer_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return std::nullopt;
  const auto& v = object[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

std::string text_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
  return object[key].get<std::string>();
}

std::string thousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

StudySetup study_setup(const StudyRecord& study) {
  StudySetup setup;
  const auto& config = study.config;
  const nlohmann::json train =
      config.contains("train") && config["train"].is_object() ? config["train"] : nlohmann::json{};
  setup.epochs = integer_at(train, "epochs");
  if (!setup.epochs && train.is_object()) setup.epochs = 1;  // the trainer's default
  setup.train_subset = integer_at(train, "subset");
  if (train.is_object() && train.contains("paper_mode") && train["paper_mode"].is_boolean())
    setup.paper_mode = train["paper_mode"].get<bool>();
  setup.dataset = text_at(train, "dataset");
  setup.device = text_at(train, "device");
  if (setup.device.empty() && train.is_object()) setup.device = "cpu";  // the trainer's default
  if (auto seed = integer_at(config, "seed"); seed && *seed >= 0)
    setup.seed = static_cast<uint64_t>(*seed);
  if (study.is_sweep()) {
    const nlohmann::json sweep = config.contains("sweep") && config["sweep"].is_object()
                                     ? config["sweep"]
                                     : nlohmann::json{};
    setup.repetitions = integer_at(sweep, "repetitions");
  } else {
    setup.rounds = integer_at(config, "rounds");
    setup.repetitions = integer_at(config, "repetitions");
  }
  return setup;
}

std::string training_images_text(const StudySetup& setup) {
  if (setup.train_subset && *setup.train_subset > 0) return thousands(*setup.train_subset);
  int64_t full = setup.dataset == "fashion-mnist" ? 60000 : setup.dataset == "cifar10" ? 50000 : 0;
  if (full == 0) return "";
  // The validation split (10 % unless configured otherwise) is carved from the training set.
  if (setup.paper_mode && *setup.paper_mode) return thousands(full);
  return fmt::format("{} less the validation split", thousands(full));
}

}  // namespace greentune::report
