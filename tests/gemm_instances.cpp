// The GEMM kernels for float and double, compiled once for the test executables, whose files
// include the headers with -DTYPEFLOW_EXTERN_GEMM (kernels/gemm.hpp): the micro-kernels'
// unrolled instances were 7% of a test file's compile time with clang -O0.
#include <typeflow/kernels/gemm.hpp>

namespace typeflow::kernels::gemm {
TYPEFLOW_GEMM_INSTANCES(, float)
TYPEFLOW_GEMM_INSTANCES(, double)
}  // namespace typeflow::kernels::gemm
