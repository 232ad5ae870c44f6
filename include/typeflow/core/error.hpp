#ifndef TYPEFLOW_CORE_ERROR_HPP
#define TYPEFLOW_CORE_ERROR_HPP

#include <stdexcept>
#include <string>

namespace typeflow {

/// Every error typeflow throws; the message names the node, file or tensor involved.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace typeflow

#endif
