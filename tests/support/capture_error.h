// The xrca::Error a call raises, for tests that examine refusals; a test failure if none is.
#pragma once

#include "ca/errors.h"

#include <gtest/gtest.h>

namespace xrca::test {

template <typename Fn>
Error capture_error(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error was raised";
    return Error(ErrorKind::Internal, "none");
}

}  // namespace xrca::test
