#include "scenario.h"

#include "error.h"
#include "raii.h"

#include <fstream>
#include <gtest/gtest.h>

namespace pr {
namespace {

using nlohmann::json;

json minimal() {
    return json::parse(R"({
        "name": "drain-1g", "description": "d", "memory_mib": 1024,
        "timeout_s": 300, "end": "when-decided", "assertions": []
    })");
}

// Expects parseScenario to throw SetupError whose message contains every fragment.
void expectError(const json &j, std::initializer_list<const char *> fragments) {
    try {
        parseScenario(j, "x.json");
        ADD_FAILURE() << "no error for " << j.dump();
    } catch (const SetupError &e) {
        for (const char *f : fragments)
            EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
                << "message '" << e.what() << "' lacks '" << f << "'";
    }
}

TEST(ScenarioTest, MinimalWithDefaults) {
    Scenario s = parseScenario(minimal(), "x.json");
    EXPECT_EQ(s.name, "drain-1g");
    EXPECT_EQ(s.memory_mib, 1024);
    EXPECT_EQ(s.smp, 1);
    EXPECT_TRUE(s.qemu.balloon);
    EXPECT_FALSE(s.qemu.free_page_reporting);
    EXPECT_FALSE(s.qemu.page_poison);
    EXPECT_EQ(s.end, EndPolicy::WhenDecided);
    EXPECT_TRUE(s.actions.empty());
    EXPECT_TRUE(s.tags.empty());
    EXPECT_FALSE(hasTag(s, "bench"));
}

TEST(ScenarioTest, TagsAndRssReturnedWithin) {
    json j = minimal();
    j["tags"] = {"bench"};
    j["assertions"] = json::parse(R"([
        {"kind": "rss_returned_within", "from_marker": "touch-begin", "peak_marker": "freed",
         "within_s": 30}
    ])");
    Scenario s = parseScenario(j, "x.json");
    EXPECT_TRUE(hasTag(s, "bench"));
    auto &w = std::get<RssReturnedWithinAssertion>(s.assertions[0]);
    EXPECT_DOUBLE_EQ(w.within_s, 30);
    EXPECT_DOUBLE_EQ(w.min_mib, 0);

    j["tags"] = {"Bench"};
    expectError(j, {"x.json.tags[0]", "not a valid tag"});
    j["tags"] = {"bench"};
    j["assertions"][0]["min_mib"] = -1;
    expectError(j, {"assertions[0].min_mib", ">= 0"});
    j["assertions"][0].erase("min_mib");
    j["assertions"][0]["fraction"] = 0.5;
    expectError(j, {"assertions[0].fraction", "unknown key"});
}

TEST(ScenarioTest, FullScenario) {
    json j = minimal();
    j["smp"] = 2;
    j["qemu"] = {
        {"free_page_reporting", true}, {"deflate_on_oom", true}, {"extra_args", {"-cpu", "max"}}};
    j["guest"] = {{"cmdline", "pr.run=drain pr.mib=768"}};
    j["actions"] = json::parse(
        R"([{"on_marker": "ready", "qmp": {"execute": "balloon", "arguments": {"value": 536870912}}}])");
    j["assertions"] = json::parse(R"([
        {"kind": "marker", "event": "result", "words": ["pass"], "args": {"mode": "x"}},
        {"kind": "no_console_match", "regex": "BUG:|WARNING:"},
        {"kind": "rss_returned", "from_marker": "touch-begin", "peak_marker": "freed",
         "fraction": 0.9, "within_s": 60, "comment": "why"},
        {"kind": "value", "name": "memtotal_kib", "min": 900000}
    ])");
    Scenario s = parseScenario(j, "x.json");
    EXPECT_EQ(s.smp, 2);
    EXPECT_TRUE(s.qemu.free_page_reporting);
    EXPECT_TRUE(s.qemu.deflate_on_oom);
    EXPECT_EQ(s.qemu.extra_args, (std::vector<std::string>{"-cpu", "max"}));
    EXPECT_EQ(s.guest_cmdline, "pr.run=drain pr.mib=768");
    ASSERT_EQ(s.actions.size(), 1u);
    EXPECT_EQ(s.actions[0].execute, "balloon");
    EXPECT_EQ(s.actions[0].arguments["value"], 536870912);
    ASSERT_EQ(s.assertions.size(), 5u); // and the oops check
    auto &m = std::get<MarkerAssertion>(s.assertions[0]);
    EXPECT_EQ(m.words, std::vector<std::string>{"pass"});
    EXPECT_EQ(m.args.at("mode"), "x");
    auto &r = std::get<RssReturnedAssertion>(s.assertions[2]);
    EXPECT_DOUBLE_EQ(r.fraction, 0.9);
    EXPECT_DOUBLE_EQ(r.min_growth_mib, 1.0);
    auto &v = std::get<ValueAssertion>(s.assertions[3]);
    EXPECT_EQ(v.min, 900000);
    EXPECT_FALSE(v.max);
}

TEST(ScenarioTest, SuiteTagsWithKernels) {
    json j = minimal();
    j["tags"] = {"check", "check@base", "stress@ours-debug", "bench"};
    Scenario s = parseScenario(j, "x.json");
    ASSERT_EQ(s.suites.size(), 4u);
    EXPECT_EQ(s.suites[0].suite, "check");
    EXPECT_EQ(s.suites[0].kernel, "ours"); // no @KERNEL: ours
    EXPECT_EQ(s.suites[1].kernel, "base");
    EXPECT_EQ(s.suites[2].suite, "stress");
    EXPECT_EQ(s.suites[2].kernel, "ours-debug");
    EXPECT_TRUE(hasTag(s, "check"));
    EXPECT_TRUE(hasTag(s, "stress"));
    EXPECT_FALSE(hasTag(s, "ours-debug"));

    for (const char *bad : {"check@", "check@Base", "check@a_b", "@base", "Check", "a@b@c"}) {
        j["tags"] = {bad};
        expectError(j, {"x.json.tags[0]", "is not a valid tag", "SUITE@KERNEL"});
    }
    j["tags"] = {"bench@base"};
    expectError(j, {"x.json.tags[0]", "the bench takes no @KERNEL"});
    j["tags"] = {"check", "check@ours"};
    expectError(j, {"x.json.tags[1]", "given twice"});
}

TEST(ScenarioTest, SuiteEntriesByBenchOrderThenName) {
    auto make = [](const std::string &name, std::vector<std::string> tags,
                   std::optional<int> order) {
        json j = minimal();
        j["name"] = name;
        j["tags"] = tags;
        if (order)
            j["bench_order"] = *order;
        return parseScenario(j, name + ".json");
    };
    std::vector<Scenario> all = {make("a", {"bench"}, std::nullopt), make("b", {"bench"}, 20),
                                 make("c", {"bench", "check", "check@base"}, 10),
                                 make("d", {"check@ours-debug"}, std::nullopt)};
    auto names = [](const std::vector<SuiteEntry> &entries) {
        std::string out;
        for (const auto &e : entries)
            out += e.scenario->name + "@" + e.kernel + " ";
        return out;
    };
    EXPECT_EQ(names(suiteEntries(all, "bench")), "c@ours b@ours a@ours ");
    EXPECT_EQ(names(suiteEntries(all, "check")), "c@ours c@base d@ours-debug ");
    EXPECT_EQ(names(suiteEntries(all, "stress")), "");
    EXPECT_EQ(suiteNames(all), (std::vector<std::string>{"bench", "check"}));

    json j = minimal();
    j["bench_order"] = 3;
    expectError(j, {"x.json.bench_order", "no \"bench\" tag"});
    j["tags"] = {"bench"};
    j["bench_order"] = -1;
    expectError(j, {"x.json.bench_order", "0..1000000"});
    j["bench_order"] = 1.5;
    expectError(j, {"x.json.bench_order", "expected an integer"});
}

TEST(ScenarioTest, Linger) {
    json j = minimal();
    EXPECT_DOUBLE_EQ(parseScenario(j, "x.json").linger_s, 0);
    j["linger_s"] = 3;
    EXPECT_DOUBLE_EQ(parseScenario(j, "x.json").linger_s, 3);
    j["linger_s"] = 61;
    expectError(j, {"x.json.linger_s", "[0, 60]"});
    j["linger_s"] = -1;
    expectError(j, {"x.json.linger_s", "[0, 60]"});
    j["linger_s"] = 2;
    j["end"] = "guest-exit";
    expectError(j, {"x.json.linger_s", "when-decided"});
}

TEST(ScenarioTest, EveryScenarioGetsTheOopsCheckLast) {
    json j = minimal();
    j["assertions"] = json::parse(R"([{"kind": "marker", "event": "done"}])");
    Scenario s = parseScenario(j, "x.json");
    ASSERT_EQ(s.assertions.size(), 2u);
    EXPECT_EQ(std::get<NoConsoleMatchAssertion>(s.assertions[1]).regex,
              "BUG:|WARNING:|Oops:|Kernel panic|Call Trace:|memory corruption");

    j["oops_regex"] = "BUG:|not ok [0-9]";
    s = parseScenario(j, "x.json");
    EXPECT_EQ(s.oops_regex, "BUG:|not ok [0-9]");
    EXPECT_EQ(std::get<NoConsoleMatchAssertion>(s.assertions.back()).regex, "BUG:|not ok [0-9]");

    j["oops_regex"] = "(";
    expectError(j, {"x.json.oops_regex", "invalid regular expression"});
    j["oops_regex"] = "";
    expectError(j, {"x.json.oops_regex", "empty string"});
    j.erase("oops_regex");
    j["assertions"] = json::parse(R"([{"kind": "no_console_match",
        "regex": "BUG:|WARNING:|Oops:|Kernel panic|Call Trace:|memory corruption"}])");
    expectError(j, {"x.json.assertions[0]", "the oops check every run gets", "remove it"});
}

TEST(ScenarioTest, ActionDelay) {
    json j = minimal();
    j["actions"] = json::parse(R"([
        {"on_marker": "ready", "qmp": {"execute": "query-status"}},
        {"on_marker": "s2idle", "delay_s": 3, "qmp": {"execute": "send-key",
         "arguments": {"keys": [{"type": "qcode", "data": "shift"}]}}},
        {"on_marker": "replug", "delay_s": 0.5, "qmp": {"execute": "device_add",
         "arguments": {"driver": "virtio-balloon-pci", "id": "balloon0",
                       "free-page-reporting": true}}}
    ])");
    Scenario s = parseScenario(j, "x.json");
    ASSERT_EQ(s.actions.size(), 3u);
    EXPECT_DOUBLE_EQ(s.actions[0].delay_s, 0);
    EXPECT_DOUBLE_EQ(s.actions[1].delay_s, 3);
    EXPECT_EQ(s.actions[1].arguments["keys"][0]["data"], "shift");
    EXPECT_DOUBLE_EQ(s.actions[2].delay_s, 0.5);
    EXPECT_EQ(s.actions[2].arguments["free-page-reporting"], true);

    j["actions"][1]["delay_s"] = -1;
    expectError(j, {"x.json.actions[1].delay_s", "[0, 3600]"});
    j["actions"][1]["delay_s"] = 7200;
    expectError(j, {"x.json.actions[1].delay_s", "[0, 3600]"});
    j["actions"][1]["delay_s"] = "3";
    expectError(j, {"x.json.actions[1].delay_s", "expected a number", "string"});
    j["actions"][1].erase("delay_s");
    j["actions"][1]["delay"] = 3;
    expectError(j, {"x.json.actions[1].delay", "unknown key", "delay_s"});
}

TEST(ScenarioTest, MissingRequiredField) {
    json j = minimal();
    j.erase("timeout_s");
    expectError(j, {"x.json.timeout_s", "missing"});
}

TEST(ScenarioTest, WrongType) {
    json j = minimal();
    j["memory_mib"] = "1024";
    expectError(j, {"memory_mib", "expected an integer", "string"});
}

TEST(ScenarioTest, UnknownKeyIsRejectedWithKnownKeys) {
    json j = minimal();
    j["qemu"] = {{"free_page_reportng", true}};
    expectError(j, {"x.json.qemu.free_page_reportng", "unknown key", "free_page_reporting"});
}

TEST(ScenarioTest, BadEndPolicy) {
    json j = minimal();
    j["end"] = "never";
    expectError(j, {"end", "guest-exit", "when-decided"});
}

TEST(ScenarioTest, BadAssertions) {
    json j = minimal();
    j["assertions"] = json::parse(R"([{"kind": "rss_dropped"}])");
    expectError(j, {"assertions[0].kind", "unknown assertion kind 'rss_dropped'"});
    j["assertions"] = json::parse(
        R"([{"kind": "rss_returned", "from_marker": "a", "peak_marker": "b", "fraction": 1.5, "within_s": 1}])");
    expectError(j, {"assertions[0].fraction", "(0, 1]"});
    j["assertions"] = json::parse(R"([{"kind": "no_console_match", "regex": "(unclosed"}])");
    expectError(j, {"assertions[0].regex", "invalid regular expression"});
    j["assertions"] = json::parse(R"([{"kind": "value", "name": "x", "min": 2, "max": 1}])");
    expectError(j, {"assertions[0]", "min is greater than max"});
    j["assertions"] =
        json::parse(R"([{"kind": "marker", "event": "result", "args": {"mib": 768}}])");
    expectError(j, {"assertions[0].args.mib", "expected a string"});
}

TEST(ScenarioTest, BadName) {
    json j = minimal();
    j["name"] = "Drain 1G";
    expectError(j, {"name", "not a valid name"});
}

TEST(ScenarioTest, BalloonOptionsWithoutBalloon) {
    json j = minimal();
    j["qemu"] = {{"balloon", false}, {"free_page_reporting", true}};
    expectError(j, {"balloon"});
}

TEST(ScenarioTest, FilesAndDirectory) {
    TempDir dir;
    json a = minimal();
    a["name"] = "b-second";
    json b = minimal();
    b["name"] = "a-first";
    std::ofstream(dir.path() / "b-second.json") << a.dump();
    std::ofstream(dir.path() / "a-first.json") << b.dump();
    std::ofstream(dir.path() / "README.md") << "not a scenario";
    auto all = loadScenarioDir(dir.path());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "a-first");
    EXPECT_EQ(&findScenario(all, "b-second"), &all[1]);
    try {
        findScenario(all, "nope");
        ADD_FAILURE();
    } catch (const UsageError &e) {
        EXPECT_NE(std::string(e.what()).find("a-first, b-second"), std::string::npos) << e.what();
    }

    std::ofstream(dir.path() / "c.json") << "{ not json";
    EXPECT_THROW(loadScenarioDir(dir.path()), SetupError);
    std::filesystem::remove(dir.path() / "c.json");
    std::ofstream(dir.path() / "d.json") << minimal().dump(); // name drain-1g != d
    try {
        loadScenarioDir(dir.path());
        ADD_FAILURE();
    } catch (const SetupError &e) {
        EXPECT_NE(std::string(e.what()).find("must match the file name"), std::string::npos);
    }
    EXPECT_THROW(loadScenarioDir(dir.path() / "missing"), SetupError);
}

TEST(ScenarioTest, ShippedScenariosLoad) {
    auto all = loadScenarioDir(PR_SCENARIO_DIR);
    EXPECT_NO_THROW(findScenario(all, "balloon-binds"));
    EXPECT_NO_THROW(findScenario(all, "drain-1g"));
    EXPECT_DOUBLE_EQ(findScenario(all, "drain-1g").linger_s, 3);
    // The integrity scenarios also fail on a TAP "not ok".
    EXPECT_EQ(findScenario(all, "integrity-stress").oops_regex,
              "BUG:|WARNING:|Oops:|Kernel panic|Call Trace:|memory corruption|not ok [0-9]");
    // The bench order of scripts/bench.sh, with the newer scenarios where they belong.
    std::string bench;
    for (const auto &e : suiteEntries(all, "bench"))
        bench += e.scenario->name + " ";
    EXPECT_EQ(bench,
              "bench-drain-1g bench-drain-4g bench-drain-8g bench-drain-16g "
              "bench-fragment-1g bench-holes-1g bench-churn-1cpu bench-churn-1cpu-noreport "
              "bench-churn-2cpu bench-churn-2cpu-noreport bench-churn-1cpu-icount "
              "bench-churn-1cpu-noreport-icount bench-churn-2cpu-icount "
              "bench-churn-2cpu-noreport-icount bench-burst-250ms bench-burst-250ms-noreport "
              "bench-burst-1s bench-burst-1s-noreport bench-burst-3s "
              "bench-burst-3s-noreport ");
}

} // namespace
} // namespace pr
