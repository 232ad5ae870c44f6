// tf::ImportedGraph and tf::Tensor: every supported op against hand-written loops, fusion on
// and off, plans per feed dims, threads, graphs exported by typeflow itself, and errors.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <typeflow/io/meta_graph.hpp>
#include <typeflow/runtime/imported_graph.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../error_of.hpp"
#include "case_file.hpp"
#include "graph_builder.hpp"

namespace tf = typeflow;
namespace io = typeflow::io;
using pb_test::graph_builder;

namespace {

/// Values filling dims in order from `from`, step `step`.
xt::xarray<float> ramp(std::vector<std::size_t> dims, float from = -1.25f, float step = 0.37f) {
  xt::xarray<float> a(dims);
  float v = from;
  for (auto& x : a) {
    x = v;
    v += step;
    if (v > 2.5f) v -= 4.9f;
  }
  return a;
}

template <class T>
void check_close(std::span<const T> got, const std::vector<T>& want, double rtol = 1e-5) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) {
      INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
      if (std::isnan(want[i])) CHECK(std::isnan(got[i]));
      else CHECK(std::abs(double(got[i]) - double(want[i])) <= rtol * (1 + std::abs(double(want[i]))));
    } else {
      CHECK(got[i] == want[i]);
    }
  }
}

tf::Tensor run1(const tf::GraphDef& g, const std::string& fetch, std::vector<std::pair<std::string, tf::Tensor>> feeds,
                tf::imported_graph_options o = {}) {
  return tf::ImportedGraph(g, o).run({fetch}, feeds).at(0);
}

using test::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string fixture(const std::string& file) {
  std::string path = TYPEFLOW_PB_FIXTURES;
  path += '/';
  path += file;
  return path;
}

}  // namespace

TEST_CASE("pb.tensor: from xtensor, xarray and scalars; tensor<T, R> checks dtype and rank") {
  const xt::xtensor<float, 2> X = {{1, 2, 3}, {4, 5, 6}};
  const tf::Tensor t(X);
  CHECK(t.dtype() == io::DT_FLOAT);
  CHECK(t.shape() == std::vector<std::size_t>{2, 3});
  CHECK(t.tensor<float, 2>() == X);
  CHECK(t.array<float>() == xt::xarray<float>(X));
  const tf::Tensor s(std::int64_t{7});
  CHECK(s.shape().empty());
  CHECK(s.data<std::int64_t>()[0] == 7);
  const tf::Tensor b(xt::xarray<bool>{true, false, true});
  CHECK(b.dtype() == io::DT_BOOL);
  CHECK(b.array<bool>() == xt::xarray<bool>{true, false, true});
  CHECK(contains(error_of([&] { (void)t.tensor<double, 2>(); }), "holds float32 (dims [2, 3]), expected float64"));
  CHECK(contains(error_of([&] { (void)t.tensor<float, 1>(); }), "has rank 2 (dims [2, 3]), expected rank 1"));
  CHECK(contains(error_of([] { tf::Tensor(io::DT_STRING, {2}); }), "dtype string is not supported"));
}

TEST_CASE("pb.ops: unary elementwise ops against std:: references, fused and not") {
  struct unary_case {
    const char* op;
    double (*ref)(double);
    bool positive;
  };
  const unary_case cases[] = {
      {"Neg", [](double x) { return -x; }, false},
      {"Square", [](double x) { return x * x; }, false},
      {"Sqrt", [](double x) { return std::sqrt(x); }, true},
      {"Rsqrt", [](double x) { return 1 / std::sqrt(x); }, true},
      {"Exp", [](double x) { return std::exp(x); }, false},
      {"Log", [](double x) { return std::log(x); }, true},
      {"Log1p", [](double x) { return std::log1p(x); }, true},
      {"Expm1", [](double x) { return std::expm1(x); }, false},
      {"Tanh", [](double x) { return std::tanh(x); }, false},
      {"Sigmoid", [](double x) { return 1 / (1 + std::exp(-x)); }, false},
      {"Relu", [](double x) { return x > 0 ? x : 0; }, false},
      {"Relu6", [](double x) { return std::min(std::max(x, 0.0), 6.0); }, false},
      {"Elu", [](double x) { return x > 0 ? x : std::exp(x) - 1; }, false},
      {"Softplus", [](double x) { return std::log(1 + std::exp(x)); }, false},
      {"Softsign", [](double x) { return x / (1 + std::abs(x)); }, false},
      {"Abs", [](double x) { return std::abs(x); }, false},
      {"Sign", [](double x) { return double((x > 0) - (x < 0)); }, false},
      {"Floor", [](double x) { return std::floor(x); }, false},
      {"Ceil", [](double x) { return std::ceil(x); }, false},
      {"Sin", [](double x) { return std::sin(x); }, false},
      {"Cos", [](double x) { return std::cos(x); }, false},
      {"Erf", [](double x) { return std::erf(x); }, false},
      {"Reciprocal", [](double x) { return 1 / x; }, true},
      {"Identity", [](double x) { return x; }, false},
      {"StopGradient", [](double x) { return x; }, false},
      {"Snapshot", [](double x) { return x; }, false},
  };
  for (const auto& c : cases) {
    for (const bool fuse : {true, false}) {
      CAPTURE(c.op);
      CAPTURE(fuse);
      // op(x) * 2 - 1: a chain of three elementwise nodes (fused into one loop when fuse is on)
      graph_builder b;
      b.placeholder("x", io::DT_FLOAT, {-1, 37});
      b.op("f", c.op, {"x"});
      b.constant<float>("two", {}, {2.0f});
      b.constant<float>("one", {}, {1.0f});
      b.op("m", "Mul", {"f", "two"});
      b.op("y", "Sub", {"m", "one"});
      xt::xarray<float> x = ramp({3, 37});
      if (c.positive) x = xt::abs(x) + 0.1f;
      std::vector<float> want;
      for (const float v : x) want.push_back(static_cast<float>(c.ref(v) * 2 - 1));
      const auto y = run1(b.graph, "y:0", {{"x", tf::Tensor(x)}}, {.fuse = fuse});
      CHECK(y.shape() == std::vector<std::size_t>{3, 37});
      check_close<float>(y.data<float>(), want, 2e-5);
    }
  }
}

TEST_CASE("pb.ops: LeakyRelu's alpha, Round half to even, double and integer dtypes") {
  graph_builder b;
  b.placeholder("x", io::DT_DOUBLE, {-1});
  b.op("l", "LeakyRelu", {"x"}, io::DT_DOUBLE).set_attr("alpha", io::attr::f(0.25f));
  b.op("r", "Round", {"x"}, io::DT_DOUBLE);
  b.placeholder("i", io::DT_INT32, {-1});
  b.op("sq", "Square", {"i"}, io::DT_INT32);
  b.op("neg", "Neg", {"sq"}, io::DT_INT32);
  b.placeholder("k", io::DT_INT64, {});
  b.op("ik", "Mul", {"k", "k"}, io::DT_INT64);
  tf::ImportedGraph g(b.graph);
  const auto out = g.run({"l", "r", "neg", "ik"}, {{"x", tf::Tensor(xt::xarray<double>{-2, -0.5, 0.5, 1.5, 2.5})},
                                                   {"i", tf::Tensor(xt::xarray<std::int32_t>{-3, 4})},
                                                   {"k", tf::Tensor(std::int64_t{3000000000})}});
  check_close<double>(out[0].data<double>(), {-0.5, -0.125, 0.5, 1.5, 2.5});
  check_close<double>(out[1].data<double>(), {-2, -0.0, 0, 2, 2});
  check_close<std::int32_t>(out[2].data<std::int32_t>(), {-9, -16});
  check_close<std::int64_t>(out[3].data<std::int64_t>(), {std::int64_t{9000000000000000000}});
}

TEST_CASE("pb.ops: binary elementwise ops broadcast as NumPy") {
  struct binary_case {
    const char* op;
    double (*ref)(double, double);
  };
  const binary_case cases[] = {
      {"Add", [](double a, double b) { return a + b; }},
      {"AddV2", [](double a, double b) { return a + b; }},
      {"Sub", [](double a, double b) { return a - b; }},
      {"Mul", [](double a, double b) { return a * b; }},
      {"RealDiv", [](double a, double b) { return a / b; }},
      {"Maximum", [](double a, double b) { return std::max(a, b); }},
      {"Minimum", [](double a, double b) { return std::min(a, b); }},
      {"Pow", [](double a, double b) { return std::pow(std::abs(a) + 0.5, b); }},
      {"SquaredDifference", [](double a, double b) { return (a - b) * (a - b); }},
  };
  const std::vector<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> shapes = {
      {{4, 5}, {4, 5}}, {{4, 5}, {5}}, {{4, 1}, {1, 5}}, {{4, 5}, {}}, {{}, {3, 2, 5}}, {{2, 1, 5}, {3, 1}}};
  for (const auto& c : cases) {
    for (const auto& [sa, sb] : shapes) {
      CAPTURE(c.op);
      graph_builder b;
      b.placeholder("a", io::DT_FLOAT, {}, true);
      b.placeholder("b", io::DT_FLOAT, {}, true);
      const bool pow = std::string(c.op) == "Pow";
      if (pow) {  // Pow(|a| + 0.5, b), so the base is positive
        b.op("abs", "Abs", {"a"});
        b.constant<float>("half", {}, {0.5f});
        b.op("base", "AddV2", {"abs", "half"});
      }
      b.op("y", c.op, {pow ? "base" : "a", "b"});
      const xt::xarray<float> A = ramp(sa), B = ramp(sb, 0.3f, 0.29f);
      const xt::xarray<float> a = A + 0.0f * B, bb = B + 0.0f * A;  // each broadcast by xtensor, the reference
      std::vector<float> want;
      for (std::size_t i = 0; i < a.size(); ++i) want.push_back(static_cast<float>(c.ref(a.data()[i], bb.data()[i])));
      const auto y = run1(b.graph, "y", {{"a", tf::Tensor(A)}, {"b", tf::Tensor(B)}});
      CHECK(y.shape() == std::vector<std::size_t>(a.shape().begin(), a.shape().end()));
      check_close<float>(y.data<float>(), want);
    }
  }
}

TEST_CASE("pb.ops: comparisons, logical ops, SelectV2 and Cast") {
  graph_builder b;
  b.placeholder("a", io::DT_FLOAT, {-1});
  b.placeholder("b", io::DT_FLOAT, {-1});
  for (const char* op : {"Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"}) b.op(op, op, {"a", "b"});
  b.op("and", "LogicalAnd", {"Less", "NotEqual"}, io::DT_BOOL);
  b.op("or", "LogicalOr", {"Equal", "Greater"}, io::DT_BOOL);
  b.op("not", "LogicalNot", {"Less"}, io::DT_BOOL);
  b.constant<float>("zero", {}, {0.0f});
  b.op("sel", "SelectV2", {"Less", "a", "zero"});
  auto& cast = b.add("cast", "Cast", {"Less"});
  cast.set_attr("SrcT", io::attr::type(io::DT_BOOL));
  cast.set_attr("DstT", io::attr::type(io::DT_FLOAT));
  auto& to_int = b.add("to_int", "Cast", {"a"});
  to_int.set_attr("DstT", io::attr::type(io::DT_INT32));
  auto& back = b.add("back", "Cast", {"to_int"});
  back.set_attr("DstT", io::attr::type(io::DT_DOUBLE));
  tf::ImportedGraph g(b.graph);
  const xt::xarray<float> A = {1, 2, 3, -4.5f}, B = {2, 2, 1, 0};
  const auto out = g.run({"Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "and", "or", "not",
                          "sel", "cast", "to_int", "back"},
                         {{"a", tf::Tensor(A)}, {"b", tf::Tensor(B)}});
  using bools = std::vector<bool>;
  auto as_vector = [](const tf::Tensor& t) {
    const auto d = t.data<bool>();
    return bools(d.begin(), d.end());
  };
  CHECK(out[0].dtype() == io::DT_BOOL);
  CHECK(as_vector(out[0]) == bools{false, true, false, false});
  CHECK(as_vector(out[1]) == bools{true, false, true, true});
  CHECK(as_vector(out[2]) == bools{true, false, false, true});
  CHECK(as_vector(out[3]) == bools{true, true, false, true});
  CHECK(as_vector(out[4]) == bools{false, false, true, false});
  CHECK(as_vector(out[5]) == bools{false, true, true, false});
  CHECK(as_vector(out[6]) == bools{true, false, false, true});
  CHECK(as_vector(out[7]) == bools{false, true, true, false});
  CHECK(as_vector(out[8]) == bools{false, true, true, false});
  check_close<float>(out[9].data<float>(), {1, 0, 0, -4.5f});
  check_close<float>(out[10].data<float>(), {1, 0, 0, 1});
  check_close<std::int32_t>(out[11].data<std::int32_t>(), {1, 2, 3, -4});
  check_close<double>(out[12].data<double>(), {1, 2, 3, -4});
}

TEST_CASE("pb.ops: MatMul (transpose_a, transpose_b), BatchMatMulV2, BiasAdd, Softmax, LogSoftmax") {
  const xt::xarray<float> A = ramp({3, 4}), B = ramp({4, 5}, 0.1f, 0.23f), bias = ramp({5}, -0.5f, 0.3f);
  auto matmul_ref = [](const xt::xarray<float>& a, const xt::xarray<float>& b) {
    xt::xarray<float> c = xt::zeros<float>({a.shape()[0], b.shape()[1]});
    for (std::size_t i = 0; i < a.shape()[0]; ++i)
      for (std::size_t j = 0; j < b.shape()[1]; ++j)
        for (std::size_t k = 0; k < a.shape()[1]; ++k) c(i, j) += a(i, k) * b(k, j);
    return c;
  };
  const xt::xarray<float> C = matmul_ref(A, B);
  for (const bool ta : {false, true}) {
    for (const bool tb : {false, true}) {
      graph_builder g;
      g.placeholder("a", io::DT_FLOAT, {}, true);
      g.placeholder("b", io::DT_FLOAT, {}, true);
      auto& m = g.op("m", "MatMul", {"a", "b"});
      m.set_attr("transpose_a", io::attr::b(ta));
      m.set_attr("transpose_b", io::attr::b(tb));
      const xt::xarray<float> a = ta ? xt::xarray<float>(xt::transpose(A)) : A;
      const xt::xarray<float> b = tb ? xt::xarray<float>(xt::transpose(B)) : B;
      const auto y = run1(g.graph, "m", {{"a", tf::Tensor(a)}, {"b", tf::Tensor(b)}});
      check_close<float>(y.data<float>(), std::vector<float>(C.begin(), C.end()));
    }
  }
  graph_builder g;
  g.placeholder("a", io::DT_FLOAT, {2, 3, 4});
  g.placeholder("b", io::DT_FLOAT, {4, 5});
  g.placeholder("bias", io::DT_FLOAT, {5});
  g.op("bmm", "BatchMatMulV2", {"a", "b"});
  g.op("ba", "BiasAdd", {"bmm", "bias"});
  g.op("sm", "Softmax", {"ba"});
  g.op("lsm", "LogSoftmax", {"ba"});
  xt::xarray<float> a3(std::vector<std::size_t>{2, 3, 4});
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t k = 0; k < 4; ++k) a3(0, i, k) = A(i, k), a3(1, i, k) = -2 * A(i, k);
  const auto out = tf::ImportedGraph(g.graph).run(
      {"bmm", "ba", "sm", "lsm"}, {{"a", tf::Tensor(a3)}, {"b", tf::Tensor(B)}, {"bias", tf::Tensor(bias)}});
  std::vector<float> bmm, ba, sm, lsm;
  for (const float s : {1.0f, -2.0f}) {
    for (std::size_t i = 0; i < 3; ++i) {
      double z = 0;
      std::vector<double> row;
      for (std::size_t j = 0; j < 5; ++j) {
        bmm.push_back(s * C(i, j));
        row.push_back(s * C(i, j) + bias(j));
        ba.push_back(static_cast<float>(row.back()));
        z += std::exp(row.back());
      }
      for (const double r : row) sm.push_back(static_cast<float>(std::exp(r) / z));
      for (const double r : row) lsm.push_back(static_cast<float>(r - std::log(z)));
    }
  }
  CHECK(out[0].shape() == std::vector<std::size_t>{2, 3, 5});
  check_close<float>(out[0].data<float>(), bmm);
  check_close<float>(out[1].data<float>(), ba);
  check_close<float>(out[2].data<float>(), sm);
  check_close<float>(out[3].data<float>(), lsm);
}

TEST_CASE("pb.ops: Sum, Mean, Max, Min, Prod over constant axes, keep_dims; ArgMax, ArgMin") {
  const xt::xarray<float> X = ramp({2, 3, 4});
  struct reduction_case {
    const char* op;
    double init;
    double (*combine)(double, double);
  };
  const reduction_case cases[] = {
      {"Sum", 0, [](double a, double b) { return a + b; }},
      {"Mean", 0, [](double a, double b) { return a + b; }},
      {"Max", -INFINITY, [](double a, double b) { return std::max(a, b); }},
      {"Min", INFINITY, [](double a, double b) { return std::min(a, b); }},
      {"Prod", 1, [](double a, double b) { return a * b; }},
  };
  const std::vector<std::vector<std::int32_t>> axes_cases = {{0}, {1}, {2}, {-1}, {0, 2}, {0, 1, 2}, {}};
  for (const auto& c : cases) {
    for (const auto& axes : axes_cases) {
      for (const bool keep : {false, true}) {
        CAPTURE(c.op);
        CAPTURE(axes.size());
        CAPTURE(keep);
        graph_builder g;
        g.placeholder("x", io::DT_FLOAT, {-1, 3, 4});
        g.constant<std::int32_t>("axes", {static_cast<std::int64_t>(axes.size())}, axes);
        g.op("r", c.op, {"x", "axes"}).set_attr("keep_dims", io::attr::b(keep));
        std::array<bool, 3> reduced{};
        for (const auto a : axes) reduced[static_cast<std::size_t>(a < 0 ? a + 3 : a)] = true;
        std::vector<std::size_t> out_dims;
        for (std::size_t i = 0; i < 3; ++i)
          if (!reduced[i] || keep) out_dims.push_back(reduced[i] ? 1 : X.shape()[i]);
        std::vector<double> acc;
        std::vector<std::size_t> count;
        for (std::size_t i = 0; i < 2; ++i)
          for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t k = 0; k < 4; ++k) {
              const std::size_t o = ((reduced[0] ? 0 : i) * 3 + (reduced[1] ? 0 : j)) * 4 + (reduced[2] ? 0 : k);
              if (acc.size() < 24) acc.assign(24, c.init), count.assign(24, 0);
              acc[o] = c.combine(acc[o], X(i, j, k));
              ++count[o];
            }
        std::vector<float> want;
        for (std::size_t o = 0; o < 24; ++o)
          if (count[o]) want.push_back(static_cast<float>(std::string(c.op) == "Mean" ? acc[o] / count[o] : acc[o]));
        const auto y = run1(g.graph, "r", {{"x", tf::Tensor(X)}});
        CHECK(y.shape() == out_dims);
        check_close<float>(y.data<float>(), want);
      }
    }
  }
  graph_builder g;
  g.placeholder("x", io::DT_FLOAT, {2, 3, 4});
  g.constant<std::int32_t>("one", {}, {1});
  g.constant<std::int64_t>("last", {}, {-1});
  g.op("amax", "ArgMax", {"x", "one"});
  g.op("amin", "ArgMin", {"x", "last"}).set_attr("output_type", io::attr::type(io::DT_INT32));
  g.placeholder("i", io::DT_INT32, {-1});
  g.constant<std::int32_t>("zero", {1}, {0});
  g.op("isum", "Sum", {"i", "zero"}, io::DT_INT32);
  const auto out = tf::ImportedGraph(g.graph).run(
      {"amax", "amin", "isum"}, {{"x", tf::Tensor(X)}, {"i", tf::Tensor(xt::xarray<std::int32_t>{5, -7, 100})}});
  std::vector<std::int64_t> amax;
  std::vector<std::int32_t> amin;
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t k = 0; k < 4; ++k) {
      std::int64_t best = 0;
      for (std::size_t j = 1; j < 3; ++j)
        if (X(i, j, k) > X(i, static_cast<std::size_t>(best), k)) best = static_cast<std::int64_t>(j);
      amax.push_back(best);
    }
    for (std::size_t j = 0; j < 3; ++j) {
      std::int32_t best = 0;
      for (std::size_t k = 1; k < 4; ++k)
        if (X(i, j, k) < X(i, j, static_cast<std::size_t>(best))) best = static_cast<std::int32_t>(k);
      amin.push_back(best);
    }
  }
  CHECK(out[0].shape() == std::vector<std::size_t>{2, 4});
  check_close<std::int64_t>(out[0].data<std::int64_t>(), amax);
  CHECK(out[1].dtype() == io::DT_INT32);
  check_close<std::int32_t>(out[1].data<std::int32_t>(), amin);
  check_close<std::int32_t>(out[2].data<std::int32_t>(), {98});
}

TEST_CASE("pb.ops: Reshape, ExpandDims, Squeeze, Transpose, ConcatV2; PlaceholderWithDefault") {
  graph_builder g;
  g.placeholder("x", io::DT_FLOAT, {2, 3, 4});
  g.constant<std::int32_t>("shape", {2}, {-1, 6});
  g.op("reshape", "Reshape", {"x", "shape"});
  g.constant<std::int32_t>("dim", {}, {-1});
  g.op("expand", "ExpandDims", {"reshape", "dim"});
  g.op("squeeze", "Squeeze", {"expand"});
  g.constant<std::int32_t>("perm", {3}, {2, 0, 1});
  g.op("transpose", "Transpose", {"x", "perm"});
  g.constant<std::int32_t>("axis", {}, {1});
  g.op("concat", "ConcatV2", {"x", "x", "x", "axis"}).set_attr("N", io::attr::i(3));
  g.constant<float>("default", {2}, {7, 8});
  auto& d = g.add("pwd", "PlaceholderWithDefault", {"default"});
  d.set_attr("dtype", io::attr::type(io::DT_FLOAT));
  d.set_attr("shape", io::attr::shape(std::vector<std::int64_t>{-1}));
  g.op("pwd2", "Mul", {"pwd", "pwd"});
  const xt::xarray<float> X = ramp({2, 3, 4});
  tf::ImportedGraph model(g.graph);
  const auto out = model.run({"reshape", "expand", "squeeze", "transpose", "concat", "pwd2"}, {{"x", tf::Tensor(X)}});
  CHECK(out[0].shape() == std::vector<std::size_t>{4, 6});
  check_close<float>(out[0].data<float>(), std::vector<float>(X.begin(), X.end()));
  CHECK(out[1].shape() == std::vector<std::size_t>{4, 6, 1});
  CHECK(out[2].shape() == std::vector<std::size_t>{4, 6});
  CHECK(out[3].shape() == std::vector<std::size_t>{4, 2, 3});
  std::vector<float> t, c;
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j) t.push_back(X(i, j, k));
  check_close<float>(out[3].data<float>(), t);
  CHECK(out[4].shape() == std::vector<std::size_t>{2, 9, 4});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t r = 0; r < 3; ++r)
      for (std::size_t j = 0; j < 3; ++j)
        for (std::size_t k = 0; k < 4; ++k) c.push_back(X(i, j, k));
  check_close<float>(out[4].data<float>(), c);
  check_close<float>(out[5].data<float>(), {49, 64});
  const auto fed = model.run({"pwd2"}, {{"pwd", tf::Tensor(xt::xarray<float>{3})}});
  check_close<float>(fed[0].data<float>(), {9});
}

TEST_CASE("pb.plan: one plan per feed dims, reused; a fetched intermediate of a fused chain") {
  graph_builder g;
  g.placeholder("x", io::DT_FLOAT, {-1, 3});
  g.constant<float>("w", {3, 2}, {1, 2, 3, 4, 5, 6});
  g.constant<float>("b", {2}, {0.5f, -100});
  g.op("mm", "MatMul", {"x", "w"});
  g.op("ba", "BiasAdd", {"mm", "b"});
  g.op("relu", "Relu", {"ba"});
  g.op("sq", "Square", {"relu"});
  g.op("out", "Neg", {"sq"});
  tf::ImportedGraph first(g.graph);
  std::vector<tf::ImportedGraph> models;
  models.push_back(std::move(first));  // an ImportedGraph moves (its plans with it)
  const tf::ImportedGraph& model = models[0];
  for (const std::size_t n : {2, 5, 2, 1, 0, 5}) {
    const xt::xarray<float> X = ramp({n, 3});
    const auto out = model.run({"out", "relu"}, {{"x", tf::Tensor(X)}});
    std::vector<float> want, relu;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < 2; ++j) {
        double v = j == 0 ? 0.5 : -100;
        for (std::size_t k = 0; k < 3; ++k) v += X(i, k) * (1 + 2 * k + j);
        relu.push_back(static_cast<float>(std::max(v, 0.0)));
        want.push_back(-relu.back() * relu.back());
      }
    }
    CHECK(out[0].shape() == std::vector<std::size_t>{n, 2});
    check_close<float>(out[0].data<float>(), want);
    check_close<float>(out[1].data<float>(), relu);
  }
}

TEST_CASE("pb.threads: runs of one ImportedGraph from several threads at once") {
  graph_builder g;
  g.placeholder("x", io::DT_FLOAT, {-1, 8});
  g.constant<std::int32_t>("axis", {1}, {1});
  g.op("e", "Exp", {"x"});
  g.op("s", "Sum", {"e", "axis"});
  g.op("l", "Log", {"s"});
  const tf::ImportedGraph model(g.graph);
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t r = 0; r < 50; ++r) {
        const std::size_t n = 1 + (t + r) % 4;  // several plans, each run by several threads
        xt::xarray<float> X = ramp({n, 8}, -1.0f + 0.01f * static_cast<float>(t), 0.1f);
        const tf::Tensor out = model.run({"l"}, {{"x", tf::Tensor(X)}})[0];
        const auto y = out.data<float>();
        for (std::size_t i = 0; i < n; ++i) {
          double s = 0;
          for (std::size_t k = 0; k < 8; ++k) s += std::exp(X(i, k));
          failures[t] += std::abs(y[i] - std::log(s)) > 1e-5 * (1 + std::abs(std::log(s)));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == std::vector<int>(8, 0));
}

TEST_CASE("pb.threads: intra_op_parallelism_threads splits a MatMul over threads and changes no value") {
  graph_builder g;
  g.placeholder("a", io::DT_FLOAT, {-1, 300});
  g.placeholder("b", io::DT_FLOAT, {300, 200});
  g.constant<std::int32_t>("axis", {1}, {1});
  g.op("m", "MatMul", {"a", "b"});
  g.op("t", "Tanh", {"m"});
  g.op("s", "Sum", {"t", "axis"});
  // 256 x 300 x 200: 15 million multiply-adds, split into row blocks for 3 threads.
  const xt::xarray<float> A = ramp({256, 300}, -1.0f, 0.0131f), B = ramp({300, 200}, 0.5f, -0.0077f);
  const std::vector<std::pair<std::string, tf::Tensor>> feeds{{"a", tf::Tensor(A)}, {"b", tf::Tensor(B)}};
  const tf::ImportedGraph one(g.graph, {.intra_op_parallelism_threads = 1});
  const tf::ImportedGraph three(g.graph, {.intra_op_parallelism_threads = 3});
  CHECK(one.intra_op_threads() == 1);
  CHECK(three.intra_op_threads() == 3);
  CHECK(tf::ImportedGraph(g.graph).intra_op_threads() >= 1);
  const auto want = one.run({"m", "s"}, feeds);
  const auto m = want[0].data<float>();
  for (std::size_t i = 0; i < 256; i += 17)
    for (std::size_t j = 0; j < 200; j += 13) {
      double c = 0;
      for (std::size_t k = 0; k < 300; ++k) c += double(A(i, k)) * B(k, j);
      CHECK(m[i * 200 + j] == doctest::Approx(c).epsilon(1e-5));
    }
  // Each element of C is one thread's sum in the same order: equal bit for bit, also while
  // several runs share the pool (a caller whose pool is busy runs its tasks itself).
  const auto same = [&](const std::vector<tf::Tensor>& got) {
    const auto a = got[0].data<float>(), b = want[0].data<float>(), c = got[1].data<float>(), d = want[1].data<float>();
    return std::equal(a.begin(), a.end(), b.begin(), b.end()) && std::equal(c.begin(), c.end(), d.begin(), d.end());
  };
  CHECK(same(three.run({"m", "s"}, feeds)));
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < failures.size(); ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < 5; ++r) failures[t] += !same(three.run({"m", "s"}, feeds));
    });
  for (auto& th : threads) th.join();
  CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("pb.export: graphs exported by typeflow run to Session::run's values") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  const xt::xtensor<float, 2> W = {{0.5f, -1}, {2, 0.25f}, {-0.75f, 1.5f}};
  auto h = tf::nn::relu(tf::matmul(x, tf::constant(W)) + tf::constant(xt::xtensor<float, 1>{0.1f, -0.2f}));
  auto p = tf::nn::softmax(h);
  auto loss = tf::reduce_mean(tf::square(p - 0.5f), tf::axis<1>);
  auto z = tf::tanh(x) * tf::sigmoid(x) - tf::exp(-tf::abs(x));
  io::graph_exporter e;
  e.add_output("p", p);
  e.add_output("loss", loss);
  e.add_output("z", z);
  tf::GraphDef def;
  def.node = e.nodes();
  const tf::GraphDef parsed = tf::GraphDef::parse(def.SerializeToString(), "exported");
  const tf::ImportedGraph model(parsed);
  tf::Session sess;
  const xt::xtensor<float, 2> X = {{1, 2, 3}, {-1, 0.5f, 2}, {0, 0, -3}, {4, -2, 1}};
  const auto out = model.run({"p", "loss", "z"}, {{"x", tf::Tensor(X)}});
  const xt::xtensor<float, 2> want_p = sess.run(p, tf::feed(x, X));
  const xt::xtensor<float, 1> want_loss = sess.run(loss, tf::feed(x, X));
  const xt::xtensor<float, 2> want_z = sess.run(z, tf::feed(x, X));
  check_close<float>(out[0].data<float>(), std::vector<float>(want_p.begin(), want_p.end()));
  check_close<float>(out[1].data<float>(), std::vector<float>(want_loss.begin(), want_loss.end()));
  check_close<float>(out[2].data<float>(), std::vector<float>(want_z.begin(), want_z.end()));
}

TEST_CASE("pb.errors: each names the node, placeholder or fetch, and what was expected") {
  auto base = [] {
    graph_builder b;
    b.placeholder("x", io::DT_FLOAT, {-1, 3});
    b.placeholder("y", io::DT_FLOAT, {-1, 2});
    b.op("sum", "AddV2", {"x", "y"});
    b.op("t", "Tanh", {"x"});
    return b;
  };
  const xt::xarray<float> X = ramp({2, 3});
  auto b = base();
  b.op("bad", "FancyConv", {"x"});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 'bad' has op 'FancyConv', which the imported-graph executor does not support"));
  b = base();
  b.op("r", "Relu", {"nothing:0"});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 'r' (Relu) reads 'nothing:0', but the graph has no node 'nothing'"));
  b = base();
  b.op("r", "Relu", {"x:1"});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }), "reads output 1 of node 'x' (Placeholder)"));
  b = base();
  b.op("c1", "Relu", {"c2"});
  b.op("c2", "Relu", {"c1"});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }), "cycle through node 'c1' (Relu)"));
  b = base();
  {
    auto& c = b.add("c", "Const");
    c.set_attr("dtype", io::attr::type(io::DT_FLOAT));
    const std::vector<float> three{1, 2, 3};
    c.set_attr("value", io::attr::tensor(io::tensor_proto<float>(std::vector<std::int64_t>{2, 2}, three)));
  }
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 'c' (Const) value: tensor_content holds 12 bytes, expected 4 elements"));
  b = base();
  b.op("r", "Relu", {"x"}, io::DT_FLOAT);
  b.placeholder("s", io::DT_STRING, {});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 's' (Placeholder): dtype string is not supported"));
  b = base();
  b.placeholder("i", io::DT_INT32, {});
  b.op("si", "Sigmoid", {"i"}, io::DT_INT32);
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 'si' (Sigmoid): the op does not take operands of dtype int32"));
  b = base();
  b.op("mixed", "Mul", {"x", "i"});
  b.placeholder("i", io::DT_INT32, {});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }), "operands have dtypes float32 and int32"));
  b = base();
  b.constant<float>("shape", {1}, {3});
  b.op("rs", "Reshape", {"x", "shape"});
  CHECK(contains(error_of([&] { tf::ImportedGraph m(b.graph); }),
                 "node 'rs' (Reshape): its attr input node 'shape' (Const) must be int32 or int64"));

  const tf::ImportedGraph m(base().graph);
  CHECK(contains(error_of([&] {
                   m.run({"t"}, {{"x", tf::Tensor(xt::xarray<double>(X))}});
                 }),
                 "feed of placeholder 'x': dtype float64, expected float32"));
  CHECK(contains(error_of([&] {
                   m.run({"t"}, {{"x", tf::Tensor(ramp({2, 4}))}});
                 }),
                 "feed of placeholder 'x': dims [2, 4], expected [None, 3]"));
  CHECK(contains(error_of([&] {
                   m.run({"nope"}, {{"x", tf::Tensor(X)}});
                 }),
                 "fetch 'nope' is not a node of the graph"));
  CHECK(contains(error_of([&] { m.run({"t:1"}, {{"x", tf::Tensor(X)}}); }), "fetch 't:1': only output 0"));
  CHECK(contains(error_of([&] {
                   m.run({"sum"}, {{"x", tf::Tensor(X)}});
                 }),
                 "placeholder 'y' (float32) must be fed: the fetches read it"));
  CHECK(contains(error_of([&] {
                   m.run({"sum"}, {{"x", tf::Tensor(X)}, {"y", tf::Tensor(ramp({2, 2}))}});
                 }),
                 "node 'sum' (AddV2): incompatible shapes [2, 3] and [2, 2]"));
  CHECK(contains(error_of([&] { m.run({"t"}, {{"t", tf::Tensor(X)}}); }), "'t' is a Tanh node, not a placeholder"));
  CHECK(m.run({"t:0"}, {{"x:0", tf::Tensor(X)}})[0].shape() == std::vector<std::size_t>{2, 3});  // still runs
}

TEST_CASE("pb.files: frozen graphs written by TensorFlow 2.21 run to TensorFlow's values") {
  for (const char* name : {"regression", "mlp", "many_ops"}) {
    CAPTURE(name);
    const std::string pb = fixture(name + std::string(".pb"));
    const tf::ImportedGraph model(tf::GraphDef::parse(pb_test::read_file(pb), pb));
    CHECK(pb_test::compare_case(model, pb_test::read_case(fixture(name + std::string(".txt")))) == "");
  }
}

TEST_CASE("pb.files: truncated and bit-flipped files are errors, never crashes") {
  const std::string bytes = pb_test::read_file(fixture("mlp.pb"));
  const auto c = pb_test::read_case(fixture("mlp.txt"));
  std::size_t errors = 0, ran = 0;
  auto attempt = [&](const std::string& b) {
    try {
      const tf::ImportedGraph model(tf::GraphDef::parse(b, "mlp.pb"));
      (void)model.run({"probs"}, c.feeds);
      ++ran;
    } catch (const tf::error& e) {
      CHECK(std::string(e.what()).size() > 10);
      ++errors;
    }
  };
  for (std::size_t n = 0; n < bytes.size(); n += 7) attempt(bytes.substr(0, n));
  CHECK(contains(error_of([&] { tf::GraphDef::parse(bytes.substr(0, bytes.size() / 2), "half.pb"); }), "half.pb"));
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
    attempt(flipped);
  }
  CHECK(errors > 0);
  CHECK(errors + ran == (bytes.size() + 6) / 7 + (bytes.size() + 2) / 3);
}
