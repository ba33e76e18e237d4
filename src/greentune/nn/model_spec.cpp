#include "greentune/nn/model_spec.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <set>

#include "greentune/common/error.hpp"

namespace greentune::nn {
namespace {

constexpr int max_layers = 16;

const char* family_name(Family family) {
  switch (family) {
    case Family::densepoly:
      return "densepoly";
    case Family::denselinear:
      return "denselinear";
    case Family::simplecnn:
      return "simplecnn";
  }
  return "?";
}

int parse_count(const std::string& spec, const std::string& key, const std::string& value, int min,
                int max) {
  int parsed = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc() || end != value.data() + value.size() || parsed < min || parsed > max) {
    throw InputError(
        fmt::format("model spec '{}': {}={} is not valid; expected an integer in [{}, {}]", spec,
                    key, value, min, max));
  }
  return parsed;
}

bool parse_switch(const std::string& spec, const std::string& key, const std::string& value) {
  if (value == "1" || value == "true" || value == "on") return true;
  if (value == "0" || value == "false" || value == "off") return false;
  throw InputError(
      fmt::format("model spec '{}': {}={} is not valid; expected 0 or 1", spec, key, value));
}

}  // namespace

std::string ModelSpec::to_string() const {
  if (family == Family::simplecnn) {
    return fmt::format("simplecnn:conv={},linear={},relu={},bn={},act={}", conv_layers,
                       linear_layers, relu ? 1 : 0, batch_norm ? 1 : 0, linear_activation);
  }
  return fmt::format("{}:linear={},act={}", family_name(family), linear_layers, linear_activation);
}

ModelSpec parse_model_spec(const std::string& spec) {
  ModelSpec result;
  const auto colon = spec.find(':');
  const std::string family = spec.substr(0, colon);
  if (family == "densepoly") {
    result.family = Family::densepoly;
  } else if (family == "denselinear") {
    result.family = Family::denselinear;
  } else if (family == "simplecnn") {
    result.family = Family::simplecnn;
  } else {
    throw InputError(fmt::format(
        "model spec '{}': unknown network '{}'; expected densepoly, denselinear or simplecnn", spec,
        family));
  }
  if (colon == std::string::npos) return result;

  const bool cnn = result.family == Family::simplecnn;
  const std::string allowed = cnn ? "conv, linear, relu, bn, act" : "linear, act";
  std::set<std::string> seen;
  std::string rest = spec.substr(colon + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t comma = rest.find(',', start);
    if (comma == std::string::npos) comma = rest.size();
    const std::string item = rest.substr(start, comma - start);
    start = comma + 1;
    const auto eq = item.find('=');
    if (item.empty() || eq == std::string::npos || eq == 0) {
      throw InputError(fmt::format("model spec '{}': '{}' is not key=value; keys for {}: {}", spec,
                                   item, family, allowed));
    }
    const std::string key = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (!seen.insert(key).second) {
      throw InputError(fmt::format("model spec '{}': key '{}' given twice", spec, key));
    }
    if (key == "linear") {
      result.linear_layers = parse_count(spec, key, value, 1, max_layers);
    } else if (key == "act") {
      if (value != "none" && value != "relu") {
        throw InputError(fmt::format("model spec '{}': act={} is not valid; expected none or relu",
                                     spec, value));
      }
      result.linear_activation = value;
    } else if (cnn && key == "conv") {
      // Each block halves the image; 28x28 allows 4 blocks (28, 14, 7, 3, 1), 32x32 allows 5.
      result.conv_layers = parse_count(spec, key, value, 1, 5);
    } else if (cnn && key == "relu") {
      result.relu = parse_switch(spec, key, value);
    } else if (cnn && key == "bn") {
      result.batch_norm = parse_switch(spec, key, value);
    } else {
      throw InputError(fmt::format("model spec '{}': unknown key '{}'; keys for {}: {}", spec, key,
                                   family, allowed));
    }
  }
  return result;
}

std::vector<int> hidden_widths(const ModelSpec& spec, int channels, int height, int width) {
  const double d = static_cast<double>(channels) * height * width;
  const int n = spec.linear_layers;
  std::vector<int> widths;
  for (int k = 1; k < n; ++k) {
    double w = spec.family == Family::denselinear ? std::floor(d - k * (d / n))
                                                  : std::floor(d / std::pow(2.0, k));
    widths.push_back(std::max(static_cast<int>(w), channels));
  }
  return widths;
}

int conv_channels(int input_channels, int block) {
  int c = input_channels;
  for (int k = 0; k <= block; ++k) c *= 3;
  return c;
}

}  // namespace greentune::nn
