// The HTTP server's hand-off to its handler threads (enrollment/handler_pool.h), on a real
// server on 127.0.0.1 with a handler of the test's own: no authority behind it.
#include "support/raw_http.h"

#include "enrollment/http_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace xrca::enrollment {
namespace {

using test::http;

// Requests from many connections take turns on the handler threads (enrollment/handler_pool.h):
// never more at once than there are threads, each answered on its own connection, and a handler
// that throws costs its request a 500, not the connection's thread.
TEST(HttpServerDispatch, ManyConnectionsShareFewHandlerThreadsAndEachGetsItsOwnAnswer) {
    std::mutex mutex;
    std::condition_variable changed;
    int running = 0, most = 0, started = 0;
    bool open = false;
    ServerOptions options;
    options.listen = {{"127.0.0.1", 0}};
    options.threads = 2;
    HttpServer server(options, [&](const HttpRequest& r) {
        if (r.path == "/throw") throw std::runtime_error("a handler's bug");
        std::unique_lock<std::mutex> lock(mutex);
        ++started;
        most = std::max(most, ++running);
        changed.notify_all();
        changed.wait(lock, [&] { return open; });  // the first two hold both threads until released
        --running;
        HttpResponse answer;
        answer.content_type = "text/plain";
        answer.body = r.path;
        return answer;
    });
    constexpr int k_clients = 12;
    std::vector<test::HttpReply> replies(k_clients);
    std::vector<std::thread> clients;
    for (int i = 0; i < k_clients; ++i) {
        clients.emplace_back([&, i] { replies[i] = http(server.port(), "GET", "/client/" + std::to_string(i)); });
    }
    {
        std::unique_lock<std::mutex> lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(20), [&] { return started == 2; }));
        open = true;
        changed.notify_all();
    }
    for (auto& c : clients) c.join();
    EXPECT_EQ(most, 2);
    EXPECT_EQ(started, k_clients);
    for (int i = 0; i < k_clients; ++i) {
        EXPECT_EQ(replies[i].status, 200) << i;
        EXPECT_EQ(replies[i].body, "/client/" + std::to_string(i));
    }
    const auto failed = http(server.port(), "GET", "/throw");
    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(failed.body, "internal error\n");
    EXPECT_EQ(http(server.port(), "GET", "/after").body, "/after");
}

}  // namespace
}  // namespace xrca::enrollment
