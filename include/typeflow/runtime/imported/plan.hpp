#ifndef TYPEFLOW_RUNTIME_IMPORTED_PLAN_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_PLAN_HPP

// The plan of an imported graph for one set of fetches and feed dims: every needed node's
// dims, the steps that compute them, and where each value lives (a constant, a feed, an alias
// of another node's value, or an offset in one arena whose ranges are reused once their value
// is read for the last time). A chain of elementwise nodes, each read only by the next and of
// its dims, becomes one step: a program run block by block, so intermediate values stay in
// cache-sized blocks instead of round trips through memory. Plans are immutable; a run brings
// its own arena and scratch (run_state), so runs of one plan may overlap.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "../../core/element_count.hpp"
#include "../../core/error.hpp"
#include "../tensor.hpp"
#include "graph_nodes.hpp"

namespace typeflow::imported {

/// Values per block of a fused loop: 256 doubles per operand fit L1 beside a few others.
inline constexpr std::size_t block_size = 256;
inline constexpr std::size_t register_bytes = block_size * 8;
inline constexpr std::size_t max_program_ops = 64;

/// An operand of a fused program read from a buffer, broadcast to the program's dims.
struct program_leaf {
  std::size_t node;
  std::size_t element_size;
  enum class mode { contiguous, scalar, strided } how = mode::contiguous;
  std::vector<std::size_t> strides;  // per output dim; 0 where broadcast (strided mode)
};

/// One op of a fused program: reads registers (leaves first, then earlier ops' results).
struct program_op {
  block_fn fn;
  const node_attrs* attrs;
  std::vector<std::size_t> in;
  std::size_t element_size;
};

struct step {
  std::size_t node;                  // the node whose value the step writes
  std::vector<program_leaf> leaves;  // elementwise program (empty ops: a kernel step)
  std::vector<program_op> ops;
};

/// Where a value lives during a run.
struct slot {
  enum class where { none, constant, feed, arena, output } at = where::none;
  std::size_t index = 0;  // feed index, arena offset, or the fetch whose Tensor holds it
  std::size_t root = 0;   // the node whose storage this is (itself, or what it aliases)
  dims_vector dims;
};

struct plan {
  std::vector<slot> slots;  // per node of the graph
  std::vector<step> steps;
  std::size_t arena_bytes = 0;
  std::size_t scratch_bytes = 0;
};

/// The per-run memory of a plan, kept for the next run of the plan.
struct run_state {
  std::vector<std::byte> arena, scratch;
};

namespace detail {

inline std::size_t element_size(io::data_type t) { return io::data_type_size(t); }

/// NumPy broadcasting of a and b; an error naming the node when they do not broadcast.
inline dims_vector broadcast(const dims_vector& a, const dims_vector& b, const graph_node& n) {
  dims_vector out(std::max(a.size(), b.size()), 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1, db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1)
      throw error("tf::ImportedGraph: " + n.where() + ": incompatible shapes " + shape_string(a) + " and " +
                  shape_string(b));
    out[out.size() - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

/// First-fit allocation of arena ranges (64-byte aligned), freed when their value is dead.
class arena_allocator {
 public:
  std::size_t allocate(std::size_t bytes) {
    bytes = (bytes + 63) / 64 * 64;
    for (auto it = m_free.begin(); it != m_free.end(); ++it) {
      if (it->second >= bytes) {
        const std::size_t at = it->first;
        if (it->second == bytes) m_free.erase(it);
        else *it = {at + bytes, it->second - bytes};
        return at;
      }
    }
    const std::size_t at = m_end;
    m_end += bytes;
    return at;
  }
  void release(std::size_t at, std::size_t bytes) { m_free.push_back({at, (bytes + 63) / 64 * 64}); }
  std::size_t size() const { return m_end; }

 private:
  std::vector<std::pair<std::size_t, std::size_t>> m_free;
  std::size_t m_end = 0;
};

}  // namespace detail

/// Plans the run of `fetches` with `fed` (per node: the feed index, or -1) of dims `feed_dims`.
inline plan make_plan(const std::vector<graph_node>& nodes, const std::vector<std::size_t>& fetches,
                      const std::vector<std::ptrdiff_t>& fed, const std::vector<dims_vector>& feed_dims, bool fuse,
                      const import_limits& limits) {
  const std::size_t n = nodes.size();
  plan p;
  p.slots.resize(n);
  // The needed nodes, found from the fetches; a fed placeholder's inputs are not needed.
  std::vector<char> needed(n, 0);
  std::vector<std::size_t> stack(fetches.begin(), fetches.end());
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (needed[i]) continue;
    needed[i] = 1;
    if (fed[i] >= 0) continue;
    if (nodes[i].kind == node_kind::placeholder && !nodes[i].has_default)
      throw error("tf::ImportedGraph: placeholder '" + nodes[i].name + "' (" + io::dtype_name(nodes[i].dtype) +
                  ") must be fed: the fetches read it");
    for (const auto k : nodes[i].inputs) stack.push_back(k);
  }
  // Dims, in an order where inputs come first (node indices need not be: walk by depth).
  std::vector<std::size_t> order;
  {
    std::vector<char> state(n, 0);  // 1: visiting, 2: done
    for (std::size_t f = 0; f < n; ++f) {
      if (!needed[f] || state[f]) continue;
      std::vector<std::pair<std::size_t, std::size_t>> walk{{f, 0}};
      state[f] = 1;
      while (!walk.empty()) {
        auto& [i, k] = walk.back();
        const bool leaf = fed[i] >= 0;
        if (!leaf && k < nodes[i].inputs.size()) {
          const std::size_t in = nodes[i].inputs[k++];
          if (!state[in]) {
            state[in] = 1;
            walk.push_back({in, 0});
          }
          continue;
        }
        state[i] = 2;
        order.push_back(i);
        walk.pop_back();
      }
    }
  }
  std::vector<std::size_t> uses(n, 0);
  for (const auto i : order)
    if (fed[i] < 0)
      for (const auto k : nodes[i].inputs) ++uses[k];
  std::vector<char> fetched(n, 0);
  for (const auto f : fetches) fetched[f] = 1;

  for (const auto i : order) {
    const graph_node& g = nodes[i];
    slot& s = p.slots[i];
    s.root = i;
    try {
      if (fed[i] >= 0) {
        s.at = slot::where::feed;
        s.index = static_cast<std::size_t>(fed[i]);
        s.dims = feed_dims[s.index];
      } else if (g.kind == node_kind::constant) {
        s.at = slot::where::constant;
        s.dims = g.value.shape();
      } else if (g.kind == node_kind::placeholder) {  // with a default, not fed: its input's value
        s = p.slots[g.inputs[0]];
      } else if (g.kind == node_kind::noop) {
        throw error("tf::ImportedGraph: " + g.where() + " has no value to fetch");
      } else if (g.kind == node_kind::elementwise) {
        dims_vector d = p.slots[g.inputs[0]].dims;
        for (std::size_t k = 1; k < g.inputs.size(); ++k) d = detail::broadcast(d, p.slots[g.inputs[k]].dims, g);
        if (g.op == "BiasAdd" || g.op == "BiasAddV1") {
          const auto &v = p.slots[g.inputs[0]].dims, &b = p.slots[g.inputs[1]].dims;
          if (v.empty() || b.size() != 1 || b[0] != v.back())
            throw error("tf::ImportedGraph: " + g.where() +
                        ": the bias must have rank 1 and the value's last dim, got " + shape_string(b) +
                        " for a value of dims " + shape_string(v));
        }
        s.dims = std::move(d);
      } else {
        std::vector<const dims_vector*> in;
        for (const auto k : g.inputs) in.push_back(&p.slots[k].dims);
        s.dims = g.kernel->result_dims(in, g.attrs);
        if (!g.kernel->forward) {
          const dims_vector d = std::move(s.dims);
          s = p.slots[g.inputs[0]];
          s.dims = d;
        }
      }
    } catch (const error& e) {
      const std::string what = e.what();
      throw error(what.rfind("tf::ImportedGraph", 0) == 0 ? what : "tf::ImportedGraph: " + g.where() + ": " + what);
    }
    const std::size_t size = detail::element_size(g.dtype);
    if (checked_element_count(s.dims, size, "tf::ImportedGraph: " + g.where()) * size > limits.max_tensor_bytes)
      throw error("tf::ImportedGraph: " + g.where() + ": its value of dims " + shape_string(s.dims) +
                  " exceeds the limit of " + std::to_string(limits.max_tensor_bytes) + " bytes");
  }

  // Fusion: an elementwise node read once, by an elementwise node of its dims, and not fetched,
  // is computed inside its reader's loop.
  auto fused = [&](std::size_t i) {
    return fuse && fed[i] < 0 && nodes[i].kind == node_kind::elementwise && uses[i] == 1 && !fetched[i];
  };
  // A program holds at most max_program_ops ops: its registers' scratch and the depth of the
  // walk that builds it stay small however long the chain.
  std::vector<char> inlined(n, 0);
  std::vector<std::size_t> program_ops(n, 1);
  for (const auto i : order) {
    if (fed[i] >= 0 || nodes[i].kind != node_kind::elementwise) continue;
    for (const auto k : nodes[i].inputs)
      if (fused(k) && p.slots[k].dims == p.slots[i].dims && program_ops[i] + program_ops[k] <= max_program_ops) {
        inlined[k] = 1;
        program_ops[i] += program_ops[k];
      }
  }

  // Steps in order; the arena range of each value is released after its last reader's step.
  std::vector<std::size_t> last_use(n, SIZE_MAX);  // the index of the last step reading a value
  auto build_program = [&](std::size_t root, step& st) {
    const auto& out_dims = p.slots[root].dims;
    auto emit = [&](auto& self, std::size_t i) -> std::size_t {  // the register of node i
      if (i != root && !inlined[i]) {
        program_leaf l{i, detail::element_size(nodes[i].dtype), program_leaf::mode::contiguous, {}};
        const auto& d = p.slots[i].dims;
        std::size_t count = 1;
        for (const auto x : d) count *= x;
        if (d != out_dims) {
          if (count == 1) {
            l.how = program_leaf::mode::scalar;
          } else {
            l.how = program_leaf::mode::strided;
            l.strides.assign(out_dims.size(), 0);
            std::size_t stride = 1;
            for (std::size_t k = d.size(); k-- > 0;) {
              const std::size_t m = k + (out_dims.size() - d.size());
              l.strides[m] = d[k] == 1 ? 0 : stride;
              stride *= d[k];
            }
          }
        }
        st.leaves.push_back(std::move(l));
        return st.leaves.size() - 1;
      }
      program_op o{nodes[i].fn, &nodes[i].attrs, {}, detail::element_size(nodes[i].dtype)};
      for (const auto k : nodes[i].inputs) o.in.push_back(self(self, k));
      st.ops.push_back(std::move(o));
      return ~(st.ops.size() - 1);  // ops are numbered after the leaves once all are known
    };
    emit(emit, root);
    // Registers: leaves 0..L-1, then ops; the in lists above hold ~op for ops.
    for (auto& o : st.ops)
      for (auto& r : o.in)
        if (r > st.leaves.size() + st.ops.size()) r = st.leaves.size() + ~r;
  };
  for (const auto i : order) {
    const graph_node& g = nodes[i];
    const bool computed = fed[i] < 0 && ((g.kind == node_kind::elementwise && !inlined[i]) ||
                                         (g.kind == node_kind::kernel && g.kernel->forward));
    if (!computed) continue;
    step st{i, {}, {}};
    if (g.kind == node_kind::elementwise) {
      build_program(i, st);
      for (const auto& l : st.leaves) last_use[p.slots[l.node].root] = p.steps.size();
      p.scratch_bytes = std::max(p.scratch_bytes, (st.leaves.size() + st.ops.size()) * register_bytes);
    } else {
      for (const auto k : g.inputs) last_use[p.slots[k].root] = p.steps.size();
    }
    p.steps.push_back(std::move(st));
  }
  // Values whose last reader is step s are dead after it, but fetched ones (or ones a fetched
  // alias shares) live to the end.
  std::vector<std::vector<std::size_t>> dying(p.steps.size());
  for (const auto& st : p.steps)
    if (last_use[st.node] != SIZE_MAX) dying[last_use[st.node]].push_back(st.node);
  for (const auto f : fetches) last_use[p.slots[f].root] = SIZE_MAX;
  // A fetched step output is written into the Tensor the run returns (no copy afterwards).
  std::vector<std::size_t> output_of(n, SIZE_MAX);
  for (std::size_t f = 0; f < fetches.size(); ++f) {
    const std::size_t r = p.slots[fetches[f]].root;
    if (output_of[r] == SIZE_MAX && nodes[r].kind != node_kind::constant && fed[r] < 0) output_of[r] = f;
  }
  detail::arena_allocator arena;
  auto bytes_of = [&](std::size_t k) {
    return checked_element_count(p.slots[k].dims, detail::element_size(nodes[k].dtype), nodes[k].name) *
           detail::element_size(nodes[k].dtype);
  };
  for (std::size_t s_index = 0; s_index < p.steps.size(); ++s_index) {
    const std::size_t i = p.steps[s_index].node;
    if (output_of[i] != SIZE_MAX) {
      p.slots[i].at = slot::where::output;
      p.slots[i].index = output_of[i];
    } else {
      p.slots[i].at = slot::where::arena;
      p.slots[i].index = arena.allocate(bytes_of(i));
    }
    for (const auto k : dying[s_index])
      if (last_use[k] == s_index) arena.release(p.slots[k].index, bytes_of(k));
  }
  // Aliases share their root's storage (kind and offset), known now that roots are placed.
  for (const auto i : order)
    if (p.slots[i].root != i) {
      const slot& r = p.slots[p.slots[i].root];
      p.slots[i].at = r.at;
      p.slots[i].index = r.index;
    }
  p.arena_bytes = arena.size();
  return p;
}

}  // namespace typeflow::imported

#endif
