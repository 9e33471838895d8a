// Telling systemd (a Type=notify service's manager) what the service is doing: the sd_notify
// datagram protocol, written here rather than linked from libsystemd. It is one sendto() on an
// AF_UNIX datagram socket, and libsystemd would add a run-time dependency (and its own
// dependencies) to every install, also those that never run under systemd.
#pragma once

#include <string>

namespace xrca::cli {

/**
 * Sends `state` (newline-separated assignments such as "READY=1" or "STOPPING=1", see
 * sd_notify(3)) to the socket named by $NOTIFY_SOCKET: a file system path, or an abstract socket
 * when the name starts with '@'. Returns false, and does nothing, when the variable is unset
 * (not run by systemd) or names no usable socket; false too when the datagram was not sent.
 * Never throws: a service manager that cannot be told is no reason to stop serving.
 */
bool notify_service_manager(const std::string& state) noexcept;

}  // namespace xrca::cli
