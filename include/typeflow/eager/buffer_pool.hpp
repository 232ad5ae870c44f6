#ifndef TYPEFLOW_EAGER_BUFFER_POOL_HPP
#define TYPEFLOW_EAGER_BUFFER_POOL_HPP

// The memory of eager tensors: a per-thread cache of freed buffers by size class (powers of
// two), as PyTorch's CPU caching allocator keeps them, so that a training loop's steady state
// takes its buffers from the cache instead of the system allocator. Buffers are 64-byte
// aligned, as xtensor's, so kernels may use aligned loads.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace typeflow::eager::detail {

/// Owns one block of `capacity` bytes; gives it back to the freeing thread's cache. A block
/// that another object owns (an array a tensor took over) is released with `owner` instead.
struct pooled_buffer {
  void* data = nullptr;
  std::size_t capacity = 0;
  std::shared_ptr<void> owner;
  pooled_buffer() = default;
  pooled_buffer(const pooled_buffer&) = delete;
  pooled_buffer& operator=(const pooled_buffer&) = delete;
  ~pooled_buffer();
};

class buffer_cache {
 public:
  /// Blocks kept per size class; beyond, freed blocks go back to the system.
  static constexpr std::size_t kept_per_class = 16;
  /// Classes 64 B .. 2^(6 + classes - 1) B; larger blocks are not cached.
  static constexpr std::size_t classes = 25;

  static std::size_t class_of(std::size_t bytes) {
    const std::size_t c = std::bit_width(std::max<std::size_t>(bytes, 64) - 1) - 6;
    return c;
  }

  void* take(std::size_t c) {
    if (c < classes && !m_free[c].empty()) {
      void* p = m_free[c].back();
      m_free[c].pop_back();
      return p;
    }
    return nullptr;
  }
  /// Keeps block p of class c; false if the cache is full (the caller frees it).
  bool keep(std::size_t c, void* p) {
    if (c >= classes || m_free[c].size() >= kept_per_class) return false;
    if (m_free[c].capacity() == 0) m_free[c].reserve(kept_per_class);
    m_free[c].push_back(p);
    return true;
  }
  ~buffer_cache() {
    for (auto& blocks : m_free)
      for (void* p : blocks) std::free(p);
    current() = nullptr;
  }

  /// This thread's cache; null once it is destroyed (a tensor freed at exit frees directly).
  static buffer_cache*& current() {
    thread_local buffer_cache* cache = nullptr;
    return cache;
  }
  /// How many buffers this thread took from the system (not from the cache): a steady loop's
  /// count stays put (tests/eager checks it).
  static std::size_t& system_allocations() {
    thread_local std::size_t n = 0;
    return n;
  }

  static buffer_cache* get() {
    thread_local buffer_cache cache;
    thread_local bool made = (current() = &cache, true);
    (void)made;
    return current();
  }

 private:
  std::array<std::vector<void*>, classes> m_free;
};

inline pooled_buffer::~pooled_buffer() {
  if (!data || owner) return;
  buffer_cache* cache = buffer_cache::current();
  if (!cache || !cache->keep(buffer_cache::class_of(capacity), data)) std::free(data);
}

/// A buffer of at least `bytes` bytes (its size class's), from this thread's cache if it holds one.
inline std::shared_ptr<pooled_buffer> allocate_buffer(std::size_t bytes) {
  auto b = std::make_shared<pooled_buffer>();
  const std::size_t c = buffer_cache::class_of(bytes);
  const std::size_t capacity = c < buffer_cache::classes ? std::size_t{64} << c : (bytes + 63) / 64 * 64;
  b->capacity = capacity;
  b->data = buffer_cache::get()->take(c);
  if (!b->data) {
    ++buffer_cache::system_allocations();
    b->data = std::aligned_alloc(64, capacity);
    if (!b->data) throw std::bad_alloc();
  }
  return b;
}

}  // namespace typeflow::eager::detail

#endif
