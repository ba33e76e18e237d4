#include "greentune/energy/cpu_tdp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace greentune::energy {
namespace {

TEST(CpuTdp, TableIsCompiledInWithEveryRow) {
  const auto& table = cpu_tdp_table();
  // resources/cpu_power.csv has 4,903 rows; "Intel Quark Microcontroller D1000,0.0" is skipped
  // because a TDP of 0 W would make every estimate on that CPU zero.
  EXPECT_EQ(table.size(), 4902u);
  auto it = std::find_if(table.begin(), table.end(), [](const TdpEntry& e) {
    return e.name == "Intel EP80579 Integrated, 1066 MHz";
  });
  ASSERT_NE(it, table.end()) << "a quoted name with a comma must parse as one field";
  EXPECT_DOUBLE_EQ(it->watts, 18.0);
}

TEST(CpuTdp, NormalizesVendorNoise) {
  EXPECT_EQ(normalize_cpu_name("Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz"),
            "intel xeon e5-2620 v3");
  EXPECT_EQ(normalize_cpu_name("AMD EPYC 8024P 8-Core Processor"), "amd epyc 8024p");
  EXPECT_EQ(normalize_cpu_name("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"), "intel core i7-8700");
  EXPECT_EQ(normalize_cpu_name("  AMD   EPYC "), "amd epyc");
}

struct Case {
  const char* cpuinfo_model;
  const char* entry;
  double watts;
};

class CpuTdpMatch : public testing::TestWithParam<Case> {};

TEST_P(CpuTdpMatch, FindsTheTableEntry) {
  auto match = match_cpu_tdp(GetParam().cpuinfo_model);
  ASSERT_TRUE(match) << GetParam().cpuinfo_model;
  EXPECT_EQ(match->name, GetParam().entry);
  EXPECT_DOUBLE_EQ(match->watts, GetParam().watts);
}

// Model names as /proc/cpuinfo writes them (the load-profile CPUs among them).
INSTANTIATE_TEST_SUITE_P(
    CpuInfoNames, CpuTdpMatch,
    testing::Values(Case{"Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz", "Intel Xeon E5-2620 v3", 85},
                    Case{"Intel(R) Xeon(R) CPU E3-1240 V2 @ 3.40GHz", "Intel Xeon E3-1240 v2", 69},
                    Case{"AMD EPYC 8024P 8-Core Processor", "AMD EPYC 8024P", 90},
                    Case{"AMD Ryzen Threadripper 1950X 16-Core Processor",
                         "AMD Ryzen Threadripper 1950X", 180},
                    Case{"AMD EPYC 7763 64-Core Processor", "AMD EPYC 7763", 280},
                    Case{"Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700", 65},
                    Case{"Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", "Intel Xeon Gold 6248R", 205},
                    Case{"AMD Phenom(tm) II X6 1075T Processor", "AMD Phenom II X6 1075T", 125},
                    // a vendor-less entry found by its words inside a longer name
                    Case{"AMD Opteron(tm) Processor 3260 HE", "AMD Opteron 3260 HE", 45},
                    Case{"Quad-Core AMD X940 Black Edition", "AMD X940", 45}));

// normalize_cpu_name as first written, with std::regex (too slow for start-up: 0.4 billion
// instructions over the table), kept here as the specification of the hand-written scanner.
std::string regex_normalize(std::string_view name) {
  std::string text;
  for (unsigned char c : name) text += static_cast<char>(std::tolower(c));
  static const std::regex noise(
      R"(\(r\)|\(tm\)|®|™|@\s*[0-9.]+\s*[gm]hz|\b[0-9]+-core\b|\bprocessor\b|\bcpu\b|,)");
  text = std::regex_replace(text, noise, " ");
  std::istringstream in(text);
  std::string out;
  for (std::string word; in >> word;) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> words_of(const std::string& normalized) {
  std::istringstream in(normalized);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

struct ReferenceKey {
  std::string normalized;
  std::vector<std::string> words;
  bool model_number = false;
};

// The matching rule as first written: every name normalized, the first exact match, else the entry
// with the most words (then the longest) all of which, one with a digit, are the model's.
std::optional<size_t> reference_match(const std::vector<ReferenceKey>& keys,
                                      std::string_view cpu_model) {
  const std::string model = normalize_cpu_name(cpu_model);
  if (model.empty()) return std::nullopt;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].normalized == model) return i;
  }
  const auto model_words = words_of(model);
  std::optional<size_t> best;
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto& key = keys[i];
    if (!key.model_number || !std::includes(model_words.begin(), model_words.end(),
                                            key.words.begin(), key.words.end())) {
      continue;
    }
    if (!best || key.words.size() > keys[*best].words.size() ||
        (key.words.size() == keys[*best].words.size() &&
         key.normalized.size() > keys[*best].normalized.size())) {
      best = i;
    }
  }
  return best;
}

TEST(CpuTdp, NormalizesAsTheRegexDidForEveryTableNameAndVendorSpelling) {
  std::vector<std::string> names = {
      "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz",
      "AMD EPYC 7763 64-Core Processor",
      "Intel(R) Core(TM)i7-8700 CPU@3.20GHz",
      "Intel® Core™ i5-1135G7 @ 2.40 GHz",
      "cpu CPU cpus 8-core 8-cores x8-core 8-core-x 16-Core, Processor processors",
      "@ ghz @1.2 @ 3.4mhz @ .5 ghzz 2@3ghz (R)(TM)(tm)",
      "  QEMU Virtual CPU version 2.5+  ",
      "\tTabbed\tCPU\n",
      "processor_x cpu_ _cpu",
      "",
      "@",
      "(r",
      "8-"};
  for (const auto& entry : cpu_tdp_table()) names.push_back(entry.name);
  for (const auto& name : names) EXPECT_EQ(normalize_cpu_name(name), regex_normalize(name)) << name;
}

TEST(CpuTdp, LooksUpAsTheFullScanDid) {
  std::vector<std::string> names;
  std::vector<ReferenceKey> keys;
  for (const auto& entry : cpu_tdp_table()) {
    names.push_back(entry.name);
    ReferenceKey key{normalize_cpu_name(entry.name), {}, false};
    key.words = words_of(key.normalized);
    key.model_number = std::any_of(key.words.begin(), key.words.end(), [](const std::string& w) {
      return std::any_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
    });
    keys.push_back(std::move(key));
  }
  const CpuNameIndex index(std::vector<std::string_view>(names.begin(), names.end()));
  std::vector<std::string> models = {"AMD EPYC",
                                     "",
                                     "Intel Xeon Processor (Skylake, IBRS)",
                                     "Intel(R) Xeon(R) CPU E3-1240 V2 @ 3.40GHz",
                                     "AMD Opteron(tm) Processor 3260 HE",
                                     "Quad-Core AMD X940 Black Edition"};
  // A sample of the table's own names, as written and as /proc/cpuinfo would dress them.
  for (size_t i = 0; i < names.size(); i += 37) {
    models.push_back(names[i]);
    models.push_back("Genuine(R) " + names[i] + " CPU @ 2.10GHz");
  }
  for (const auto& model : models) {
    EXPECT_EQ(index.match(model), reference_match(keys, model)) << model;
  }
}

TEST(CpuTdp, VendorFamilyWithoutModelNumberMatchesNothing) {
  EXPECT_FALSE(match_cpu_tdp("AMD EPYC"));  // what this project's VMs report
  EXPECT_FALSE(match_cpu_tdp("Intel Xeon Processor (Skylake, IBRS)"));
  EXPECT_FALSE(match_cpu_tdp(""));
  EXPECT_FALSE(match_cpu_tdp("QEMU Virtual CPU version 2.5+"));
}

}  // namespace
}  // namespace greentune::energy
