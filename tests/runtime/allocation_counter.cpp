// Counts heap allocations in the runtime test executable. Two doors lead to the heap:
// operator new (replaced here), and the C allocation functions that xsimd's aligned
// allocator calls from inlined code (redirected here by the linker's --wrap, see
// tests/meson.build). In its own translation unit, so nothing here is inlined into callers.

#include "allocation_counter.hpp"

#include <atomic>
#include <cstddef>
#include <new>

extern "C" {
void* __real_malloc(std::size_t);
void* __real_calloc(std::size_t, std::size_t);
void* __real_realloc(void*, std::size_t);
void* __real_aligned_alloc(std::size_t, std::size_t);
int __real_posix_memalign(void**, std::size_t, std::size_t);
void free(void*) noexcept;
}

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
void count() {
  if (counting) ++allocations;
}
}  // namespace

extern "C" {
void* __wrap_malloc(std::size_t n) {
  count();
  return __real_malloc(n);
}
void* __wrap_calloc(std::size_t n, std::size_t s) {
  count();
  return __real_calloc(n, s);
}
void* __wrap_realloc(void* p, std::size_t n) {
  count();
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(std::size_t a, std::size_t n) {
  count();
  return __real_aligned_alloc(a, n);
}
int __wrap_posix_memalign(void** p, std::size_t a, std::size_t n) {
  count();
  return __real_posix_memalign(p, a, n);
}
}

void* operator new(std::size_t n) {
  count();
  if (void* p = __real_malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  count();
  void* p = nullptr;
  if (__real_posix_memalign(&p, static_cast<std::size_t>(a), n ? n : 1) == 0) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }

long test::allocations_of(const std::function<void()>& f) {
  allocations = 0;
  counting = true;
  f();
  counting = false;
  return allocations;
}
