// Data-parallel training over MPI (typeflow/distribute/horovod.hpp). tests/distribute/meson.build
// launches this program with `mpirun -np 2` and `-np 3`; every rank runs every test case, in
// the same order, since collectives are meetings of all ranks. Rank 0 prints doctest's report
// on stdout (the one CI counts), the other ranks on stderr; the exit status is non-zero on
// every rank if a check failed on any, so mpirun's is too. main initialises MPI itself, so the
// first case sees MPI up but hvd not initialised; the others call hvd::init (idempotent).
//
//   test_horovod --kill-rank-1   no test cases: rank 1 dies (SIGKILL) during training, to see
//                                what happens to the others (check_dying_rank.py)

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>
#include <typeflow/distribute/horovod.hpp>
#include <vector>

namespace tf = typeflow;
namespace hvd = typeflow::horovod;

// PMPI interposition: the MPI calls this program makes, typeflow's included, are counted here
// and forwarded to the library's PMPI_ entry points.
namespace {
struct mpi_calls {
  int allreduce = 0, other = 0;
} calls;
}  // namespace

extern "C" {
int MPI_Allreduce(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  ++calls.allreduce;
  return PMPI_Allreduce(send, receive, count, type, op, comm);
}
int MPI_Allgather(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                  MPI_Datatype receive_type, MPI_Comm comm) {
  ++calls.other;
  return PMPI_Allgather(send, send_count, send_type, receive, receive_count, receive_type, comm);
}
int MPI_Allgatherv(const void* send, int send_count, MPI_Datatype send_type, void* receive, const int receive_counts[],
                   const int displacements[], MPI_Datatype receive_type, MPI_Comm comm) {
  ++calls.other;
  return PMPI_Allgatherv(send, send_count, send_type, receive, receive_counts, displacements, receive_type, comm);
}
int MPI_Bcast(void* buffer, int count, MPI_Datatype type, int root, MPI_Comm comm) {
  ++calls.other;
  return PMPI_Bcast(buffer, count, type, root, comm);
}
}

namespace {

/// Whether every rank holds the same bytes as rank 0 (every rank gets the answer).
template <class T, std::size_t R>
bool same_on_every_rank(const xt::xtensor<T, R>& value) {
  const auto bytes = static_cast<int>(value.size() * sizeof(T));
  std::vector<char> all(static_cast<std::size_t>(bytes) * static_cast<std::size_t>(hvd::size()));
  PMPI_Allgather(value.data(), bytes, MPI_BYTE, all.data(), bytes, MPI_BYTE, MPI_COMM_WORLD);
  for (int r = 1; r < hvd::size(); ++r)
    if (std::memcmp(all.data(), all.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(bytes),
                    static_cast<std::size_t>(bytes)) != 0)
      return false;
  return true;
}

/// The largest |a - b| / (atol + rtol |b|) over the elements, NumPy's allclose as a number:
/// <= 1 means a matches b. The absolute part is for elements that training left near zero (a
/// bias at 8e-5), which carry the rounding of sums of much larger terms that other ranks'
/// partial sums reorder: measured on an AVX-512 machine with 3 ranks, 1.4e-9 apart.
template <class A, class B>
double mismatch(const A& a, const B& b, double rtol, double atol) {
  REQUIRE(a.shape() == b.shape());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::abs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i]));
    worst = std::max(worst, d / (atol + rtol * std::abs(static_cast<double>(b.data()[i]))));
  }
  return worst;
}

/// Rows [first, first + count) of a deterministic data set: 4 features, a label 0..2.
struct batch {
  xt::xtensor<float, 2> x;
  xt::xtensor<std::int64_t, 1> y;
};
batch rows(std::size_t step, std::size_t first, std::size_t count) {
  batch b{xt::xtensor<float, 2>::from_shape({count, 4}), xt::xtensor<std::int64_t, 1>::from_shape({count})};
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t n = step * 1000 + first + i;
    for (std::size_t j = 0; j < 4; ++j) b.x(i, j) = static_cast<float>(((n * 7 + j * 13) % 17) / 8.0 - 1.0);
    b.y(i) = static_cast<std::int64_t>((n * 5) % 3);
  }
  return b;
}

}  // namespace

TEST_CASE("horovod.context: before hvd::init, hvd functions and ops say that init was not called") {
  CHECK_THROWS_WITH_AS(hvd::rank(),
                       doctest::Contains("hvd::rank: typeflow::horovod::init() has not been called (call "
                                         "hvd::init(argc, argv) once per process"),
                       tf::error);
  CHECK_THROWS_WITH_AS(hvd::size(), doctest::Contains("hvd::size: typeflow::horovod::init()"), tf::error);
  CHECK_FALSE(hvd::is_initialized());
  auto x = tf::placeholder<"before_x", float, 3>();
  tf::Session sess;
  const xt::xtensor<float, 1> v = {1, 2, 3};
  CHECK_THROWS_WITH_AS(sess.run(hvd::allreduce(x), tf::feed(x, v)),
                       doctest::Contains("hvd::allreduce: typeflow::horovod::init() has not been called"), tf::error);
}

TEST_CASE("horovod.context: rank, size, local_rank and local_size (one host)") {
  hvd::init();  // MPI is up already (main's): hvd::init joins it, and leaves MPI_Finalize to main
  int world_size = 0, world_rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  CHECK(hvd::size() == world_size);
  CHECK(hvd::rank() == world_rank);
  CHECK(hvd::local_size() == world_size);
  CHECK(hvd::local_rank() == world_rank);
  CHECK(hvd::size() >= 2);
}

TEST_CASE("horovod.ops: allreduce, allgather and broadcast as graph ops") {
  hvd::init();
  const int rank = hvd::rank(), size = hvd::size();
  auto v = tf::placeholder<"ops_v", float, 2, 2>();
  const xt::xtensor<float, 2> mine = {{1.0f * static_cast<float>(rank + 1), 2}, {3, -static_cast<float>(rank)}};
  tf::Session sess;
  // Average and Sum of (rank + 1) over ranks 0..size-1: (size + 1) / 2 and size (size + 1) / 2.
  const auto average = sess.run(hvd::allreduce(v), tf::feed(v, mine));
  const auto sum = sess.run(hvd::allreduce(v, hvd::Sum), tf::feed(v, mine));
  CHECK(average(0, 0) == doctest::Approx((size + 1) / 2.0));
  CHECK(average(0, 1) == 2.0f);
  CHECK(average(1, 1) == doctest::Approx(-(size - 1) / 2.0));
  CHECK(sum(0, 0) == static_cast<float>(size * (size + 1) / 2));
  CHECK(sum(1, 0) == static_cast<float>(3 * size));

  // Rank r gives r + 1 rows valued 10 r + row: gathered in rank order.
  auto x = tf::placeholder<"ops_x", float, tf::none, 2>();
  xt::xtensor<float, 2> rows_of_rank = xt::xtensor<float, 2>::from_shape({static_cast<std::size_t>(rank + 1), 2});
  for (std::size_t i = 0; i < rows_of_rank.shape()[0]; ++i)
    rows_of_rank(i, 0) = rows_of_rank(i, 1) = static_cast<float>(10 * rank + static_cast<int>(i));
  const auto gathered = sess.run(hvd::allgather(x), tf::feed(x, rows_of_rank));
  REQUIRE(gathered.shape()[0] == static_cast<std::size_t>(size * (size + 1) / 2));
  std::size_t row = 0;
  for (int r = 0; r < size; ++r)
    for (int i = 0; i <= r; ++i, ++row) CHECK(gathered(row, 1) == static_cast<float>(10 * r + i));

  // From the last rank: its value everywhere.
  const auto from_last = sess.run(hvd::broadcast(v, size - 1), tf::feed(v, mine));
  CHECK(from_last(0, 0) == static_cast<float>(size));
  CHECK(from_last(1, 1) == -static_cast<float>(size - 1));

  // An allreduce of rank-dependent shapes: every rank gets the error, naming both shapes.
  CHECK_THROWS_WITH_AS(sess.run(hvd::allreduce(x), tf::feed(x, rows_of_rank)),
                       doctest::Contains("hvd::allreduce: rank 1's tensor has shape [2, 2], rank 0's [1, 2]"),
                       tf::error);
  CHECK_THROWS_WITH_AS(sess.run(hvd::broadcast(v, size), tf::feed(v, mine)),
                       doctest::Contains("hvd::broadcast: root rank"), tf::error);
  // The gradient of an average is the average of the gradients.
  auto w = tf::Variable<"ops_w", float, 2>(tf::constant(1.0f));
  sess.run(tf::global_variables_initializer());
  const float k = static_cast<float>(rank + 1);
  const auto [g] = tf::gradients(tf::reduce_sum(hvd::allreduce(w * k) * k), w);
  CHECK(sess.run(g)(0) == doctest::Approx((rank + 1) * (size + 1) / 2.0));
}

TEST_CASE("horovod.DistributedOptimizer: ranks agree bitwise, match one process, one MPI_Allreduce per dtype") {
  hvd::init();
  const int rank = hvd::rank(), size = hvd::size();
  constexpr std::size_t per_rank = 5, steps = 8;
  auto x = tf::placeholder<"opt_x", float, tf::none, 4>();
  auto y = tf::placeholder<"opt_y", std::int64_t, tf::none>();
  auto W1 = tf::Variable<"opt/W1", float, 4, 8>(tf::truncated_normal(0.0, 0.5, /*seed=*/1));
  auto b1 = tf::Variable<"opt/b1", float, 8>(tf::constant(0.0f));
  auto W2 = tf::Variable<"opt/W2", float, 8, 3>(tf::truncated_normal(0.0, 0.5, /*seed=*/2));
  auto d = tf::Variable<"opt/d", double, 2>(tf::constant(0.5));  // a second dtype: a second fusion buffer
  auto logits = tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2);
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits)) +
              tf::cast<float>(tf::reduce_sum(tf::square(d - 2.0)));
  // Adam's update hardly changes when every gradient is scaled (m / sqrt(v)); plain gradient
  // descent's is the gradient: both together see a wrong average.
  const auto check_training = [&](const auto& optimizer) {
    auto train = hvd::DistributedOptimizer(optimizer).minimize(loss);
    auto reference = optimizer.minimize(loss);  // one process, the whole batch
    tf::Session sess, one;
    sess.run(tf::global_variables_initializer());
    sess.run(hvd::broadcast_global_variables(0));
    one.run(tf::global_variables_initializer());
    for (std::size_t step = 0; step < steps; ++step) {
      const batch mine = rows(step, static_cast<std::size_t>(rank) * per_rank, per_rank);
      const batch all = rows(step, 0, per_rank * static_cast<std::size_t>(size));
      calls = {};
      sess.run(train, tf::feed(x, mine.x), tf::feed(y, mine.y));
      CHECK(calls.allreduce == 2);                // tensor fusion: float32 and float64, one MPI_Allreduce each
      CHECK(calls.other == (step == 0 ? 4 : 0));  // the first step checks that the ranks' gradients match
      one.run(reference, tf::feed(x, all.x), tf::feed(y, all.y));
    }
    const auto check_variable = [&](const auto& v, const std::string& name) {
      INFO(name);  // a std::string: doctest logs a const char* as its address
      const auto value = sess.run(v);
      CHECK(same_on_every_rank(value));
      CHECK(mismatch(value, one.run(v), /*rtol=*/1e-5, /*atol=*/1e-7) <= 1);
    };
    check_variable(W1, "W1");
    check_variable(b1, "b1");
    check_variable(W2, "W2");
    check_variable(d, "d");
    CHECK(sess.run(d)(0) != 0.5);  // it trained
  };
  SUBCASE("Adam") { check_training(tf::train::AdamOptimizer(0.01)); }
  SUBCASE("GradientDescent") { check_training(tf::train::GradientDescentOptimizer(0.1)); }
}

TEST_CASE("horovod.broadcast_global_variables: differently initialised ranks agree on rank 0's values") {
  hvd::init();
  const int rank = hvd::rank();
  auto W = tf::Variable<"bcast/W", float, 3, 4>(tf::random_normal(0.0, 1.0, /*seed=*/static_cast<unsigned>(rank)));
  auto n = tf::Variable<"bcast/n", std::int64_t, 2>(tf::constant(std::int64_t{7} * rank));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const auto before = sess.run(W);
  CHECK_FALSE(same_on_every_rank(before));
  calls = {};
  sess.run(hvd::broadcast_global_variables(0));
  CHECK(calls.other == 3);  // the check of the ranks' variables (2 calls), then one MPI_Bcast of all
  const auto after = sess.run(W);
  CHECK(same_on_every_rank(after));
  CHECK(same_on_every_rank(sess.run(n)));
  CHECK(sess.run(n)(1) == 0);
  if (rank == 0) CHECK(after == before);

  tf::Session fresh;  // nothing initialised on the root: an error on every rank, naming a variable
  CHECK_THROWS_WITH_AS(fresh.run(hvd::broadcast_global_variables(0)),
                       doctest::Contains("is not initialized on root rank 0 (run tf::global_variables_initializer()"),
                       tf::error);
}

// Last: it declares a variable of another shape on rank 0 than on the others, which the
// default graphs keep (so a broadcast_global_variables after it would report them).
TEST_CASE("horovod.DistributedOptimizer: ranks training different shapes get an error naming both") {
  hvd::init();
  const auto attempt = [](const auto& W) {
    auto x = tf::placeholder<"mm_x", float, tf::none, 2>();
    auto train = hvd::DistributedOptimizer(tf::train::GradientDescentOptimizer(0.1))
                     .minimize(tf::reduce_mean(tf::square(tf::matmul(x, W))));
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const xt::xtensor<float, 2> data = {{1, 2}};
    CHECK_THROWS_WITH_AS(sess.run(train, tf::feed(x, data)),
                         doctest::Contains("hvd::DistributedOptimizer: rank 1 differs from rank 0 (every rank must "
                                           "train the same variables, with the same dtypes and shapes)\n  rank 0: "
                                           "float32 mm/W [2, 3]\n  rank 1: float32 mm/W [2, 4]"),
                         tf::error);
  };
  if (hvd::rank() == 0) attempt(tf::Variable<"mm/W", float, 2, 3>(tf::constant(1.0f)));
  else attempt(tf::Variable<"mm/W", float, 2, 4>(tf::constant(1.0f)));
}

namespace {

/// Trains with rank 1 killed at step 3; rank 0 says "finished" only if it got through.
int train_with_dying_rank() {
  auto x = tf::placeholder<"die_x", float, tf::none, 4>();
  auto W = tf::Variable<"die/W", float, 4, 1>(tf::constant(0.5f));
  auto train =
      hvd::DistributedOptimizer(tf::train::GradientDescentOptimizer(0.01)).minimize(tf::reduce_mean(tf::matmul(x, W)));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const batch b = rows(0, 0, 8);
  for (int step = 0; step < 100; ++step) {
    if (step == 3 && hvd::rank() == 1) std::raise(SIGKILL);
    sess.run(train, tf::feed(x, b.x));
  }
  std::cout << "rank " << hvd::rank() << " finished" << std::endl;
  return 0;
}

bool has_flag(int argc, char** argv, std::string_view flag) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == flag) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (has_flag(argc, argv, "--kill-rank-1")) {
    hvd::init(argc, argv);
    return train_with_dying_rank();
  }
  int provided = 0, rank = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  doctest::Context context(argc, argv);
  context.setOption("no-colors", true);  // mpirun hands the ranks a terminal: CI reads plain text
  if (rank != 0) context.setCout(&std::cerr);
  const int failed = context.run() != 0 ? 1 : 0;
  int any_failed = 0;
  PMPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  hvd::shutdown();
  MPI_Finalize();
  return any_failed;
}
