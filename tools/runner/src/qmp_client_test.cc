// QmpClient against a scripted fake QEMU on the other end of a socketpair.
#include "qmp_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace pr {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class FakeQemu {
public:
    FakeQemu() {
        int sv[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        client_fd = UniqueFd(sv[0]);
        server_.reset(sv[1]);
    }
    void send(const std::string &line) {
        std::string text = line + "\r\n";
        ASSERT_EQ(::write(server_.get(), text.data(), text.size()),
                  static_cast<ssize_t>(text.size()));
    }
    json receive() {
        std::string line;
        char c;
        while (::read(server_.get(), &c, 1) == 1 && c != '\n')
            line += c;
        return json::parse(line);
    }
    void close() { server_.reset(); }

    UniqueFd client_fd;

private:
    UniqueFd server_;
};

TEST(QmpClientTest, HandshakeExecuteEventsAndErrors) {
    FakeQemu qemu;
    std::thread server([&] {
        qemu.send(R"({"QMP": {"version": {"qemu": {"major": 7}}, "capabilities": []}})");
        json caps = qemu.receive();
        EXPECT_EQ(caps["execute"], "qmp_capabilities");
        qemu.send(R"({"return": {}, "id": )" + caps["id"].dump() + "}");

        json q = qemu.receive();
        EXPECT_EQ(q["execute"], "query-status");
        EXPECT_FALSE(q.contains("arguments"));
        qemu.send(R"({"event": "BALLOON_CHANGE", "data": {"actual": 1}, "timestamp": {}})");
        qemu.send(R"({"return": {"status": "running", "running": true}, "id": )" + q["id"].dump() +
                  "}");

        json b = qemu.receive();
        EXPECT_EQ(b["arguments"]["value"], 536870912);
        qemu.send(R"({"error": {"class": "DeviceNotActive", "desc": "No balloon device"}, "id": )" +
                  b["id"].dump() + "}");
        qemu.send(R"({"event": "SHUTDOWN", "data": {"guest": true}, "timestamp": {}})");
        qemu.close();
    });

    QmpClient client(std::move(qemu.client_fd), 5s);
    EXPECT_EQ(client.greeting()["QMP"]["version"]["qemu"]["major"], 7);
    json status = client.execute("query-status");
    EXPECT_EQ(status["status"], "running");
    try {
        client.execute("balloon", {{"value", 536870912}});
        ADD_FAILURE();
    } catch (const QmpCommandError &e) {
        EXPECT_EQ(e.errorClass(), "DeviceNotActive");
        EXPECT_NE(std::string(e.what()).find("No balloon device"), std::string::npos);
    }
    server.join();
    auto events = client.pollEvents();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].message["event"], "BALLOON_CHANGE");
    EXPECT_EQ(events[1].message["event"], "SHUTDOWN");
    EXPECT_TRUE(client.pollEvents().empty());
    EXPECT_TRUE(client.closed());
    EXPECT_THROW(client.execute("query-status"), QmpTransportError);
}

TEST(QmpClientTest, TimesOutWithoutGreeting) {
    FakeQemu qemu;
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(QmpClient(std::move(qemu.client_fd), 200ms), QmpTransportError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(QmpClientTest, ConnectGivesUp) {
    bool asked = false;
    EXPECT_THROW(QmpClient("/nonexistent/qmp.sock", 5s, [&] { return asked = true; }),
                 QmpTransportError);
    EXPECT_TRUE(asked);
}

} // namespace
} // namespace pr
