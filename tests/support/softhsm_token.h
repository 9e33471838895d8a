// A real SoftHSM2 token for a test: its own token directory and configuration in a fresh
// temporary directory, initialised with softhsm2-util, and SOFTHSM2_CONF pointing at it for
// this process (and the processes it starts). Everything goes when the fixture does, also when
// the test fails.
#pragma once

#include <string>

namespace xrca::test {

/** SoftHSM2's module, as Debian installs it. */
inline constexpr const char* k_softhsm_module = "/usr/lib/softhsm/libsofthsm2.so";

class SoftHsmToken {
public:
    /** A token labelled `label` whose user PIN is `pin`. Throws std::runtime_error if it cannot be made. */
    explicit SoftHsmToken(std::string label = "xrca-test", std::string pin = "1234-5678");
    ~SoftHsmToken();
    SoftHsmToken(const SoftHsmToken&) = delete;
    SoftHsmToken& operator=(const SoftHsmToken&) = delete;

    [[nodiscard]] const std::string& label() const noexcept { return m_label; }
    [[nodiscard]] const std::string& pin() const noexcept { return m_pin; }
    [[nodiscard]] const std::string& directory() const noexcept { return m_dir; }
    /** The softhsm2.conf SOFTHSM2_CONF names. */
    [[nodiscard]] std::string config() const { return m_dir + "/softhsm2.conf"; }
    /** A configuration with no token at all (its own empty token directory), for "the token is gone". */
    [[nodiscard]] std::string empty_config() const { return m_dir + "/empty.conf"; }

private:
    std::string m_label;
    std::string m_pin;
    std::string m_dir;
};

}  // namespace xrca::test
