#include "qmp_expect.h"

#include "error.h"
#include "text.h"

namespace pr {

using nlohmann::json;

namespace {

std::string number(double v) { return format("%.15g", v); }

// The pointer for messages: "(return)" for the whole return value.
std::string pointerName(const QmpExpect &e) { return e.pointer.empty() ? "(return)" : e.pointer; }

// A value for a one-line message: numbers as numbers, anything else as JSON, shortened.
std::string shown(const json &v) {
    if (v.is_number())
        return number(v.get<double>());
    std::string s = v.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

QmpExpect parseOne(const json &j, const std::string &where) {
    if (!j.is_object())
        throw SetupError(where + ": expected an object with \"pointer\" and optional "
                                 "\"min\"/\"max\"");
    QmpExpect e;
    for (const auto &item : j.items()) {
        const std::string at = where + "." + item.key();
        const json &v = item.value();
        if (item.key() == "comment") {
            if (!v.is_string())
                throw SetupError(at + ": expected a string");
        } else if (item.key() == "pointer") {
            if (!v.is_string())
                throw SetupError(at + ": expected a string");
            e.pointer = v.get<std::string>();
            try {
                json::json_pointer check(e.pointer);
            } catch (const json::exception &) {
                throw SetupError(at + ": '" + e.pointer +
                                 "' is not a JSON pointer (\"/key/0/key\", or \"\")");
            }
        } else if (item.key() == "min" || item.key() == "max") {
            if (!v.is_number())
                throw SetupError(at + ": expected a number");
            (item.key() == "min" ? e.min : e.max) = v.get<double>();
        } else {
            throw SetupError(at + ": unknown key (known here: pointer, min, max)");
        }
    }
    if (!j.contains("pointer"))
        throw SetupError(where + ".pointer: missing (required)");
    if (e.min && e.max && *e.min > *e.max)
        throw SetupError(where + ": min is greater than max");
    return e;
}

} // namespace

std::vector<QmpExpect> parseQmpExpects(const json &j, const std::string &where) {
    if (!j.is_array())
        throw SetupError(where + ": expected an array");
    std::vector<QmpExpect> out;
    for (std::size_t i = 0; i < j.size(); ++i)
        out.push_back(parseOne(j[i], where + "[" + std::to_string(i) + "]"));
    return out;
}

std::string describeExpect(const QmpExpect &e) {
    const std::string name = pointerName(e);
    if (e.min && e.max)
        return name + " in [" + number(*e.min) + ", " + number(*e.max) + "]";
    if (e.min)
        return name + " >= " + number(*e.min);
    if (e.max)
        return name + " <= " + number(*e.max);
    return name + " present";
}

std::string checkQmpExpect(const QmpExpect &e, const json &reply) {
    const std::string name = pointerName(e);
    const json *v = nullptr;
    try {
        v = &reply.at(json::json_pointer(e.pointer));
    } catch (const json::exception &) {
        return name + " missing in the reply";
    }
    if (v->is_null())
        return name + " is null";
    if (!e.min && !e.max)
        return "";
    if (!v->is_number())
        return name + " = " + shown(*v) + ", not a number";
    double d = v->get<double>();
    if ((e.min && d < *e.min) || (e.max && d > *e.max))
        return name + " = " + number(d) + ", expected " + describeExpect(e).substr(name.size() + 1);
    return "";
}

std::vector<AssertionReport> evaluateQmpExpects(const std::string &on_marker,
                                                const std::string &execute, const json &arguments,
                                                const std::vector<QmpExpect> &expect,
                                                const std::vector<ActionRecord> &records) {
    std::vector<const ActionRecord *> runs;
    for (const auto &r : records)
        if (r.on_marker == on_marker && r.execute == execute && r.arguments == arguments)
            runs.push_back(&r);

    std::vector<AssertionReport> out;
    for (const auto &e : expect) {
        AssertionReport rep;
        rep.kind = "qmp_expect";
        rep.description = "reply to " + execute + " on '" + on_marker + "': " + describeExpect(e);
        AssertionResult &res = rep.result;
        res.verdict = Verdict::Pass;
        if (runs.empty()) {
            res.verdict = Verdict::Fail;
            res.detail = "the action never ran (no '" + on_marker + "' marker while QEMU was up)";
        }
        for (std::size_t i = 0; i < runs.size() && res.verdict == Verdict::Pass; ++i) {
            const std::string which = runs.size() > 1
                                          ? " (reply " + std::to_string(i + 1) + " of " +
                                                std::to_string(runs.size()) + ")"
                                          : "";
            std::string why = runs[i]->error.empty() ? checkQmpExpect(e, runs[i]->response)
                                                     : "the command failed: " + runs[i]->error;
            if (!why.empty()) {
                res.verdict = Verdict::Fail;
                res.detail = why + which;
            }
        }
        if (res.verdict == Verdict::Pass) {
            const json &v = runs.front()->response.at(json::json_pointer(e.pointer));
            res.detail = pointerName(e) + " = " + shown(v) +
                         (runs.size() > 1 ? " (first of " + std::to_string(runs.size()) +
                                                " replies, all as expected)"
                                          : "");
            if (v.is_number())
                res.figures["value"] = v;
            res.figures["replies"] = runs.size();
        }
        out.push_back(std::move(rep));
    }
    return out;
}

} // namespace pr
