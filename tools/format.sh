#!/usr/bin/env bash
# Formats the C++ sources with clang-format 14 and the tree's .clang-format.
#
#   tools/format.sh            format every .hpp/.cpp under include tests benchmarks examples tools fuzz, in place
#   tools/format.sh --check    change nothing; list the files that are not formatted and exit 1 if any
#   tools/format.sh [--check] FILE...   only these files
#
# Exit status 77 (a skipped test, for `meson test --suite lint`) when clang-format 14 is missing:
# other versions format differently, so they are not used. Set CLANG_FORMAT to choose the binary.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi

# Files that clang-format 14 would mangle throughout: each runs many immediately invoked
# template lambdas (`[&]<std::size_t... I>(std::index_sequence<I...>) { ... }(seq)`), which it
# splits after the closing brace and joins onto the previous line; marking every one with
# `// clang-format off/on` would hide more than it keeps. They are kept in the same style by hand.
skip=(
  include/typeflow/autodiff/gradients.hpp
  include/typeflow/eager/execute.hpp
  include/typeflow/eager/function.hpp
  include/typeflow/eval/cpu_executor.hpp
  include/typeflow/eval/fused.hpp
  include/typeflow/eval/schedule.hpp
  include/typeflow/graph/node.hpp
  include/typeflow/ops/elementwise.hpp
  tests/parity/op_parity.hpp
)

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null && "$c" --version | grep -q "version 14\."; then
      cf=$c
      break
    fi
  done
fi
if [ -z "$cf" ]; then
  echo "tools/format.sh: clang-format 14 not found (Debian 12: apt-get install clang-format): skipped" >&2
  exit 77
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  dirs=(include tests benchmarks examples tools fuzz)
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # Tracked and new (not ignored) files, so a file not yet added is checked too.
    mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "${dirs[@]}" | grep -E '\.(hpp|cpp)$' | sort -u)
  else
    mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.hpp' -o -name '*.cpp' \) | sort)
  fi
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -vxF -f <(printf '%s\n' "${skip[@]}"))
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ $check -eq 0 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -n 8 -P "$jobs" "$cf" -i --style=file
  exit 0
fi

# The files that formatting would change, sorted (the same list whatever the job count).
export cf
unformatted=$(printf '%s\0' "${files[@]}" |
  xargs -0 -n 8 -P "$jobs" sh -c 'for f; do "$cf" --style=file "$f" | cmp -s - "$f" || echo "$f"; done' sh | sort)
if [ -n "$unformatted" ]; then
  echo "Not formatted (run tools/format.sh, clang-format 14):"
  printf '  %s\n' $unformatted
  exit 1
fi
echo "${#files[@]} files formatted (${#skip[@]} skipped: see tools/format.sh)"
