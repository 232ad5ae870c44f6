// Sizes at their edges: an empty batch (a tf::none dim fed 0 rows) through every op family,
// its gradients and a training step, with TensorFlow's values (TF 2.21: the sum of nothing is
// 0, its mean NaN (0 for integers), its max -inf (the lowest integer), its min +inf, its
// product 1); dims whose element count overflows: a typeflow::error naming them, never a
// buffer sized by a wrapped product; and a checkpoint whose index claims such a shape.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <typeflow/io/bundle_proto.hpp>
#include <typeflow/io/bundle_reader.hpp>
#include <typeflow/io/table.hpp>
#include <typeflow/runtime/train/saver.hpp>
#include <typeflow/typeflow.hpp>
#include <utility>

#include "../error_of.hpp"
#include "../ops/op_table.hpp"
#include "../saver/temp_dir.hpp"

namespace tf = typeflow;
namespace ot = test::op_table;

namespace {

constexpr float inf = std::numeric_limits<float>::infinity();

template <class T, std::size_t R>
xt::xtensor<T, R> empty_of(std::array<std::size_t, R> dims) {
  return xt::xtensor<T, R>::from_shape(dims);
}

template <class T>
bool all_nan(const T& t) {
  for (auto v : t)
    if (!std::isnan(v)) return false;
  return true;
}

template <class T, std::size_t I>
auto operand() {
  if constexpr (I == 0) return tf::placeholder<"a", T, tf::none, 3>();
  else if constexpr (I == 1) return tf::placeholder<"b", T, tf::none, 3>();
  else return tf::placeholder<"c", T, tf::none, 3>();
}

/// The row's op on [0, 3] operands: a [0, 3] result.
template <class Row>
void check_empty_row(const Row& row) {
  using T = std::conditional_t<Row::boolean, bool, float>;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto xs = std::tuple{operand<T, I>()...};
    const auto y = row.fn(std::get<I>(xs)...);
    const auto empty = empty_of<T>(std::array<std::size_t, 2>{0, 3});
    tf::Session sess;
    const auto out = sess.run(y, tf::feed(std::get<I>(xs), empty)...);
    CHECK_MESSAGE((out.shape() == std::array<std::size_t, 2>{0, 3}), row.name);
  }
  (std::make_index_sequence<Row::arity>{});
}

using test::error_of;

}  // namespace

TEST_CASE("sizes: an empty batch through every elementwise op of the op table") {
  int rows = 0;
  ot::for_each_family([&](const auto& family) {
    ot::for_each_row(family, [&](const auto& row) {
      check_empty_row(row);
      ++rows;
    });
  });
  MESSAGE(rows << " elementwise ops on [0, 3] operands");
  CHECK(rows >= 44);
}

TEST_CASE("sizes: an empty batch through matmul, reductions, softmax and the cross-entropies, as TensorFlow") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto k = tf::placeholder<"k", std::int32_t, tf::none, 3>();
  auto W = tf::placeholder<"W", float, 3, 2>();
  tf::Session sess;
  const auto X = empty_of<float>(std::array<std::size_t, 2>{0, 3});
  const auto K = empty_of<std::int32_t>(std::array<std::size_t, 2>{0, 3});
  const xt::xtensor<float, 2> Wv = xt::ones<float>({3, 2});
  auto run = [&](const auto& node) { return sess.run(node, tf::feed(x, X), tf::feed(k, K), tf::feed(W, Wv)); };

  SUBCASE("matmul: [0, 3] x [3, 2] is [0, 2]; [2, 0] x [0, 3] is zeros (an empty inner dim)") {
    CHECK(run(tf::matmul(x, W)).shape() == std::array<std::size_t, 2>{0, 2});
    CHECK(run(tf::matmul(x, W) + 1.0f).shape() == std::array<std::size_t, 2>{0, 2});
    auto a = tf::placeholder<"a", float, 2, tf::none>();
    auto b = tf::placeholder<"b", float, tf::none, 3>();
    const auto p = sess.run(tf::matmul(a, b), tf::feed(a, empty_of<float>(std::array<std::size_t, 2>{2, 0})),
                            tf::feed(b, empty_of<float>(std::array<std::size_t, 2>{0, 3})));
    CHECK(p == xt::xtensor<float, 2>{{0, 0, 0}, {0, 0, 0}});
    const auto pt = sess.run(tf::matmul(b, a, tf::transpose_a, tf::transpose_b),
                             tf::feed(a, empty_of<float>(std::array<std::size_t, 2>{2, 0})),
                             tf::feed(b, empty_of<float>(std::array<std::size_t, 2>{0, 3})));
    CHECK(pt == xt::xtensor<float, 2>{{0, 0}, {0, 0}, {0, 0}});
  }
  SUBCASE("reductions over the empty axis: TensorFlow's identities") {
    CHECK(run(tf::reduce_sum(x, tf::axis<0>)) == xt::xtensor<float, 1>{0, 0, 0});
    CHECK(all_nan(run(tf::reduce_mean(x, tf::axis<0>))));
    CHECK(run(tf::reduce_mean(x, tf::axis<0>)).size() == 3);
    CHECK(run(tf::reduce_max(x, tf::axis<0>)) == xt::xtensor<float, 1>{-inf, -inf, -inf});
    CHECK(run(tf::reduce_min(x, tf::axis<0>)) == xt::xtensor<float, 1>{inf, inf, inf});
    CHECK(run(tf::reduce_prod(x, tf::axis<0>)) == xt::xtensor<float, 1>{1, 1, 1});
    CHECK(run(tf::reduce_logsumexp(x, tf::axis<0>)) == xt::xtensor<float, 1>{-inf, -inf, -inf});
    CHECK(run(tf::reduce_sum(x, tf::axis<0>, tf::keep_dims)) == xt::xtensor<float, 2>{{0, 0, 0}});
    CHECK(run(tf::reduce_sum(x))() == 0.0f);
    CHECK(std::isnan(run(tf::reduce_mean(x))()));
    CHECK(run(tf::reduce_max(x))() == -inf);
    CHECK(run(tf::reduce_sum(x * 2.0f + 1.0f))() == 0.0f);  // summed inside the fused loop
    CHECK(std::isnan(run(tf::reduce_mean(tf::square(x)))()));
    // Integers: the lowest value for max, and 0 for a mean (TF divides by a count of 0 as 0).
    const std::int32_t lowest = std::numeric_limits<std::int32_t>::lowest();
    CHECK(run(tf::reduce_max(k, tf::axis<0>)) == xt::xtensor<std::int32_t, 1>{lowest, lowest, lowest});
    CHECK(run(tf::reduce_mean(k, tf::axis<0>)) == xt::xtensor<std::int32_t, 1>{0, 0, 0});
    CHECK(run(tf::reduce_mean(k))() == 0);
  }
  SUBCASE("reductions over the other axes: empty results") {
    CHECK(run(tf::reduce_sum(x, tf::axis<1>)).shape() == std::array<std::size_t, 1>{0});
    CHECK(run(tf::reduce_mean(x, tf::axis<1>)).shape() == std::array<std::size_t, 1>{0});
    CHECK(run(tf::reduce_max(x, tf::axis<1>, tf::keep_dims)).shape() == std::array<std::size_t, 2>{0, 1});
    CHECK(run(tf::argmax(x, tf::axis<1>)).shape() == std::array<std::size_t, 1>{0});
    // TF: "Reduction axis 0 is empty in shape [0,3]".
    CHECK(error_of([&] { run(tf::argmax(x, tf::axis<0>)); }).find("empty") != std::string::npos);
  }
  SUBCASE("softmax, log_softmax and the cross-entropies: empty rows; their mean is NaN") {
    auto labels = tf::placeholder<"labels", float, tf::none, 3>();
    auto ids = tf::placeholder<"ids", std::int32_t, tf::none>();
    const auto L = empty_of<std::int32_t>(std::array<std::size_t, 1>{0});
    const auto [sm, lsm, xent, sparse, sig] =
        sess.run(tf::fetch(tf::nn::softmax(x), tf::nn::log_softmax(x),
                           tf::nn::softmax_cross_entropy_with_logits(tf::labels = labels, tf::logits = x),
                           tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = ids, tf::logits = x),
                           tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = labels, tf::logits = x)),
                 tf::feed(x, X), tf::feed(labels, X), tf::feed(ids, L));
    CHECK(sm.shape() == std::array<std::size_t, 2>{0, 3});
    CHECK(lsm.shape() == std::array<std::size_t, 2>{0, 3});
    CHECK(xent.shape() == std::array<std::size_t, 1>{0});
    CHECK(sparse.shape() == std::array<std::size_t, 1>{0});
    CHECK(sig.shape() == std::array<std::size_t, 2>{0, 3});
    const float mean =
        sess.run(tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = ids, tf::logits = x)),
                 tf::feed(x, X), tf::feed(ids, L))();
    CHECK(std::isnan(mean));
  }
  SUBCASE("concat, reshape, transpose, tile, slice") {
    auto y = tf::placeholder<"y", float, tf::none, 3>();
    const xt::xtensor<float, 2> Y = {{1, 2, 3}, {4, 5, 6}};
    CHECK(sess.run(tf::concat<0>(x, y), tf::feed(x, X), tf::feed(y, Y)) == Y);
    CHECK(sess.run(tf::concat<1>(x, x), tf::feed(x, X)).shape() == std::array<std::size_t, 2>{0, 6});
    CHECK(run(tf::reshape<-1, 3>(x)).shape() == std::array<std::size_t, 2>{0, 3});
    CHECK(run(tf::reshape<-1>(x)).shape() == std::array<std::size_t, 1>{0});
    CHECK(run(tf::reshape<3, 0>(x)).shape() == std::array<std::size_t, 2>{3, 0});
    CHECK(run(tf::transpose(x)).shape() == std::array<std::size_t, 2>{3, 0});
    CHECK(run(tf::tile<4, 2>(x)).shape() == std::array<std::size_t, 2>{0, 6});
    // TF: "Reshape cannot infer the missing input size for an empty tensor unless all
    // specified input sizes are non-zero".
    CHECK(error_of([&] { run(tf::reshape<0, -1>(x)); }).find("Reshape") != std::string::npos);
  }
}

TEST_CASE("sizes: gradients and a training step on an empty batch, as TensorFlow's") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto labels = tf::placeholder<"labels", float, tf::none, 2>();
  auto W = tf::Variable<"W", float, 3, 2>(tf::constant(1.0f));
  auto b = tf::Variable<"b", float, 2>(tf::constant(1.0f));
  auto logits = tf::matmul(x, W) + b;
  auto mean_loss = tf::reduce_mean(tf::nn::softmax_cross_entropy_with_logits(tf::labels = labels, tf::logits = logits));
  auto sum_loss = tf::reduce_sum(tf::square(logits));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const auto X = empty_of<float>(std::array<std::size_t, 2>{0, 3});
  const auto Y = empty_of<float>(std::array<std::size_t, 2>{0, 2});
  const xt::xtensor<float, 2> zeros_W = xt::zeros<float>({3, 2});
  const xt::xtensor<float, 1> zeros_b = xt::zeros<float>({2});

  // TF 2.21: loss nan, dW zeros [3, 2], db zeros [2] (the mean's 1/0 meets no element).
  const auto [gW, gb] = tf::gradients(mean_loss, W, b);
  const auto [loss, dW, db] = sess.run(tf::fetch(mean_loss, gW, gb), tf::feed(x, X), tf::feed(labels, Y));
  CHECK(std::isnan(loss()));
  CHECK(dW == zeros_W);
  CHECK(db == zeros_b);
  const auto [hW, hb, hx] = tf::gradients(sum_loss, W, b, x);
  const auto [s, sW, sb, dx] = sess.run(tf::fetch(sum_loss, hW, hb, hx), tf::feed(x, X), tf::feed(labels, Y));
  CHECK(s() == 0.0f);
  CHECK(sW == zeros_W);
  CHECK(sb == zeros_b);
  CHECK(dx.shape() == std::array<std::size_t, 2>{0, 3});

  // A step leaves the variables as they were (zero gradients), then a real batch moves them.
  auto train = tf::train::GradientDescentOptimizer(0.5).minimize(mean_loss);
  sess.run(train, tf::feed(x, X), tf::feed(labels, Y));
  CHECK(sess.run(W) == xt::xtensor<float, 2>(xt::ones<float>({3, 2})));
  CHECK(sess.run(b) == xt::xtensor<float, 1>{1, 1});
  const xt::xtensor<float, 2> X1 = {{1, 0, 0}}, Y1 = {{1, 0}};
  sess.run(train, tf::feed(x, X1), tf::feed(labels, Y1));
  CHECK(sess.run(b)(0) == doctest::Approx(1.25));  // logits equal: softmax 1/2, d/db0 = 1/2 - 1
  CHECK(sess.run(b)(1) == doctest::Approx(0.75));
}

TEST_CASE("sizes: a zero dim fed or declared; dims whose element count overflows are an error") {
  tf::reset_default_graph();
  SUBCASE("a placeholder of static dims with a 0, and a zero-sized variable") {
    auto z = tf::placeholder<"z", float, 2, 0>();
    auto v = tf::Variable<"v", float, 0, 4>(tf::constant(3.0f));
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const auto Z = empty_of<float>(std::array<std::size_t, 2>{2, 0});
    CHECK(sess.run(tf::reduce_sum(z, tf::axis<1>), tf::feed(z, Z)) == xt::xtensor<float, 1>{0, 0});
    CHECK(sess.run(tf::matmul(z, v), tf::feed(z, Z)) == xt::xtensor<float, 2>(xt::zeros<float>({2, 4})));
    CHECK(sess.run(v).shape() == std::array<std::size_t, 2>{0, 4});
  }
  SUBCASE("a fed expression whose dims overflow: an error naming the placeholder, before any buffer") {
    auto x = tf::placeholder<"x", float, tf::none, tf::none>();
    tf::Session sess;
    const std::size_t huge = std::size_t{1} << 40;
    const auto big = xt::broadcast(xt::xscalar<float>(1.0f), std::array<std::size_t, 2>{huge, huge});
    const std::string what = error_of([&] { sess.run(x * 2.0f, tf::feed(x, big)); });
    CAPTURE(what);
    CHECK(what.find("placeholder 'x'") != std::string::npos);
    CHECK(what.find("[1099511627776, 1099511627776]") != std::string::npos);
    // The Session stays usable.
    const xt::xtensor<float, 2> one = {{1}};
    CHECK(sess.run(x * 2.0f, tf::feed(x, one)) == xt::xtensor<float, 2>{{2}});
  }
  SUBCASE("tile: a dim times its multiple that overflows size_t is an error, not a wrapped dim") {
    auto x = tf::placeholder<"x", float, tf::none, 3>();
    tf::Session sess;
    const xt::xtensor<float, 2> X = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {1, 1, 1}};
    // 4 x 2^62 = 2^64 wraps to 0 in size_t: an empty result, silently, before.
    const std::string what = error_of([&] { sess.run(tf::tile<std::int64_t{1} << 62, 1>(x), tf::feed(x, X)); });
    CAPTURE(what);
    CHECK(what.find("Tile") != std::string::npos);
    CHECK(what.find("[4, 3]") != std::string::npos);
    // 2^31 x 2^31 elements fit in size_t but not in memory: the buffer check names the op.
    const std::string bytes = error_of([&] { sess.run(tf::tile<std::int64_t{1} << 29, 1 << 30>(x), tf::feed(x, X)); });
    CAPTURE(bytes);
    CHECK(bytes.find("Tile") != std::string::npos);
    CHECK(bytes.find("bytes") != std::string::npos);
    CHECK(sess.run(tf::tile<2, 1>(x), tf::feed(x, X)).shape() == std::array<std::size_t, 2>{8, 3});
  }
  SUBCASE("static shapes: products that overflow int64 are compile errors, a zero dim is not") {
    static_assert(tf::detail::static_count_fits<std::int64_t{1} << 31, std::int64_t{1} << 31>());
    static_assert(!tf::detail::static_count_fits<std::int64_t{1} << 32, std::int64_t{1} << 31>());
    static_assert(tf::detail::static_count_fits<0, std::int64_t{1} << 62, std::int64_t{1} << 62>());
    static_assert(tf::detail::static_count_fits<tf::none, std::int64_t{1} << 62>());
    static_assert(!tf::op::tile<std::int64_t{1} << 62, 1>::static_dims_fit<tf::shape<4, 3>>());
    static_assert(tf::op::tile<std::int64_t{1} << 62, 1>::static_dims_fit<tf::shape<tf::none, 3>>());
  }
}

TEST_CASE("sizes: a checkpoint whose index claims a shape that overflows is rejected, nothing assigned") {
  tf::reset_default_graph();
  temp_dir dir;
  auto W = tf::Variable<"W", float, 2, 2>(tf::constant(1.0f));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  const std::string prefix = saver.save(sess, dir / "model");
  sess.variable_values().get(W).value.fill(5.0f);

  // The saved index, with W's shape replaced.
  const std::string good_index = tf::io::read_file(prefix + ".index");
  auto with_shape = [&](std::vector<std::int64_t> shape) {
    const tf::io::bundle_reader good(prefix, good_index);
    tf::io::table::table_writer t;
    t.add("", tf::io::encode(good.header()));
    tf::io::bundle_entry e = good.entry("W");
    e.shape = std::move(shape);
    t.add("W", tf::io::encode(e));
    return t.finish();
  };
  const struct {
    std::vector<std::int64_t> shape;
    const char* error;
  } cases[] = {
      {{std::int64_t{1} << 32, std::int64_t{1} << 32}, "overflows int64"},      // 2^64 elements
      {{std::int64_t{1} << 31, std::int64_t{1} << 31}, "byte size overflows"},  // 2^62 floats: 2^64 bytes
      {{-4, 1}, "dimension 0 is -4"},
      {{std::int64_t{1} << 20, std::int64_t{1} << 20}, "needs 4398046511104"},  // fits, but not the 16 bytes
  };
  for (const auto& c : cases) {
    CAPTURE(c.error);
    const std::string index = with_shape(c.shape);
    std::vector<float> out(4);
    const std::string what = error_of([&] {  // a negative dim already fails the index's parse
      const tf::io::bundle_reader reader(prefix, index);
      reader.read("W", std::as_writable_bytes(std::span(out)));
    });
    CAPTURE(what);
    CHECK(what.find(c.error) != std::string::npos);
    CHECK(what.find("'W'") != std::string::npos);
    // Saver::restore with that index on disk: an error, W unchanged.
    {
      tf::io::file f = tf::io::file::create(prefix + ".index");
      f.write(index);
      f.close();
    }
    CHECK(!error_of([&] { saver.restore(sess, prefix); }).empty());
    CHECK(sess.run(W) == xt::xtensor<float, 2>{{5, 5}, {5, 5}});
  }
  {
    tf::io::file f = tf::io::file::create(prefix + ".index");
    f.write(good_index);
    f.close();
  }
  saver.restore(sess, prefix);
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{1, 1}, {1, 1}});
}
