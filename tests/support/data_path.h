// Where the test data lives (a compile definition set by tests/CMakeLists.txt).
#pragma once

#include <string>

namespace xrca::test {

inline std::string data_path(const std::string& relative) { return std::string(XRCA_TEST_DATA_DIR) + "/" + relative; }

}  // namespace xrca::test
