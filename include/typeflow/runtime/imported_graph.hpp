#ifndef TYPEFLOW_RUNTIME_IMPORTED_GRAPH_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_GRAPH_HPP

// tf::ImportedGraph: a frozen GraphDef (a `.pb` of constants and placeholders, as
// convert_variables_to_constants writes it) run at run time, through the op tags and kernels
// that graph mode uses (runtime/imported/: one op table, no second copy of an op's math).
//
//   tf::ImportedGraph model(tf::GraphDef::parse(bytes, "model.pb"));
//   std::vector<tf::Tensor> out = model.run({"y"}, {{"x", tf::Tensor(X)}});
//
// Importing checks every node (op, inputs, dtypes, constants). A run plans once per set of
// fetches and feed dims (imported/plan.hpp) and reuses the plan and its memory afterwards. An
// ImportedGraph may be run from several threads at once: the nodes and plans are immutable,
// and each run takes its own arena from the plan's pool. Its ops split their work over an
// intra-op thread pool as a Session's do (imported_graph_options).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/thread_pool.hpp"
#include "../io/graph_def.hpp"
#include "config.hpp"
#include "imported/graph_nodes.hpp"
#include "imported/plan.hpp"
#include "tensor.hpp"

namespace typeflow {

/// Options of an imported graph.
struct imported_graph_options {
  /// Fuse chains of elementwise nodes into one loop (off: one loop per node, for comparison).
  bool fuse = true;
  /// The largest constant, feed or intermediate value, in bytes: a file or feed asking for more
  /// is an error, not an allocation.
  std::size_t max_tensor_bytes = std::size_t{1} << 34;
  /// Threads one op may split its work across (MatMul, reductions), as ConfigProto's field of
  /// the name for a Session: 0 lets tf::config::threading decide, one per core unless set.
  int intra_op_parallelism_threads = 0;
};

class ImportedGraph {
 public:
  explicit ImportedGraph(const GraphDef& graph, imported_graph_options options = {})
      : m_options(options), m_nodes(imported::detail::import_nodes(graph, limits())) {
    for (std::size_t i = 0; i < m_nodes.size(); ++i) m_index.emplace(m_nodes[i].name, i);
    // As a Session counts its threads (runtime/session.hpp).
    const int wanted = options.intra_op_parallelism_threads > 0 ? options.intra_op_parallelism_threads
                                                                : config::threading::get_intra_op_parallelism_threads();
    const unsigned threads =
        wanted > 0 ? static_cast<unsigned>(wanted) : std::max(1u, std::thread::hardware_concurrency());
    if (threads > 1) m_pool = std::make_unique<parallel::thread_pool>(threads);
  }

  /// The threads one op may use.
  std::size_t intra_op_threads() const { return m_pool ? m_pool->size() : 1; }

  /// The values of `fetches` ("node" or "node:0") with placeholders fed `feeds`.
  std::vector<Tensor> run(const std::vector<std::string>& fetches,
                          const std::vector<std::pair<std::string, Tensor>>& feeds) const {
    std::vector<std::size_t> fetch_nodes;
    for (const auto& f : fetches) fetch_nodes.push_back(find(f, "fetch"));
    std::vector<std::ptrdiff_t> fed(m_nodes.size(), -1);
    std::vector<imported::dims_vector> feed_dims;
    std::string key;
    for (const auto i : fetch_nodes) key += std::to_string(i) + ",";
    key += ";";
    for (std::size_t k = 0; k < feeds.size(); ++k) {
      const auto& [name, value] = feeds[k];
      const std::size_t i = find(name, "feed");
      check_feed(m_nodes[i], value);
      if (fed[i] >= 0) throw error("tf::ImportedGraph::run: placeholder '" + m_nodes[i].name + "' is fed twice");
      fed[i] = static_cast<std::ptrdiff_t>(k);
      feed_dims.push_back(value.shape());
      key += std::to_string(i) + shape_string(value.shape());
    }
    const std::shared_ptr<cached_plan> p = plan_for(key, fetch_nodes, fed, feed_dims);

    // The Tensors of fetched step outputs first: their steps write into them.
    const imported::plan& plan = p->plan;
    std::vector<Tensor> out(fetch_nodes.size());
    auto owns = [&](std::size_t f) {
      const imported::slot& s = plan.slots[fetch_nodes[f]];
      return s.at == imported::slot::where::output && s.index == f;
    };
    for (std::size_t f = 0; f < out.size(); ++f)
      if (owns(f)) out[f] = Tensor(m_nodes[fetch_nodes[f]].dtype, plan.slots[fetch_nodes[f]].dims);

    const parallel::use_pool lend(m_pool.get());
    std::unique_ptr<imported::run_state> state = p->acquire();
    std::byte* arena = aligned(state->arena);
    auto written = [&](std::size_t i) -> std::byte* {  // where a step writes node i's value
      const imported::slot& s = plan.slots[i];
      return s.at == imported::slot::where::output ? out[s.index].bytes() : arena + s.index;
    };
    auto address = [&](std::size_t i) -> const std::byte* {
      const imported::slot& s = plan.slots[i];
      if (s.at == imported::slot::where::constant) return m_nodes[s.root].value.bytes();
      if (s.at == imported::slot::where::feed) return feeds[s.index].second.bytes();
      return written(i);
    };
    for (const auto& st : plan.steps) execute(plan, st, address, written(st.node), aligned(state->scratch));
    p->release(std::move(state));

    for (std::size_t f = 0; f < out.size(); ++f) {
      if (owns(f)) continue;
      const std::size_t i = fetch_nodes[f];
      Tensor t(m_nodes[i].dtype, plan.slots[i].dims);
      const std::size_t bytes = t.size() * io::data_type_size(t.dtype());
      if (bytes) std::memcpy(t.bytes(), address(i), bytes);
      out[f] = std::move(t);
    }
    return out;
  }

  /// The names of the graph's placeholders, in the GraphDef's order.
  std::vector<std::string> placeholders() const {
    std::vector<std::string> names;
    for (const auto& n : m_nodes)
      if (n.kind == imported::node_kind::placeholder) names.push_back(n.name);
    return names;
  }

 private:
  /// A plan and the memory of its finished runs.
  struct cached_plan {
    imported::plan plan;
    std::mutex mutex;
    std::vector<std::unique_ptr<imported::run_state>> free;

    std::unique_ptr<imported::run_state> acquire() {
      {
        std::lock_guard lock(mutex);
        if (!free.empty()) {
          auto s = std::move(free.back());
          free.pop_back();
          return s;
        }
      }
      auto s = std::make_unique<imported::run_state>();
      s->arena.resize(plan.arena_bytes + 64);
      s->scratch.resize(plan.scratch_bytes + 64);
      return s;
    }
    void release(std::unique_ptr<imported::run_state> s) {
      std::lock_guard lock(mutex);
      free.push_back(std::move(s));
    }
  };

  imported::import_limits limits() const { return {m_options.max_tensor_bytes}; }

  static std::byte* aligned(std::vector<std::byte>& v) {
    const auto at = reinterpret_cast<std::uintptr_t>(v.data());
    return v.data() + ((64 - at % 64) % 64);
  }

  /// The node of "name" or "name:0".
  std::size_t find(std::string_view name, const char* what) const {
    std::string_view node = name;
    if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
      if (name.substr(colon + 1) != "0")
        throw error(std::string("tf::ImportedGraph::run: ") + what + " '" + std::string(name) +
                    "': only output 0 of a node exists here");
      node = name.substr(0, colon);
    }
    const auto it = m_index.find(std::string(node));
    if (it == m_index.end())
      throw error(std::string("tf::ImportedGraph::run: ") + what + " '" + std::string(name) +
                  "' is not a node of the graph");
    return it->second;
  }

  void check_feed(const imported::graph_node& n, const Tensor& value) const {
    const auto where = [&] {
      return "tf::ImportedGraph::run: feed of placeholder '" + n.name + "'";
    };  // on errors only
    if (n.kind != imported::node_kind::placeholder)
      throw error("tf::ImportedGraph::run: '" + n.name + "' is a " + n.op +
                  " node, not a placeholder: only placeholders are fed");
    if (value.dtype() != n.dtype)
      throw error(where() + ": dtype " + io::dtype_name(value.dtype()) + ", expected " + io::dtype_name(n.dtype));
    if (n.shape.unknown_rank) return;
    bool ok = value.rank() == n.shape.dims.size();
    for (std::size_t i = 0; ok && i < value.rank(); ++i)
      ok = n.shape.dims[i] < 0 || static_cast<std::size_t>(n.shape.dims[i]) == value.shape()[i];
    if (!ok)
      throw error(where() + ": dims " + shape_string(value.shape()) + ", expected " +
                  imported::detail::placeholder_dims_string(n.shape.dims));
    const std::size_t size = io::data_type_size(value.dtype());
    if (value.size() * size > m_options.max_tensor_bytes)
      throw error(where() + ": " + std::to_string(value.size() * size) + " bytes exceed the limit of " +
                  std::to_string(m_options.max_tensor_bytes));
  }

  std::shared_ptr<cached_plan> plan_for(const std::string& key, const std::vector<std::size_t>& fetches,
                                        const std::vector<std::ptrdiff_t>& fed,
                                        const std::vector<imported::dims_vector>& feed_dims) const {
    {
      std::lock_guard lock(m_cache->mutex);
      if (const auto it = m_cache->plans.find(key); it != m_cache->plans.end()) return it->second;
    }
    auto p = std::make_shared<cached_plan>();
    p->plan = imported::make_plan(m_nodes, fetches, fed, feed_dims, m_options.fuse, limits());
    std::lock_guard lock(m_cache->mutex);
    auto& plans = m_cache->plans;
    if (plans.size() >= max_plans) plans.clear();  // feeds of ever new dims: bounded memory
    return plans.emplace(key, std::move(p)).first->second;
  }

  /// Runs one step into `out`: a kernel's forward, or a fused program block by block.
  template <class Address>
  void execute(const imported::plan& p, const imported::step& st, const Address& address, std::byte* out,
               std::byte* scratch) const {
    const imported::graph_node& g = m_nodes[st.node];
    if (st.ops.empty()) {
      std::vector<imported::const_buffer> in;
      for (const auto k : g.inputs) in.push_back({address(k), &p.slots[k].dims});
      g.kernel->forward(m_nodes[g.inputs[0]].dtype, g.attrs, out, p.slots[st.node].dims, in);
      return;
    }
    const auto& dims = p.slots[st.node].dims;
    std::size_t count = 1;
    for (const auto d : dims) count *= d;
    const std::size_t leaves = st.leaves.size();
    std::vector<const void*> reg(leaves + st.ops.size());
    std::vector<const void*> args;
    const std::size_t filled = std::min(imported::block_size, count);  // a small run needs no whole block
    for (std::size_t l = 0; l < leaves; ++l) {  // a scalar leaf is one block of its value, filled once
      const auto& leaf = st.leaves[l];
      if (leaf.how != imported::program_leaf::mode::scalar) continue;
      std::byte* r = scratch + l * imported::register_bytes;
      for (std::size_t k = 0; k < filled; ++k)
        std::memcpy(r + k * leaf.element_size, address(leaf.node), leaf.element_size);
      reg[l] = r;
    }
    for (std::size_t begin = 0; begin < count; begin += imported::block_size) {
      const std::size_t m = std::min(imported::block_size, count - begin);
      for (std::size_t l = 0; l < leaves; ++l) {
        const auto& leaf = st.leaves[l];
        if (leaf.how == imported::program_leaf::mode::contiguous)
          reg[l] = address(leaf.node) + begin * leaf.element_size;
        else if (leaf.how == imported::program_leaf::mode::strided)
          reg[l] = gather(leaf, dims, address(leaf.node), begin, m, scratch + l * imported::register_bytes);
      }
      for (std::size_t o = 0; o < st.ops.size(); ++o) {
        const auto& op = st.ops[o];
        args.clear();
        for (const auto r : op.in) args.push_back(reg[r]);
        void* dst = o + 1 == st.ops.size() ? static_cast<void*>(out + begin * op.element_size)
                                           : static_cast<void*>(scratch + (leaves + o) * imported::register_bytes);
        op.fn(*op.attrs, dst, args.data(), m);
        reg[leaves + o] = dst;
      }
    }
  }

  /// Values [begin, begin + m) of a broadcast operand, in the loop's order, copied to `to`:
  /// run by run along the last dim, which the operand reads contiguously (stride 1) or as
  /// one value repeated (stride 0).
  static const void* gather(const imported::program_leaf& leaf, const imported::dims_vector& dims,
                            const std::byte* data, std::size_t begin, std::size_t m, std::byte* to) {
    const std::size_t r = dims.size(), size = leaf.element_size;
    std::vector<std::size_t> index(r);
    std::size_t offset = 0;
    for (std::size_t k = r, rest = begin; k-- > 0;) {
      index[k] = rest % dims[k];
      rest /= dims[k];
      offset += index[k] * leaf.strides[k];
    }
    const auto copy = [&]<class T>(T) {
      T* out = reinterpret_cast<T*>(to);
      const T* in = reinterpret_cast<const T*>(data);
      for (std::size_t j = 0; j < m;) {
        const std::size_t run = std::min(m - j, dims[r - 1] - index[r - 1]);
        if (leaf.strides[r - 1] == 0) std::fill(out + j, out + j + run, in[offset]);
        else std::copy(in + offset, in + offset + run, out + j);
        j += run;
        offset += run * leaf.strides[r - 1];
        index[r - 1] += run;
        if (index[r - 1] < dims[r - 1]) continue;
        offset -= leaf.strides[r - 1] * dims[r - 1];  // the next row: carry into the outer dims
        index[r - 1] = 0;
        for (std::size_t k = r - 1; k-- > 0;) {
          offset += leaf.strides[k];
          if (++index[k] < dims[k]) break;
          offset -= leaf.strides[k] * dims[k];
          index[k] = 0;
        }
      }
    };
    if (size == 1) copy(std::uint8_t{});
    else if (size == 4) copy(std::uint32_t{});
    else copy(std::uint64_t{});
    return to;
  }

  static constexpr std::size_t max_plans = 64;

  imported_graph_options m_options;
  std::vector<imported::graph_node> m_nodes;
  std::map<std::string, std::size_t, std::less<>> m_index;
  struct plan_cache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<cached_plan>> plans;
  };
  std::unique_ptr<plan_cache> m_cache = std::make_unique<plan_cache>();  // apart, so a graph moves
  std::unique_ptr<parallel::thread_pool> m_pool;                         // none for one thread
};

}  // namespace typeflow

#endif
