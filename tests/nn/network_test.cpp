// The paper's networks: widths, shapes and parameter counts for FashionMNIST (1x28x28) and
// CIFAR-10 (3x32x32) inputs, computed by hand from the layer sizes in the paper's code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "greentune/common/error.hpp"
#include "greentune/nn/model_spec.hpp"
#include "greentune/nn/network.hpp"
#include "greentune/nn/optimizer.hpp"
#include "greentune/nn/trainer.hpp"

using namespace greentune;
using namespace greentune::nn;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

std::vector<std::string> layer_types(torch::nn::Sequential& net) {
  std::vector<std::string> types;
  for (const auto& m : *net) types.push_back(layer_type(m.ptr()->name()));
  return types;
}

std::vector<int64_t> linear_shapes(torch::nn::Sequential& net) {
  std::vector<int64_t> sizes;
  for (const auto& m : *net) {
    if (auto* linear = m.ptr()->as<torch::nn::Linear>()) {
      if (sizes.empty()) sizes.push_back(linear->options.in_features());
      sizes.push_back(linear->options.out_features());
    }
  }
  return sizes;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST(Network, ParameterCountsFashionMnist) {
  // 784*392+392 + 392*196+196 + 196*10+10
  EXPECT_EQ(count_parameters("densepoly", 1, 28, 28), 386718);
  // 784*522+522 + 522*261+261 + 261*10+10
  EXPECT_EQ(count_parameters("denselinear", 1, 28, 28), 548893);
  // conv 1->3 (30) + bn 6 + conv 3->9 (252) + bn 18 + 441*392+392 + 392*196+196 + 196*10+10
  EXPECT_EQ(count_parameters("simplecnn", 1, 28, 28), 252568);
}

TEST(Network, ParameterCountsCifar10) {
  // 3072*1536+1536 + 1536*768+768 + 768*10+10
  EXPECT_EQ(count_parameters("densepoly", 3, 32, 32), 5908234);
  // 3072*2048+2048 + 2048*1024+1024 + 1024*10+10
  EXPECT_EQ(count_parameters("denselinear", 3, 32, 32), 8401930);
  // conv 3->9 (252) + bn 18 + conv 9->27 (2214) + bn 54 + 1728*1536+1536 + 1536*768+768 + 7690
  EXPECT_EQ(count_parameters("simplecnn", 3, 32, 32), 3846388);
}

TEST(Network, WidthsMatchThePaper) {
  auto fm_poly = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  EXPECT_THAT(linear_shapes(fm_poly), ElementsAre(784, 392, 196, 10));
  auto fm_lin = build_network(parse_model_spec("denselinear"), 1, 28, 28);
  EXPECT_THAT(linear_shapes(fm_lin), ElementsAre(784, 522, 261, 10));
  auto fm_cnn = build_network(parse_model_spec("simplecnn"), 1, 28, 28);
  EXPECT_THAT(linear_shapes(fm_cnn), ElementsAre(441, 392, 196, 10));
  auto c10_cnn = build_network(parse_model_spec("simplecnn"), 3, 32, 32);
  EXPECT_THAT(linear_shapes(c10_cnn), ElementsAre(1728, 1536, 768, 10));
  auto c10_lin = build_network(parse_model_spec("denselinear"), 3, 32, 32);
  EXPECT_THAT(linear_shapes(c10_lin), ElementsAre(3072, 2048, 1024, 10));
  // Seven linear layers: widths halve down to 784/64 = 12.
  auto deep = build_network(parse_model_spec("densepoly:linear=7"), 1, 28, 28);
  EXPECT_THAT(linear_shapes(deep), ElementsAre(784, 392, 196, 98, 49, 24, 12, 10));
}

TEST(Network, ConvBlocksHaveThePaperChannels) {
  auto net = build_network(parse_model_spec("simplecnn"), 3, 32, 32);
  EXPECT_THAT(layer_types(net),
              ElementsAre("conv", "batchnorm", "relu", "pool", "conv", "batchnorm", "relu", "pool",
                          "flatten", "linear", "linear", "linear"));
  std::vector<int64_t> out_channels;
  for (const auto& m : *net) {
    if (auto* conv = m.ptr()->as<FastConv2d>()) out_channels.push_back(conv->out_channels);
  }
  EXPECT_THAT(out_channels, ElementsAre(9, 27));
}

TEST(Network, ForwardShapes) {
  for (const char* spec : {"densepoly", "denselinear", "simplecnn", "simplecnn:conv=4,linear=7",
                           "simplecnn:conv=1,relu=0,bn=0"}) {
    auto fm = build_network(parse_model_spec(spec), 1, 28, 28);
    EXPECT_EQ(fm->forward(torch::rand({5, 1, 28, 28})).sizes(), torch::IntArrayRef({5, 10}))
        << spec;
    auto c10 = build_network(parse_model_spec(spec), 3, 32, 32);
    EXPECT_EQ(c10->forward(torch::rand({5, 3, 32, 32})).sizes(), torch::IntArrayRef({5, 10}))
        << spec;
  }
}

TEST(Network, OptionsChangeTheLayers) {
  auto no_relu = build_network(parse_model_spec("simplecnn:relu=0"), 1, 28, 28);
  auto types = layer_types(no_relu);
  EXPECT_EQ(std::count(types.begin(), types.end(), "relu"), 0);
  auto no_bn = build_network(parse_model_spec("simplecnn:bn=0,conv=4"), 1, 28, 28);
  types = layer_types(no_bn);
  EXPECT_EQ(std::count(types.begin(), types.end(), "batchnorm"), 0);
  EXPECT_EQ(std::count(types.begin(), types.end(), "conv"), 4);
  auto mlp = build_network(parse_model_spec("densepoly:act=relu"), 1, 28, 28);
  EXPECT_THAT(layer_types(mlp),
              ElementsAre("flatten", "linear", "relu", "linear", "relu", "linear"));
  // The paper's default: no activation between linear layers.
  auto plain = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  EXPECT_THAT(layer_types(plain), ElementsAre("flatten", "linear", "linear", "linear"));
}

TEST(ModelSpec, CanonicalForm) {
  EXPECT_EQ(parse_model_spec("simplecnn").to_string(),
            "simplecnn:conv=2,linear=3,relu=1,bn=1,act=none");
  EXPECT_EQ(parse_model_spec("simplecnn:linear=7,conv=4,relu=0").to_string(),
            "simplecnn:conv=4,linear=7,relu=0,bn=1,act=none");
  EXPECT_EQ(parse_model_spec("denselinear:linear=5").to_string(), "denselinear:linear=5,act=none");
}

TEST(ModelSpec, ErrorsNameTheKeyAndTheAllowedValues) {
  EXPECT_THAT(error_of([] { parse_model_spec("resnet"); }),
              AllOf(HasSubstr("'resnet'"), HasSubstr("densepoly, denselinear or simplecnn")));
  EXPECT_THAT(error_of([] { parse_model_spec("simplecnn:width=3"); }),
              AllOf(HasSubstr("unknown key 'width'"), HasSubstr("conv, linear, relu, bn, act")));
  EXPECT_THAT(error_of([] { parse_model_spec("densepoly:conv=2"); }),
              AllOf(HasSubstr("unknown key 'conv'"), HasSubstr("linear, act")));
  EXPECT_THAT(error_of([] { parse_model_spec("simplecnn:conv=x"); }),
              AllOf(HasSubstr("conv=x"), HasSubstr("integer in [1, 5]")));
  EXPECT_THAT(error_of([] { parse_model_spec("densepoly:linear=0"); }), HasSubstr("linear=0"));
  EXPECT_THAT(error_of([] { parse_model_spec("simplecnn:relu=2"); }),
              AllOf(HasSubstr("relu=2"), HasSubstr("0 or 1")));
  EXPECT_THAT(error_of([] { parse_model_spec("densepoly:act=tanh"); }),
              AllOf(HasSubstr("act=tanh"), HasSubstr("none or relu")));
  EXPECT_THAT(error_of([] { parse_model_spec("densepoly:linear"); }), HasSubstr("key=value"));
  EXPECT_THAT(error_of([] { parse_model_spec("densepoly:linear=3,linear=4"); }),
              HasSubstr("given twice"));
  // 28 -> 14 -> 7 -> 3 -> 1: a fifth block has nothing left to halve.
  EXPECT_THAT(error_of([] { count_parameters("simplecnn:conv=5", 1, 28, 28); }),
              HasSubstr("conv<=4"));
  EXPECT_NO_THROW(count_parameters("simplecnn:conv=5", 3, 32, 32));
}

TEST(Optimizer, EveryAdamHyperparameterReachesTheOptimizer) {
  Hyperparameters hp;
  hp.lr = 0.0123;
  hp.beta1 = 0.61;
  hp.beta2 = 0.87;  // the paper's code never passed beta2 on
  hp.eps = 3e-9;
  hp.weight_decay = 0.042;
  auto net = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  auto optimizer = make_optimizer(hp, net->parameters());
  ASSERT_NE(dynamic_cast<torch::optim::Adam*>(optimizer.get()), nullptr);
  ASSERT_EQ(optimizer->param_groups().size(), 1u);
  auto& options = static_cast<torch::optim::AdamOptions&>(optimizer->param_groups()[0].options());
  EXPECT_DOUBLE_EQ(options.lr(), 0.0123);
  EXPECT_DOUBLE_EQ(std::get<0>(options.betas()), 0.61);
  EXPECT_DOUBLE_EQ(std::get<1>(options.betas()), 0.87);
  EXPECT_DOUBLE_EQ(options.eps(), 3e-9);
  EXPECT_DOUBLE_EQ(options.weight_decay(), 0.042);
  EXPECT_EQ(optimizer->param_groups()[0].params().size(), net->parameters().size());
}

TEST(Optimizer, SgdWithMomentum) {
  Hyperparameters hp;
  hp.optimizer = "sgd";
  hp.lr = 0.05;
  hp.momentum = 0.8;
  hp.weight_decay = 0.01;
  auto net = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  auto optimizer = make_optimizer(hp, net->parameters());
  ASSERT_NE(dynamic_cast<torch::optim::SGD*>(optimizer.get()), nullptr);
  auto& options = static_cast<torch::optim::SGDOptions&>(optimizer->param_groups()[0].options());
  EXPECT_DOUBLE_EQ(options.lr(), 0.05);
  EXPECT_DOUBLE_EQ(options.momentum(), 0.8);
  EXPECT_DOUBLE_EQ(options.weight_decay(), 0.01);
}

TEST(Optimizer, BadHyperparametersNameTheField) {
  auto make = [](auto change) {
    Hyperparameters hp;
    change(hp);
    return error_of([&] { validate(hp); });
  };
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.beta1 = 1.0; }), HasSubstr("beta1=1"));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.beta2 = -0.1; }), HasSubstr("beta2=-0.1"));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.lr = 0; }), HasSubstr("lr=0"));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.eps = -1; }), HasSubstr("eps=-1"));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.weight_decay = -1; }), HasSubstr("weight_decay"));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.optimizer = "rmsprop"; }),
              AllOf(HasSubstr("rmsprop"), HasSubstr("adam or sgd")));
  EXPECT_THAT(make([](Hyperparameters& hp) { hp.batch_size = 0; }), HasSubstr("batch_size=0"));
}

TEST(Optimizer, MultiTensorAdamStepsAsAdamDoes) {
  // The CUDA optimiser, checked on the CPU: same arithmetic in the same order, so equal results,
  // including a parameter that misses a gradient in one step (its step count lags behind).
  Hyperparameters hp;
  hp.lr = 0.01;
  hp.weight_decay = 0.05;
  torch::manual_seed(2);
  auto a = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  auto b = build_network(parse_model_spec("densepoly"), 1, 28, 28);
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < a->parameters().size(); ++i) {
      b->parameters()[i].copy_(a->parameters()[i]);
    }
  }
  auto ours = make_optimizer(hp, a->parameters(), /*cuda=*/true);
  auto theirs = make_optimizer(hp, b->parameters());
  ASSERT_NE(dynamic_cast<MultiTensorAdam*>(ours.get()), nullptr);
  ASSERT_EQ(dynamic_cast<MultiTensorAdam*>(theirs.get()), nullptr);
  for (int step = 0; step < 4; ++step) {
    auto x = torch::rand({8, 1, 28, 28});
    auto y = torch::randint(0, 10, {8}, torch::kInt64);
    for (auto* net : {&a, &b}) {
      clear_gradients((*net)->parameters());
      torch::nn::functional::cross_entropy((*net)->forward(x), y).backward();
      if (step == 1) (*net)->parameters()[0].mutable_grad().reset();
    }
    ours->step();
    theirs->step();
  }
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(a->parameters()[i], b->parameters()[i])) << "parameter " << i;
  }
}
