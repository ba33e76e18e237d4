#include "greentune/tune/config.hpp"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greentune/common/error.hpp"
#include "greentune/tune/trial.hpp"

namespace greentune::tune {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("greentune-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "study.toml";
    std::ofstream(path) << text;
    return path;
  }
  void TearDown() override {
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                ("greentune-config-" + std::to_string(::getpid())));
  }
  // The InputError message for a config, or "" when it parses.
  std::string error_of(const std::string& text) {
    try {
      parse_study_config(write(text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};

const char* kGood = R"(
[study]
name = "cnn-fm"
strategy = "grid"
rounds = 64
seed = 7
tolerance = 0.01

[study.sampler]
grid_points = 4
grid_rule = "inclusive"
startup_rounds = 1
acquisition = "pi"

[space]
lr = { type = "float", low = 1e-5, high = 1e-1, log = true }
beta1 = { type = "float", low = 0.1, high = 1 }
layers = { type = "int", low = 1, high = 7, step = 2 }
relu = { type = "categorical", choices = ["on", "off"] }

[train]
model = "simplecnn:conv=2,linear=3,relu=1"
dataset = "fashion-mnist"
epochs = 2
subset = { train = 1000, test = 500 }
)";

TEST_F(ConfigTest, ParsesEverySection) {
  const auto config = parse_study_config(write(kGood));
  EXPECT_EQ(config.name, "cnn-fm");
  EXPECT_EQ(config.strategy, "grid");
  EXPECT_EQ(config.rounds, 64);
  EXPECT_EQ(config.seed, 7u);
  EXPECT_EQ(config.direction, Direction::maximize);  // train maximises accuracy by default
  EXPECT_DOUBLE_EQ(config.tolerance, 0.01);
  EXPECT_EQ(config.sampler.grid_points, 4);
  EXPECT_EQ(config.sampler.grid_rule, GridRule::inclusive);
  EXPECT_EQ(config.sampler.startup_rounds, 1);
  EXPECT_EQ(config.sampler.acquisition, Acquisition::pi);
  ASSERT_EQ(config.space.params.size(), 4u);
  EXPECT_EQ(config.space.params[0].name, "lr");
  EXPECT_TRUE(config.space.params[0].log);
  const auto* layers = config.space.find("layers");
  ASSERT_NE(layers, nullptr);
  EXPECT_EQ(layers->type, ParamType::integer);
  EXPECT_EQ(layers->step, 2);
  EXPECT_EQ(config.space.find("relu")->type, ParamType::categorical);
  EXPECT_EQ(config.space.find("relu")->choices, (std::vector<std::string>{"on", "off"}));
  EXPECT_EQ(config.train["epochs"], 2);
  EXPECT_EQ(config.train["subset"]["train"], 1000);
  EXPECT_EQ(config.train["model"], "simplecnn:conv=2,linear=3,relu=1");
}

TEST_F(ConfigTest, BenchmarkObjectiveDefaultsToItsSpaceAndMinimises) {
  const auto config = parse_study_config(write("[study]\nname = \"b\"\nobjective = \"branin\"\n"));
  EXPECT_EQ(config.direction, Direction::minimize);
  ASSERT_EQ(config.space.params.size(), 2u);
  EXPECT_EQ(config.space.params[0].name, "x1");
  EXPECT_DOUBLE_EQ(config.space.params[0].low, -5);
}

TEST_F(ConfigTest, TopLevelSamplerTableIsAccepted) {
  const auto config = parse_study_config(
      write("[study]\nname = \"b\"\nobjective = \"hartmann6\"\n[sampler]\nquasi = \"sobol\"\n"));
  EXPECT_EQ(config.sampler.quasi, QuasiKind::sobol);
}

TEST_F(ConfigTest, UnknownKeysAreNamedWithTheirLine) {
  auto e = error_of("[study]\nname = \"x\"\nobjective = \"branin\"\nrounds = 5\nround = 3\n");
  EXPECT_THAT(e, HasSubstr("study.round"));
  EXPECT_THAT(e, HasSubstr("study.toml:5"));
  EXPECT_THAT(error_of("[study]\nname = \"x\"\nobjective = \"branin\"\n[extra]\n"),
              HasSubstr("extra"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\n[space]\nx1={low=0,high=1,"
                       "lg=true}\nx2={low=0,high=1}\n"),
              HasSubstr("space.x1.lg"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\n[sampler]\ngrid=3\n"),
              HasSubstr("sampler.grid"));
}

TEST_F(ConfigTest, BadSpacesAreNamed) {
  const std::string head = "[study]\nname = \"x\"\n[train]\nmodel = \"m\"\n[space]\n";
  EXPECT_THAT(error_of(head + "lr = { type = \"float\", low = 0.1, high = 0.1 }\n"),
              HasSubstr("space.lr: expected low < high"));
  EXPECT_THAT(error_of(head + "lr = { type = \"float\", low = 0.0, high = 0.1, log = true }\n"),
              HasSubstr("space.lr.low: log = true needs low > 0"));
  EXPECT_THAT(error_of(head + "act = { type = \"categorical\", choices = [] }\n"),
              HasSubstr("space.act.choices: expected at least one choice"));
  EXPECT_THAT(error_of(head + "lr = { type = \"float\", low = \"small\", high = 0.1 }\n"),
              HasSubstr("space.lr.low: expected a number, got string"));
  EXPECT_THAT(error_of(head + "n = { type = \"int\", low = 1.5, high = 4 }\n"),
              HasSubstr("space.n.low: expected an integer, got float"));
  EXPECT_THAT(error_of(head + "n = { type = \"int\", low = 1, high = 4, step = 0 }\n"),
              HasSubstr("space.n.step"));
  EXPECT_THAT(error_of(head + "n = { type = \"double\", low = 1, high = 4 }\n"),
              HasSubstr("space.n.type"));
  EXPECT_THAT(error_of(head + "n = { type = \"float\", high = 4 }\n"), HasSubstr("missing 'low'"));
  EXPECT_THAT(error_of(head + "lr = { type = \"float\", low = 0.1, high = 1, log = \"yes\" }\n"),
              HasSubstr("space.lr.log: expected true or false, got string"));
}

TEST_F(ConfigTest, BadStudySettingsAreNamed) {
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\nstrategy=\"tpe\"\n"),
              HasSubstr("study.strategy"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\nrounds=0\n"),
              HasSubstr("study.rounds"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\nrounds=\"ten\"\n"),
              HasSubstr("study.rounds: expected an integer, got string"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\ndirection=\"up\"\n"),
              HasSubstr("study.direction"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"rosenbrock\"\n"),
              HasSubstr("study.objective"));
  EXPECT_THAT(
      error_of("[study]\nname=\"x\"\nobjective=\"branin\"\n[sampler]\nacquisition=\"qei\"\n"),
      HasSubstr("sampler.acquisition"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\n[space]\nlr={low=0.1,high=1}\n"),
              HasSubstr("[train]"));
  EXPECT_THAT(error_of("[study]\nname = \"x\"\nrounds = = 3\n"), HasSubstr("invalid TOML"));
  EXPECT_THAT(error_of("[study]\nname=\"x\"\nobjective=\"branin\"\n[space]\nx1={low=0,high=1}\n"),
              HasSubstr("x2"));
}

TEST_F(ConfigTest, ExtremeBoundsAndHugeIntegersAreRefusedWithTheirLine) {
  const std::string head = "[study]\nname = \"x\"\nobjective = \"branin\"\n[space]\n";
  // Finite, but high - low overflows: such bounds used to store null parameters.
  EXPECT_THAT(error_of(head + "x1 = { type = \"float\", low = -1e308, high = 1e308 }\n"
                              "x2 = { type = \"float\", low = 0, high = 1 }\n"),
              ::testing::AllOf(HasSubstr("study.toml:5:"), HasSubstr("space.x1: high - low")));
  EXPECT_THAT(error_of(head + "x1 = { type = \"int\", low = 0, high = 9223372036854775807 }\n"
                              "x2 = { type = \"float\", low = 0, high = 1 }\n"),
              HasSubstr("2^53"));
}

TEST_F(ConfigTest, RoundsOutOfRangeSayTheRange) {
  for (const char* rounds : {"0", "10000001"}) {
    EXPECT_THAT(
        error_of(std::string("[study]\nname=\"x\"\nobjective=\"branin\"\nrounds=") + rounds + "\n"),
        HasSubstr(std::string("expected 1 <= rounds <= 10000000, got ") + rounds));
  }
}

TEST_F(ConfigTest, StudyNamesWithControlCharactersAreRefused) {
  EXPECT_THAT(error_of("[study]\nname = \"a\\u0000b\"\nobjective = \"branin\"\n"),
              ::testing::AllOf(HasSubstr("study.name"), HasSubstr("a\\u0000b"),
                               HasSubstr("control characters")));
  EXPECT_THAT(error_of("[study]\nname = \"two\\nlines\"\nobjective = \"branin\"\n"),
              HasSubstr("study.name"));
  EXPECT_EQ(error_of("[study]\nname = \"grüne Studie/1\"\nobjective = \"branin\"\n"), "");
}

TEST_F(ConfigTest, EmbeddedTableNamesItsSourceInErrors) {
  auto table = toml::parse("[study]\nname = \"e\"\nobjective = \"hartmann6\"\nrounds = 9\n");
  const auto config = parse_study_config(table, "experiment.toml [studies.e]");
  EXPECT_EQ(config.rounds, 9);
  EXPECT_EQ(config.space.params.size(), 6u);
  auto bad = toml::parse("[study]\nname = \"e\"\nobjective = \"branin\"\nseed = -1\n");
  try {
    parse_study_config(bad, "experiment.toml [studies.e]");
    FAIL() << "negative seed accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("experiment.toml [studies.e]"));
    EXPECT_THAT(e.what(), HasSubstr("study.seed"));
  }
}

TEST_F(ConfigTest, MissingFileIsAnInputError) {
  EXPECT_THROW(parse_study_config(std::filesystem::path("/nonexistent/study.toml")), InputError);
}

TEST_F(ConfigTest, SpaceAndParamsSurviveJsonRoundTrip) {
  const auto config = parse_study_config(write(kGood));
  const auto json = space_to_json(config.space);
  const auto back = space_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_EQ(space_to_json(back), json);
  Params params{{"lr", 0.001}, {"beta1", 0.5}, {"layers", int64_t{3}}, {"relu", "on"}};
  const auto p2 = params_from_json(nlohmann::json::parse(params_to_json(params).dump()), "params");
  EXPECT_EQ(p2, params);
  // A float that happens to be integral stays a float: the JSON keeps "1.0".
  const auto p3 =
      params_from_json(nlohmann::json::parse(params_to_json({{"beta1", 1.0}}).dump()), "params");
  EXPECT_TRUE(std::holds_alternative<double>(p3.at("beta1")));
  EXPECT_THROW(
      space_from_json(nlohmann::json::parse(R"([{"name":"a","type":"float","low":2,"high":1}])")),
      InputError);
  EXPECT_EQ(config_to_json(config)["sampler"]["grid_rule"], "inclusive");
}

}  // namespace
}  // namespace greentune::tune
