#ifndef TYPEFLOW_OPS_KEYWORD_HPP
#define TYPEFLOW_OPS_KEYWORD_HPP

// Keyword arguments for ops whose operands have one type and are easy to swap: TF1's
// cross-entropies refuse positional arguments (their `_sentinel`), and a swapped
// (logits, labels) trains to garbage without a word. `tf::labels = y` wraps the node with its
// key; such an op takes its two keywords in either order, and positional nodes are a compile
// error that says how to write the call.

#include <type_traits>

#include "../graph/node.hpp"

namespace typeflow {

/// What may be passed by keyword: a graph node, or an eager tensor or variable (which say so).
template <class N>
concept keyword_operand = tensor_node<N> || requires {
  N::is_keyword_operand;
};

/// A node passed by keyword: `tf::labels = y` is a `keyword_argument<keyword_key::labels, Y>`.
template <class Key, keyword_operand N>
struct keyword_argument {
  N node;
};

/// A keyword: `tf::labels`, `tf::logits`, `tf::predictions`. Assigning a node to it names the node.
template <class Key>
struct keyword {
  template <keyword_operand N>
  constexpr keyword_argument<Key, N> operator=(const N& node) const {
    return {node};
  }
};

namespace keyword_key {
struct labels {};
struct logits {};
struct predictions {};
}  // namespace keyword_key

/// `labels=` of tf.nn's cross-entropies and tf.losses.
inline constexpr keyword<keyword_key::labels> labels{};
/// `logits=` of tf.nn's cross-entropies.
inline constexpr keyword<keyword_key::logits> logits{};
/// `predictions=` of tf.losses.
inline constexpr keyword<keyword_key::predictions> predictions{};

namespace detail {

template <class T, class Key>
inline constexpr bool has_keyword_v = false;
template <class Key, class N>
inline constexpr bool has_keyword_v<keyword_argument<Key, N>, Key> = true;

template <class T>
inline constexpr bool is_keyword_argument_v = false;
template <class Key, class N>
inline constexpr bool is_keyword_argument_v<keyword_argument<Key, N>> = true;

/// What a keyword op accepts at each place: a node by keyword, or a node (which its static_assert rejects).
template <class T>
concept node_or_keyword = tensor_node<T> || is_keyword_argument_v<T>;

/// Whether a, b are the keywords K1 and K2, in either order.
template <class K1, class K2, class A, class B>
inline constexpr bool keywords_v = (has_keyword_v<A, K1> && has_keyword_v<B, K2>) ||
                                   (has_keyword_v<A, K2> && has_keyword_v<B, K1>);

template <class T>
constexpr const auto& unkeyword(const T& t) {
  if constexpr (is_keyword_argument_v<T>) {
    return t.node;
  } else {
    return t;
  }
}

/// The node passed as Key among a, b; without keywords (an error already reported), the
/// positional one at Key's place in TF's signature (`First` for the first key).
template <class Key, bool First, class A, class B>
constexpr const auto& by_keyword(const A& a, const B& b) {
  if constexpr (has_keyword_v<A, Key>) {
    return a.node;
  } else if constexpr (has_keyword_v<B, Key>) {
    return b.node;
  } else if constexpr (First) {
    return unkeyword(a);
  } else {
    return unkeyword(b);
  }
}

}  // namespace detail

}  // namespace typeflow

#endif
