#include "assertions.h"

#include <functional>
#include <gtest/gtest.h>

namespace pr {
namespace {

TimedMarker marker(double t, const std::string &line) { return {t, *parseMarker("@@PR " + line)}; }

// Samples at 20 Hz over [0, end).
RunRecord sampled(double end, const std::function<double(double)> &rss) {
    RunRecord r;
    for (int k = 0; k * 0.05 < end; ++k)
        r.samples.push_back({k * 0.05, rss(k * 0.05)});
    return r;
}

// 100 MiB until t=10, +768 MiB by t=20 (touch), freed at t=21, back to 126 MiB at t=22.8.
double drainCurve(double t) {
    if (t < 10)
        return 100;
    if (t < 20)
        return 100 + 76.8 * (t - 10);
    if (t < 22.8 - 1e-9)
        return 868;
    return 126;
}

RssReturnedAssertion drain() {
    RssReturnedAssertion a;
    a.from_marker = "touch-begin";
    a.peak_marker = "freed";
    a.fraction = 0.9;
    a.within_s = 60;
    return a;
}

TEST(AssertionsTest, RssReturnedPasses) {
    RunRecord r = sampled(30, drainCurve);
    r.markers = {marker(10, "touch-begin"), marker(20, "touched mib=768"), marker(21, "freed")};
    auto res = evaluateRssReturned(drain(), r, 30, false);
    EXPECT_EQ(res.verdict, Verdict::Pass);
    EXPECT_EQ(res.detail, "returned 742 MiB of 768 MiB grown (96.6 %) 1.8 s after 'freed'");
    EXPECT_NEAR(res.figures["baseline_mib"].get<double>(), 100, 1e-9);
    EXPECT_NEAR(res.figures["peak_mib"].get<double>(), 868, 1e-9);
    EXPECT_NEAR(res.figures["seconds_after_marker"].get<double>(), 1.8, 1e-6);
}

TEST(AssertionsTest, RssReturnedPendingThenFailsAfterWindow) {
    auto stuck = [](double t) { return t < 21 ? drainCurve(t) : 500.0; };
    RunRecord r = sampled(40, stuck);
    r.markers = {marker(10, "touch-begin"), marker(21, "freed")};
    auto res = evaluateRssReturned(drain(), r, 40, false);
    EXPECT_EQ(res.verdict, Verdict::Pending);

    r = sampled(82, stuck);
    r.markers = {marker(10, "touch-begin"), marker(21, "freed")};
    res = evaluateRssReturned(drain(), r, 82, false);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_EQ(res.detail,
              "only returned 368 MiB of 768 MiB grown (47.9 %, needed 90 %) within 60 s "
              "after 'freed'");
}

TEST(AssertionsTest, RssReturnedFailsWhenRunEndsEarly) {
    RunRecord r = sampled(25, [](double t) { return t < 21 ? drainCurve(t) : 500.0; });
    r.markers = {marker(10, "touch-begin"), marker(21, "freed")};
    auto res = evaluateRssReturned(drain(), r, 25, true);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NE(res.detail.find("run ended 4.0 s after 'freed'"), std::string::npos) << res.detail;
}

TEST(AssertionsTest, RssReturnedNeverSawMarker) {
    RunRecord r = sampled(30, drainCurve);
    r.markers = {marker(10, "touch-begin")};
    auto res = evaluateRssReturned(drain(), r, 30, false);
    EXPECT_EQ(res.verdict, Verdict::Pending);
    EXPECT_EQ(res.detail, "waiting for marker 'freed'");
    res = evaluateRssReturned(drain(), r, 30, true);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_EQ(res.detail, "never saw marker 'freed'");
    r.markers.clear();
    EXPECT_EQ(evaluateRssReturned(drain(), r, 30, true).detail, "never saw marker 'touch-begin'");
}

TEST(AssertionsTest, RssReturnedNeedsGrowth) {
    RunRecord r = sampled(30, [](double) { return 100.0; });
    r.markers = {marker(10, "touch-begin"), marker(21, "freed")};
    auto res = evaluateRssReturned(drain(), r, 30, false);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NE(res.detail.find("RSS grew only 0.0 MiB"), std::string::npos) << res.detail;
}

TEST(AssertionsTest, RssReturnedRecordsNotReachedWithin) {
    RunRecord r = sampled(82, [](double t) { return t < 21 ? drainCurve(t) : 500.0; });
    r.markers = {marker(10, "touch-begin"), marker(21, "freed")};
    auto res = evaluateRssReturned(drain(), r, 82, false);
    EXPECT_EQ(res.figures["not_reached_within_s"], 60.0);
    EXPECT_FALSE(res.figures.contains("seconds_after_marker"));
    // Down to 500 MiB by the first sample after 'freed' (t = 21.05).
    EXPECT_NEAR(res.figures["lowest_after_s"].get<double>(), 0.05, 1e-6);
    res = evaluateRssReturned(drain(), r, 50, true); // run ended inside the window
    EXPECT_FALSE(res.figures.contains("not_reached_within_s"));
}

RssReturnedWithinAssertion within30() {
    RssReturnedWithinAssertion a;
    a.from_marker = "touch-begin";
    a.peak_marker = "freed";
    a.within_s = 30;
    return a;
}

TEST(AssertionsTest, RssReturnedWithinMeasuresOverTheWholeWindow) {
    // Half of the growth is freed; 96 MiB come back by t=40, then RSS creeps up again.
    auto curve = [](double t) {
        if (t < 21)
            return drainCurve(t);
        if (t < 40)
            return 868.0 - 5 * (t - 21) - 1e-9;
        return 868.0 - 95.0 + (t - 40);
    };
    RunRecord r = sampled(45, curve);
    r.markers = {marker(10, "touch-begin"), marker(21, "freed mib=384")};
    auto res = evaluateRssReturnedWithin(within30(), r, 45, false);
    EXPECT_EQ(res.verdict, Verdict::Pending);
    EXPECT_NE(res.detail.find("waiting for the 30 s window after 'freed' to close"),
              std::string::npos)
        << res.detail;

    r = sampled(55, curve);
    r.markers = {marker(10, "touch-begin"), marker(21, "freed mib=384")};
    res = evaluateRssReturnedWithin(within30(), r, 55, false);
    EXPECT_EQ(res.verdict, Verdict::Pass);
    EXPECT_NEAR(res.figures["returned_mib"].get<double>(), 95, 0.3);
    EXPECT_EQ(res.figures["window_s"], 30.0);
    EXPECT_EQ(res.figures["window_closed"], true);
    EXPECT_EQ(res.detail, "returned 95 MiB of 768 MiB grown (12.4 %) within 30 s after 'freed'");

    auto strict = within30();
    strict.min_mib = 200;
    res = evaluateRssReturnedWithin(strict, r, 55, false);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NE(res.detail.find("; needed 200 MiB"), std::string::npos) << res.detail;

    res = evaluateRssReturnedWithin(within30(), r, 40, true);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NE(res.detail.find("run ended 19.0 s after 'freed', before the 30 s window closed"),
              std::string::npos)
        << res.detail;
    EXPECT_EQ(describe(strict),
              "RSS grown after 'touch-begin' returned within 30 s of 'freed' (at least 200 MiB)");
    EXPECT_EQ(kindName(strict), "rss_returned_within");
}

// Huge page shares from samples that carry them, once a second.
RunRecord thpRecord(double anon_before, double huge_before, double anon_after,
                    double huge_after) {
    RunRecord r;
    for (int k = 0; k < 40; ++k) {
        bool after = k > 10;
        r.samples.push_back({static_cast<double>(k), 900, std::nullopt,
                             after ? anon_after : anon_before, after ? huge_after : huge_before});
    }
    r.markers = {marker(10, "freed")};
    return r;
}

TEST(AssertionsTest, ThpKeptComparesTheShares) {
    ThpKeptAssertion a{"freed", 20, 0.9};
    // 90 % on huge pages before; the 400 MiB returned were whole huge pages.
    auto res = evaluateThpKept(a, thpRecord(1000, 900, 600, 500), 40, false);
    EXPECT_EQ(res.verdict, Verdict::Pass) << res.detail;
    EXPECT_NEAR(res.figures["thp_share_before"].get<double>(), 0.9, 1e-9);
    EXPECT_NEAR(res.figures["thp_share_after"].get<double>(), 500.0 / 600, 1e-9);
    EXPECT_NEAR(res.figures["thp_kept"].get<double>(), (500.0 / 600) / 0.9, 1e-9);

    // Small returns split the huge pages under what is still used.
    res = evaluateThpKept(a, thpRecord(1000, 900, 600, 60), 40, false);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NEAR(res.figures["thp_kept"].get<double>(), 0.1 / 0.9, 1e-9);
}

TEST(AssertionsTest, ThpKeptHasNothingToJudgeWithoutHugePages) {
    ThpKeptAssertion a{"freed", 20, 0.9};
    auto res = evaluateThpKept(a, thpRecord(1000, 0, 600, 0), 40, false);
    EXPECT_EQ(res.verdict, Verdict::Pass) << res.detail;
    EXPECT_NE(res.detail.find("nothing to keep"), std::string::npos) << res.detail;
    // Huge pages before and none after is a split, not a host without THP.
    EXPECT_EQ(evaluateThpKept(a, thpRecord(1000, 900, 600, 0), 40, false).verdict, Verdict::Fail);
}

TEST(AssertionsTest, ThpKeptWaitsForTheWindow) {
    ThpKeptAssertion a{"freed", 20, 0};
    auto r = thpRecord(1000, 900, 600, 500);
    EXPECT_EQ(evaluateThpKept(a, r, 25, false).verdict, Verdict::Pending);
    EXPECT_EQ(evaluateThpKept(a, r, 25, true).verdict, Verdict::Fail);
    r.samples.clear();
    EXPECT_EQ(evaluateThpKept(a, r, 40, false).verdict, Verdict::Fail);
}

TEST(AssertionsTest, RssGivenBackIntegratesBelowTheHighest) {
    // 500 MiB, up to 900 at t=10, down to 400 from t=12 to t=20.
    RunRecord r = sampled(25, [](double t) {
        if (t < 10)
            return 500.0;
        return t < 12 ? 900.0 : 400.0;
    });
    r.markers = {marker(10, "churn-begin"), marker(20, "churn-end")};
    auto res = evaluateRssGivenBack({"churn-begin", "churn-end"}, r, false);
    EXPECT_EQ(res.verdict, Verdict::Pass) << res.detail;
    // 500 MiB given back for 8 s.
    EXPECT_NEAR(res.figures["given_back_mib_s"].get<double>(), 4000, 30);
    EXPECT_NEAR(res.figures["given_back_mean_mib"].get<double>(), 400, 3);
    r.markers.pop_back();
    EXPECT_EQ(evaluateRssGivenBack({"churn-begin", "churn-end"}, r, false).verdict,
              Verdict::Pending);
}

TEST(AssertionsTest, MarkerAssertion) {
    MarkerAssertion a{"result", {"pass"}, {}};
    RunRecord r;
    EXPECT_EQ(evaluateMarker(a, r, false).verdict, Verdict::Pending);
    EXPECT_EQ(evaluateMarker(a, r, true).detail, "never saw marker 'result'");
    r.markers = {marker(1, "boot"), marker(5.25, "result pass")};
    auto res = evaluateMarker(a, r, false);
    EXPECT_EQ(res.verdict, Verdict::Pass);
    EXPECT_EQ(res.detail, "saw 'result pass' at 5.2 s");

    r.markers = {marker(5, "result fail reason=nobind"), marker(6, "result pass")};
    res = evaluateMarker(a, r, false);
    EXPECT_EQ(res.verdict, Verdict::Fail); // the first one decides
    EXPECT_NE(res.detail.find("result fail reason=nobind"), std::string::npos);

    MarkerAssertion with_args{"touched", {}, {{"mib", "768"}}};
    r.markers = {marker(3, "touched mib=768 extra=1")};
    EXPECT_EQ(evaluateMarker(with_args, r, false).verdict, Verdict::Pass);
    r.markers = {marker(3, "touched mib=512")};
    EXPECT_EQ(evaluateMarker(with_args, r, false).verdict, Verdict::Fail);
}

TEST(AssertionsTest, ValueAssertion) {
    ValueAssertion a{"memtotal_kib", 900000.0, 1100000.0};
    RunRecord r;
    r.markers = {marker(1, "value name=other v=1")};
    EXPECT_EQ(evaluateValue(a, r, false).verdict, Verdict::Pending);
    EXPECT_EQ(evaluateValue(a, r, true).verdict, Verdict::Fail);
    r.markers.push_back(marker(2, "value name=memtotal_kib v=1014000"));
    auto res = evaluateValue(a, r, false);
    EXPECT_EQ(res.verdict, Verdict::Pass);
    EXPECT_EQ(res.detail, "memtotal_kib = 1014000");
    EXPECT_EQ(res.figures["value"], 1014000.0);

    r.markers = {marker(2, "value name=memtotal_kib v=800000")};
    res = evaluateValue(a, r, false);
    EXPECT_EQ(res.verdict, Verdict::Fail);
    EXPECT_NE(res.detail.find("below the minimum 900000"), std::string::npos) << res.detail;
    r.markers = {marker(2, "value name=memtotal_kib v=12x")};
    EXPECT_NE(evaluateValue(a, r, false).detail.find("not a number"), std::string::npos);
}

TEST(AssertionsTest, EvaluatorScansConsoleIncrementally) {
    Evaluator ev({NoConsoleMatchAssertion{"BUG:|Kernel panic"}, MarkerAssertion{"done", {}, {}}});
    RunRecord r;
    r.console_lines = {"Linux version 6.12", "@@PR boot"};
    auto res = ev.evaluate(r, 1, false);
    EXPECT_EQ(res[0].verdict, Verdict::Pass);
    EXPECT_EQ(res[1].verdict, Verdict::Pending);
    EXPECT_FALSE(allDecided(res));
    EXPECT_FALSE(anyFailed(res));

    r.console_lines.push_back("[ 2.0] BUG: unable to handle page fault");
    r.console_lines.push_back("fine again");
    r.markers = {marker(3, "done")};
    res = ev.evaluate(r, 3, false);
    EXPECT_EQ(res[0].verdict, Verdict::Fail);
    EXPECT_EQ(res[0].detail, "console line 3: [ 2.0] BUG: unable to handle page fault");
    EXPECT_EQ(res[1].verdict, Verdict::Pass);
    EXPECT_TRUE(allDecided(res));
    EXPECT_TRUE(anyFailed(res));
    // Still failed on later calls.
    EXPECT_EQ(ev.evaluate(r, 4, true)[0].verdict, Verdict::Fail);
}

TEST(AssertionsTest, Descriptions) {
    EXPECT_EQ(describe(MarkerAssertion{"result", {"pass"}, {{"k", "v"}}}),
              "marker 'result pass k=v'");
    EXPECT_EQ(describe(drain()),
              "RSS grown after 'touch-begin' returned 90 % within 60 s of 'freed'");
    EXPECT_EQ(describe(ValueAssertion{"x", 1.0, std::nullopt}), "value x >= 1");
    EXPECT_EQ(kindName(drain()), "rss_returned");
}

} // namespace
} // namespace pr
