// Saving and loading a 100 M-float (400 MB) checkpoint against what the disk path allows,
// in the same run, on the same file system:
//   bundle_write       io::bundle_writer: crc32c of the tensor, write() of it, the index, renames
//   memcpy_write       reference: memcpy of the tensor into a buffer, then write() of the buffer
//   bundle_write_sync  / memcpy_write_sync: the same, each with an fsync before the file is closed
//   bundle_read        io::bundle_reader: the index, pread() of the tensor, crc32c verification
//   read_memcpy        reference: pread() into a buffer, then memcpy out of it
//   crc32c / crc32c_portable: checksum alone, SSE4.2 (3 streams) and the slicing-by-8 table
// Throughput is bytes of tensor per second (Google Benchmark prints G for 2^30). The files go to
// $TYPEFLOW_BENCH_DIR, or the system's temporary directory.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <typeflow/io/bundle_reader.hpp>
#include <typeflow/io/bundle_writer.hpp>
#include <vector>

namespace io = typeflow::io;

namespace {

constexpr std::size_t n = 100'000'000;

const std::vector<float>& tensor() {
  static const std::vector<float> t = [] {
    std::vector<float> v(n);
    std::uint32_t s = 1;
    for (auto& x : v) x = static_cast<float>((s = s * 1664525u + 1013904223u) >> 8);
    return v;
  }();
  return t;
}

const std::string& dir() {
  static const std::string d = [] {
    const char* env = std::getenv("TYPEFLOW_BENCH_DIR");
    std::string templ =
        (std::filesystem::path(env ? env : std::filesystem::temp_directory_path().string()) / "typeflow-bench-XXXXXX")
            .string();
    if (!::mkdtemp(templ.data())) std::abort();
    return templ;
  }();
  return d;
}

void write_bundle(const std::string& prefix, bool sync) {
  io::bundle_writer w(prefix, {.sync = sync});
  w.add<float>("W", {static_cast<std::int64_t>(n)}, std::span<const float>(tensor()));
  w.finish();
}

void write_reference(const std::string& path, std::vector<char>& buffer, bool sync) {
  std::memcpy(buffer.data(), tensor().data(), buffer.size());
  io::file f = io::file::create(path);
  f.write(buffer.data(), buffer.size());
  if (sync) f.sync();
  f.close();
}

/// Each save goes to a new file, as a Saver's `model-STEP` does; the previous one is deleted
/// outside the timing (replacing a 400 MB file costs as much again, in either variant).
void remove_outside_timing(benchmark::State& state, const std::string& prefix) {
  state.PauseTiming();
  std::filesystem::remove(io::index_filename(prefix));
  std::filesystem::remove(io::data_filename(prefix, 0, 1));
  state.ResumeTiming();
}

void bundle_write(benchmark::State& state, bool sync) {
  tensor();
  for (auto _ : state) {
    remove_outside_timing(state, dir() + "/bundle");
    write_bundle(dir() + "/bundle", sync);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}
void memcpy_write(benchmark::State& state, bool sync) {
  std::vector<char> buffer(n * sizeof(float));
  for (auto _ : state) {
    remove_outside_timing(state, dir() + "/reference");
    write_reference(io::data_filename(dir() + "/reference", 0, 1), buffer, sync);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}

void bundle_read(benchmark::State& state) {
  write_bundle(dir() + "/read", false);
  std::vector<float> out(n);
  for (auto _ : state) {
    const io::bundle_reader r(dir() + "/read");
    r.read("W", std::as_writable_bytes(std::span(out)));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}
void read_memcpy(benchmark::State& state) {
  write_bundle(dir() + "/read", false);
  std::vector<char> buffer(n * sizeof(float));
  std::vector<float> out(n);
  for (auto _ : state) {
    const io::file f = io::file::open_read(io::data_filename(dir() + "/read", 0, 1));
    f.read_at(buffer.data(), buffer.size(), 0);
    std::memcpy(out.data(), buffer.data(), buffer.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}

void crc32c(benchmark::State& state, bool portable) {
  const auto& t = tensor();
  for (auto _ : state)
    benchmark::DoNotOptimize(portable ? io::crc32c::extend_portable(0, t.data(), n * sizeof(float))
                                      : io::crc32c::value(t.data(), n * sizeof(float)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float)));
}

void options(benchmark::internal::Benchmark* b) {
  // Wall time: the disk works while the CPU waits.
  b->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime();
}

BENCHMARK_CAPTURE(bundle_write, nosync, false)->Apply(options);
BENCHMARK_CAPTURE(memcpy_write, nosync, false)->Apply(options);
BENCHMARK_CAPTURE(bundle_write, sync, true)->Name("bundle_write_sync")->Apply(options);
BENCHMARK_CAPTURE(memcpy_write, sync, true)->Name("memcpy_write_sync")->Apply(options);
BENCHMARK(bundle_read)->Apply(options);
BENCHMARK(read_memcpy)->Apply(options);
BENCHMARK_CAPTURE(crc32c, sse42, false)->Apply(options);
BENCHMARK_CAPTURE(crc32c, portable, true)->Apply(options);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The reader gives back what the writer wrote.
  write_bundle(dir() + "/check", false);
  std::vector<float> back(n);
  io::bundle_reader(dir() + "/check").read("W", std::as_writable_bytes(std::span(back)));
  if (std::memcmp(back.data(), tensor().data(), n * sizeof(float)) != 0) {
    std::fprintf(stderr, "bench_checkpoint: read-back differs\n");
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::filesystem::remove_all(dir());
  return 0;
}
