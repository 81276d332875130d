#include "error.h"
#include "qmp_expect.h"
#include "scenario.h"

#include <gtest/gtest.h>

namespace pr {
namespace {

using nlohmann::json;

std::string setupError(const json &j) {
    try {
        parseQmpExpects(j, "s.json.actions[0].expect");
    } catch (const SetupError &e) {
        return e.what();
    }
    return "";
}

ActionRecord record(const std::string &marker, const json &response,
                    const std::string &error = "") {
    ActionRecord r;
    r.on_marker = marker;
    r.execute = "qom-get";
    r.arguments = {{"property", "guest-stats"}};
    r.response = response;
    r.error = error;
    return r;
}

const json kArgs = {{"property", "guest-stats"}};
const json kStats = json::parse(R"({"stats": {"stat-total-memory": 1042796544,
                                              "stat-swap-in": -1},
                                    "last-update": 1764074001})");

TEST(QmpExpectTest, Parses) {
    auto e = parseQmpExpects(json::parse(R"([{"pointer": "/last-update", "min": 1},
                                             {"pointer": "/stats", "comment": "c"},
                                             {"pointer": "/a/0", "min": 1, "max": 2}])"),
                             "w");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(describeExpect(e[0]), "/last-update >= 1");
    EXPECT_EQ(describeExpect(e[1]), "/stats present");
    EXPECT_EQ(describeExpect(e[2]), "/a/0 in [1, 2]");
    EXPECT_FALSE(e[1].min);
}

TEST(QmpExpectTest, RejectsBadFields) {
    EXPECT_NE(setupError(json::object()).find("expected an array"), std::string::npos);
    EXPECT_NE(setupError(json::parse(R"([3])")).find("[0]: expected an object"), std::string::npos);
    EXPECT_NE(setupError(json::parse(R"([{"min": 1}])")).find("[0].pointer: missing"),
              std::string::npos);
    EXPECT_NE(
        setupError(json::parse(R"([{"pointer": "last-update"}])")).find("is not a JSON pointer"),
        std::string::npos);
    EXPECT_NE(
        setupError(json::parse(R"([{"pointer": "/a", "mn": 1}])")).find("[0].mn: unknown key"),
        std::string::npos);
    EXPECT_NE(setupError(json::parse(R"([{"pointer": "/a", "min": "1"}])"))
                  .find("[0].min: expected a number"),
              std::string::npos);
    EXPECT_NE(setupError(json::parse(R"([{"pointer": "/a", "min": 2, "max": 1}])"))
                  .find("min is greater than max"),
              std::string::npos);
}

TEST(QmpExpectTest, ChecksOneReply) {
    QmpExpect present{"/stats/stat-total-memory", {}, {}};
    EXPECT_EQ(checkQmpExpect(present, kStats), "");
    QmpExpect positive{"/last-update", 1, {}};
    EXPECT_EQ(checkQmpExpect(positive, kStats), "");
    EXPECT_EQ(checkQmpExpect(positive, json::parse(R"({"last-update": 0})")),
              "/last-update = 0, expected >= 1");
    EXPECT_EQ(checkQmpExpect({"/stats/stat-swap-in", 0, {}}, kStats),
              "/stats/stat-swap-in = -1, expected >= 0");
    EXPECT_EQ(checkQmpExpect({"/stats/nope", {}, {}}, kStats), "/stats/nope missing in the reply");
    EXPECT_EQ(checkQmpExpect({"/stats/x", {}, {}}, json::parse(R"({"stats": {"x": null}})")),
              "/stats/x is null");
    EXPECT_EQ(checkQmpExpect({"/stats", 1, {}}, kStats).find("/stats = {"), 0u);
    EXPECT_EQ(checkQmpExpect({"/stats/stat-total-memory", 1, 1e9}, kStats),
              "/stats/stat-total-memory = 1042796544, expected in [1, 1000000000]");
    EXPECT_EQ(checkQmpExpect({"/a/1", {}, {}}, json::parse(R"({"a": [1]})")),
              "/a/1 missing in the reply");
    EXPECT_EQ(checkQmpExpect({"", {}, {}}, kStats), "");
}

TEST(QmpExpectTest, EvaluatesEveryRunOfTheAction) {
    std::vector<QmpExpect> expect = {{"/last-update", 1, {}}, {"/stats/stat-total-memory", {}, {}}};
    std::vector<ActionRecord> records = {record("other", json::object()), record("check", kStats)};
    auto reps = evaluateQmpExpects("check", "qom-get", kArgs, expect, records);
    ASSERT_EQ(reps.size(), 2u);
    EXPECT_EQ(reps[0].kind, "qmp_expect");
    EXPECT_EQ(reps[0].description, "reply to qom-get on 'check': /last-update >= 1");
    EXPECT_EQ(reps[0].result.verdict, Verdict::Pass);
    EXPECT_EQ(reps[0].result.detail, "/last-update = 1764074001");
    EXPECT_EQ(reps[0].result.figures["value"], 1764074001);
    EXPECT_EQ(reps[1].result.verdict, Verdict::Pass);

    records.push_back(record("check", json::parse(R"({"last-update": 0, "stats": {}})")));
    reps = evaluateQmpExpects("check", "qom-get", kArgs, expect, records);
    EXPECT_EQ(reps[0].result.verdict, Verdict::Fail);
    EXPECT_EQ(reps[0].result.detail, "/last-update = 0, expected >= 1 (reply 2 of 2)");
    EXPECT_EQ(reps[1].result.verdict, Verdict::Fail);

    records = {record("check", json(), "QMP error: GenericError: no such property")};
    reps = evaluateQmpExpects("check", "qom-get", kArgs, expect, records);
    EXPECT_EQ(reps[0].result.verdict, Verdict::Fail);
    EXPECT_EQ(reps[0].result.detail,
              "the command failed: QMP error: GenericError: no such property");
}

TEST(QmpExpectTest, NeverRanFails) {
    std::vector<QmpExpect> expect = {{"/last-update", 1, {}}};
    auto reps = evaluateQmpExpects("check", "qom-get", kArgs, expect, {record("check", kStats)});
    EXPECT_EQ(reps[0].result.verdict, Verdict::Pass);
    // Same marker and command, other arguments: a different action.
    reps =
        evaluateQmpExpects("check", "qom-get", json::object(), expect, {record("check", kStats)});
    EXPECT_EQ(reps[0].result.verdict, Verdict::Fail);
    EXPECT_NE(reps[0].result.detail.find("never ran"), std::string::npos);
    EXPECT_TRUE(evaluateQmpExpects("check", "qom-get", kArgs, {}, {}).empty());
}

TEST(QmpExpectTest, ScenarioActionsCarryExpectations) {
    json j = json::parse(R"({
        "name": "s", "description": "d", "memory_mib": 1024, "timeout_s": 60,
        "end": "guest-exit", "assertions": [],
        "actions": [{"on_marker": "check",
                     "qmp": {"execute": "qom-get", "arguments": {"path": "/p", "property": "q"}},
                     "expect": [{"pointer": "/last-update", "min": 1}]},
                    {"on_marker": "other", "qmp": {"execute": "stop"}}]
    })");
    Scenario s = parseScenario(j, "s.json");
    ASSERT_EQ(s.actions.size(), 2u);
    ASSERT_EQ(s.actions[0].expect.size(), 1u);
    EXPECT_EQ(s.actions[0].expect[0].pointer, "/last-update");
    EXPECT_TRUE(s.actions[1].expect.empty());

    j["actions"][0]["expect"] = json::parse(R"([{"pointer": "x"}])");
    try {
        parseScenario(j, "s.json");
        ADD_FAILURE() << "bad pointer accepted";
    } catch (const SetupError &e) {
        EXPECT_NE(std::string(e.what()).find("s.json.actions[0].expect[0].pointer"),
                  std::string::npos)
            << e.what();
    }
}

} // namespace
} // namespace pr
