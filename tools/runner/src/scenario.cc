#include "scenario.h"

#include "error.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <regex>
#include <set>

namespace pr {

using nlohmann::json;

namespace {

std::string typeName(const json &j) {
    if (j.is_number_integer() || j.is_number_unsigned())
        return "an integer";
    if (j.is_number())
        return "a number";
    return std::string(j.is_object() ? "an " : "a ") + j.type_name();
}

// Reads fields of one JSON object, checking types, and rejects keys nobody asked for, so a
// misspelt key is an error instead of a silently ignored setting.
class Fields {
public:
    Fields(const json &j, std::string where) : j_(j), where_(std::move(where)) {
        if (!j_.is_object())
            fail(where_, "expected an object, got " + typeName(j_));
        used_.insert("comment"); // free-form documentation, allowed everywhere
        if (j_.contains("comment") && !j_["comment"].is_string())
            fail(at("comment"), "expected a string");
    }

    [[noreturn]] static void fail(const std::string &where, const std::string &what) {
        throw SetupError(where + ": " + what);
    }
    std::string at(const std::string &key) const { return where_ + "." + key; }
    bool has(const std::string &key) const { return j_.contains(key); }

    const json &raw(const std::string &key) {
        used_.insert(key);
        if (!j_.contains(key))
            fail(at(key), "missing (required)");
        return j_[key];
    }
    std::string str(const std::string &key) {
        const json &v = raw(key);
        if (!v.is_string())
            fail(at(key), "expected a string, got " + typeName(v));
        return v.get<std::string>();
    }
    std::string str(const std::string &key, const std::string &fallback) {
        return has(key) ? str(key) : (used_.insert(key), fallback);
    }
    double num(const std::string &key) {
        const json &v = raw(key);
        if (!v.is_number())
            fail(at(key), "expected a number, got " + typeName(v));
        return v.get<double>();
    }
    std::optional<double> optNum(const std::string &key) {
        used_.insert(key);
        return has(key) ? std::optional<double>(num(key)) : std::nullopt;
    }
    // The value if present (marks the key as known either way).
    const json *optRaw(const std::string &key) {
        used_.insert(key);
        return has(key) ? &j_[key] : nullptr;
    }
    // A number of seconds > 0.
    double seconds(const std::string &key) {
        double v = num(key);
        if (!(v > 0))
            fail(at(key), "expected a positive number of seconds");
        return v;
    }
    // A number >= 0, or `fallback` when absent.
    double nonNegative(const std::string &key, double fallback) {
        double v = optNum(key).value_or(fallback);
        if (v < 0)
            fail(at(key), "expected a number >= 0");
        return v;
    }
    long integer(const std::string &key) {
        const json &v = raw(key);
        if (!v.is_number_integer())
            fail(at(key), "expected an integer, got " + typeName(v));
        return v.get<long>();
    }
    bool boolean(const std::string &key, bool fallback) {
        used_.insert(key);
        if (!has(key))
            return fallback;
        const json &v = j_[key];
        if (!v.is_boolean())
            fail(at(key), "expected true or false, got " + typeName(v));
        return v.get<bool>();
    }
    std::vector<std::string> strings(const std::string &key) {
        used_.insert(key);
        std::vector<std::string> out;
        if (!has(key))
            return out;
        const json &v = j_[key];
        if (!v.is_array())
            fail(at(key), "expected an array of strings, got " + typeName(v));
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string())
                fail(at(key) + "[" + std::to_string(i) + "]", "expected a string");
            out.push_back(v[i].get<std::string>());
        }
        return out;
    }

    // Call after reading every field.
    void done() const {
        for (const auto &item : j_.items()) {
            if (used_.count(item.key()))
                continue;
            std::string known;
            for (const auto &k : used_)
                if (k != "comment")
                    known += (known.empty() ? "" : ", ") + k;
            fail(at(item.key()), "unknown key (known here: " + known + ")");
        }
    }

private:
    const json &j_;
    std::string where_;
    std::set<std::string> used_;
};

std::string markerName(Fields &f, const std::string &key) {
    std::string v = f.str(key);
    if (v.empty() || v.find_first_of(" \t") != std::string::npos)
        Fields::fail(f.at(key), "expected a marker event name without blanks, got '" + v + "'");
    return v;
}

// A non-empty ECMAScript regular expression.
std::string consoleRegex(Fields &f, const std::string &key) {
    std::string v = f.str(key);
    if (v.empty())
        Fields::fail(f.at(key), "expected a regular expression, got an empty string");
    try {
        std::regex re(v, std::regex::ECMAScript);
    } catch (const std::regex_error &e) {
        Fields::fail(f.at(key), "invalid regular expression: " + std::string(e.what()));
    }
    return v;
}

// "check", "check@base", "stress@ours-debug": a suite, and the kernel it runs on there.
SuiteTag parseTag(const std::string &tag, const std::string &where) {
    static const std::regex suite_re("[a-z0-9][a-z0-9-]*");
    static const std::regex kernel_re("[a-z0-9-]+");
    auto at = tag.find('@');
    SuiteTag t{tag.substr(0, at), at == std::string::npos ? kDefaultKernel : tag.substr(at + 1)};
    if (!std::regex_match(t.suite, suite_re) || !std::regex_match(t.kernel, kernel_re))
        Fields::fail(where, "'" + tag +
                                "' is not a valid tag (SUITE or SUITE@KERNEL, each [a-z0-9-], "
                                "lower case, e.g. \"check@ours-debug\")");
    if (t.suite == kBenchSuite && at != std::string::npos)
        Fields::fail(where, "'" + tag +
                                "': the bench takes no @KERNEL (its kernels come from "
                                "pr-runner bench --kernels); write \"bench\"");
    return t;
}

Assertion parseAssertion(const json &j, const std::string &where) {
    Fields f(j, where);
    std::string kind = f.str("kind");
    Assertion result;
    if (kind == "marker") {
        MarkerAssertion a;
        a.event = markerName(f, "event");
        a.words = f.strings("words");
        if (const json *args = f.optRaw("args")) {
            if (!args->is_object())
                Fields::fail(f.at("args"), "expected an object of strings");
            for (const auto &item : args->items()) {
                if (!item.value().is_string())
                    Fields::fail(f.at("args") + "." + item.key(),
                                 "expected a string (write numbers as \"768\")");
                a.args[item.key()] = item.value().get<std::string>();
            }
        }
        result = a;
    } else if (kind == "no_console_match") {
        NoConsoleMatchAssertion a;
        a.regex = consoleRegex(f, "regex");
        result = a;
    } else if (kind == "rss_returned") {
        RssReturnedAssertion a;
        a.from_marker = markerName(f, "from_marker");
        a.peak_marker = markerName(f, "peak_marker");
        a.fraction = f.num("fraction");
        if (!(a.fraction > 0 && a.fraction <= 1))
            Fields::fail(f.at("fraction"), "expected a number in (0, 1]");
        a.within_s = f.seconds("within_s");
        a.min_growth_mib = f.nonNegative("min_growth_mib", 1.0);
        result = a;
    } else if (kind == "rss_returned_within") {
        RssReturnedWithinAssertion a;
        a.from_marker = markerName(f, "from_marker");
        a.peak_marker = markerName(f, "peak_marker");
        a.within_s = f.seconds("within_s");
        a.min_mib = f.nonNegative("min_mib", 0.0);
        a.min_growth_mib = f.nonNegative("min_growth_mib", 1.0);
        result = a;
    } else if (kind == "thp_kept") {
        ThpKeptAssertion a;
        a.peak_marker = markerName(f, "peak_marker");
        a.within_s = f.seconds("within_s");
        a.min_kept = f.optNum("min_kept").value_or(0.0);
        if (a.min_kept < 0 || a.min_kept > 1)
            Fields::fail(f.at("min_kept"), "expected a number in [0, 1]");
        result = a;
    } else if (kind == "rss_given_back") {
        RssGivenBackAssertion a;
        a.from_marker = markerName(f, "from_marker");
        a.to_marker = markerName(f, "to_marker");
        result = a;
    } else if (kind == "value") {
        ValueAssertion a;
        a.name = markerName(f, "name");
        a.min = f.optNum("min");
        a.max = f.optNum("max");
        if (a.min && a.max && *a.min > *a.max)
            Fields::fail(where, "min is greater than max");
        result = a;
    } else {
        Fields::fail(f.at("kind"), "unknown assertion kind '" + kind +
                                       "' (known: marker, no_console_match, rss_returned, "
                                       "rss_returned_within, thp_kept, rss_given_back, value)");
    }
    f.done();
    return result;
}

Action parseAction(const json &j, const std::string &where) {
    Fields f(j, where);
    Action a;
    a.on_marker = markerName(f, "on_marker");
    a.delay_s = f.optNum("delay_s").value_or(0.0);
    if (!(a.delay_s >= 0 && a.delay_s <= 3600))
        Fields::fail(f.at("delay_s"), "expected a number of seconds in [0, 3600]");
    Fields q(f.raw("qmp"), f.at("qmp"));
    a.execute = q.str("execute");
    if (const json *args = q.optRaw("arguments")) {
        a.arguments = *args;
        if (!a.arguments.is_object())
            Fields::fail(q.at("arguments"), "expected an object");
    }
    q.done();
    if (const json *expect = f.optRaw("expect"))
        a.expect = parseQmpExpects(*expect, f.at("expect"));
    f.done();
    return a;
}

} // namespace

Scenario parseScenario(const json &j, const std::string &origin) {
    Fields f(j, origin);
    Scenario s;
    s.name = f.str("name");
    static const std::regex name_re("[a-z0-9][a-z0-9._-]*");
    if (!std::regex_match(s.name, name_re))
        Fields::fail(f.at("name"),
                     "'" + s.name + "' is not a valid name ([a-z0-9._-], lower case)");
    s.description = f.str("description");
    s.tags = f.strings("tags");
    for (std::size_t i = 0; i < s.tags.size(); ++i) {
        std::string where = f.at("tags") + "[" + std::to_string(i) + "]";
        SuiteTag t = parseTag(s.tags[i], where);
        for (const auto &seen : s.suites)
            if (seen.suite == t.suite && seen.kernel == t.kernel)
                Fields::fail(where, "'" + s.tags[i] + "' given twice");
        s.suites.push_back(std::move(t));
    }
    if (f.optRaw("bench_order")) {
        long order = f.integer("bench_order");
        if (order < 0 || order > 1000000)
            Fields::fail(f.at("bench_order"), "expected 0..1000000");
        if (!hasTag(s, kBenchSuite))
            Fields::fail(f.at("bench_order"), "set, but the scenario has no \"bench\" tag");
        s.bench_order = static_cast<int>(order);
    }

    long mem = f.integer("memory_mib");
    if (mem < 16 || mem > 1024 * 1024)
        Fields::fail(f.at("memory_mib"), "expected 16..1048576");
    s.memory_mib = static_cast<int>(mem);
    if (f.optRaw("smp")) {
        long smp = f.integer("smp");
        if (smp < 1 || smp > 64)
            Fields::fail(f.at("smp"), "expected 1..64");
        s.smp = static_cast<int>(smp);
    }

    if (const json *qemu = f.optRaw("qemu")) {
        Fields q(*qemu, f.at("qemu"));
        s.qemu.balloon = q.boolean("balloon", true);
        s.qemu.free_page_reporting = q.boolean("free_page_reporting", false);
        s.qemu.page_poison = q.boolean("page_poison", false);
        s.qemu.deflate_on_oom = q.boolean("deflate_on_oom", false);
        s.qemu.extra_args = q.strings("extra_args");
        q.done();
        if (!s.qemu.balloon && (s.qemu.free_page_reporting || s.qemu.deflate_on_oom))
            Fields::fail(f.at("qemu"), "balloon options set but \"balloon\" is false");
    }

    if (const json *guest = f.optRaw("guest")) {
        Fields g(*guest, f.at("guest"));
        s.guest_cmdline = g.str("cmdline", "");
        g.done();
    }

    s.timeout_s = f.seconds("timeout_s");

    std::string end = f.str("end");
    if (end == "guest-exit")
        s.end = EndPolicy::GuestExit;
    else if (end == "when-decided")
        s.end = EndPolicy::WhenDecided;
    else
        Fields::fail(f.at("end"),
                     "expected \"guest-exit\" or \"when-decided\", got \"" + end + "\"");
    s.linger_s = f.optNum("linger_s").value_or(0.0);
    if (!(s.linger_s >= 0 && s.linger_s <= 60))
        Fields::fail(f.at("linger_s"), "expected a number of seconds in [0, 60]");
    if (s.linger_s > 0 && s.end != EndPolicy::WhenDecided)
        Fields::fail(f.at("linger_s"), "only \"end\": \"when-decided\" stops QEMU early; a "
                                       "guest-exit run already lasts until the guest powers off");
    if (f.optRaw("oops_regex"))
        s.oops_regex = consoleRegex(f, "oops_regex");

    if (const json *actions = f.optRaw("actions")) {
        if (!actions->is_array())
            Fields::fail(f.at("actions"), "expected an array");
        for (std::size_t i = 0; i < actions->size(); ++i)
            s.actions.push_back(
                parseAction((*actions)[i], f.at("actions") + "[" + std::to_string(i) + "]"));
    }

    const json &assertions = f.raw("assertions");
    if (!assertions.is_array())
        Fields::fail(f.at("assertions"), "expected an array");
    for (std::size_t i = 0; i < assertions.size(); ++i) {
        std::string where = f.at("assertions") + "[" + std::to_string(i) + "]";
        s.assertions.push_back(parseAssertion(assertions[i], where));
        auto *m = std::get_if<NoConsoleMatchAssertion>(&s.assertions.back());
        if (m && m->regex == s.oops_regex)
            Fields::fail(where, "this is the oops check every run gets (\"oops_regex\"); "
                                "remove it here");
    }
    // The oops check, last: every run gets it.
    s.assertions.push_back(NoConsoleMatchAssertion{s.oops_regex});
    f.done();
    return s;
}

Scenario loadScenarioFile(const std::filesystem::path &path) {
    std::ifstream in(path);
    if (!in)
        throw SetupError("cannot read scenario file " + path.string());
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded())
        throw SetupError(path.string() + ": not valid JSON");
    Scenario s = parseScenario(j, path.filename().string());
    if (s.name != path.stem().string())
        throw SetupError(path.string() + ": name \"" + s.name + "\" must match the file name (" +
                         path.stem().string() + ")");
    return s;
}

std::vector<Scenario> loadScenarioDir(const std::filesystem::path &dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw SetupError("scenario directory " + dir.string() +
                         " not found (run from the repository root or pass --scenarios DIR)");
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json" && entry.is_regular_file())
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<Scenario> all;
    for (const auto &file : files)
        all.push_back(loadScenarioFile(file));
    return all;
}

bool hasTag(const Scenario &s, const std::string &suite) {
    return std::any_of(s.suites.begin(), s.suites.end(),
                       [&](const SuiteTag &t) { return t.suite == suite; });
}

std::vector<SuiteEntry> suiteEntries(const std::vector<Scenario> &all, const std::string &suite) {
    std::vector<const Scenario *> tagged;
    for (const auto &s : all)
        if (hasTag(s, suite))
            tagged.push_back(&s);
    // Those with a bench_order first, by it; then the rest by name.
    std::stable_sort(tagged.begin(), tagged.end(), [](const Scenario *a, const Scenario *b) {
        auto key = [](const Scenario *s) {
            return std::make_pair(s->bench_order.value_or(std::numeric_limits<int>::max()),
                                  s->name);
        };
        return key(a) < key(b);
    });
    std::vector<SuiteEntry> out;
    for (const Scenario *s : tagged)
        for (const auto &t : s->suites)
            if (t.suite == suite)
                out.push_back({s, t.kernel});
    return out;
}

std::vector<std::string> suiteNames(const std::vector<Scenario> &all) {
    std::set<std::string> names;
    for (const auto &s : all)
        for (const auto &t : s.suites)
            names.insert(t.suite);
    return {names.begin(), names.end()};
}

const Scenario &findScenario(const std::vector<Scenario> &all, const std::string &name) {
    for (const auto &s : all)
        if (s.name == name)
            return s;
    std::string known;
    for (const auto &s : all)
        known += (known.empty() ? "" : ", ") + s.name;
    throw UsageError("unknown scenario '" + name +
                     "'; known scenarios: " + (known.empty() ? "(none)" : known));
}

} // namespace pr
