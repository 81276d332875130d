#include "cli.h"

#include "error.h"

#include <cstdlib>
#include <functional>
#include <map>

namespace pr {

std::string usageText() {
    return R"(usage:
  pr-runner list [--scenarios DIR] [--tag SUITE | --markdown]
  pr-runner run --scenario NAME --kernel BZIMAGE --initrd INITRD [--scenarios DIR]
                [--out DIR] [--qemu PATH] [--label TEXT] [--quiet] [--timeout-scale F]
                [--accel tcg|kvm|auto]
  pr-runner plot --out FILE.png [--title TEXT] [--align MARKER] [--summary] RESULT_DIR...
  pr-runner bench --kernels A=BZIMAGE:INITRD,B=BZIMAGE:INITRD [--scenarios NAME,...]
                  [--repeat N | --quick] [--out DIR] [--scenario-dir DIR] [--qemu PATH]
                  [--timeout-scale F] [--accel tcg|kvm|auto]
  pr-runner accel [--qemu PATH]
  pr-runner --help

list   one line per scenario: name, [tags] and description. --tag SUITE: one
       SCENARIO@KERNEL line per tag naming that suite (check, stress, bench; a tag
       without @KERNEL means @ours), for shell loops; --markdown: a Markdown table
       (name | tags | description), the catalogue
run    boot one guest under QEMU, print a live timeline (elapsed s, host RSS, guest
       markers), evaluate the scenario's assertions; writes console.log, qemu.log,
       rss.tsv, rss.gp, rss.png and result.json into --out (default
       build/results/<scenario>)
plot   draw the rss.tsv of several run directories on one chart, labelled by each
       run's --label (or the directory name); the x axis ends a few seconds after
       the latest run's return (from result.json). --align MARKER: each run's first
       MARKER is t = 0 ("value" markers left out); --summary: one line per run,
       e.g. "ours: 764 MiB back in 0.30 s"
bench  A/B benchmark: run each scenario --repeat times per kernel (default 3; the
       kernel order flips every repetition: A B, B A, ...) with identical QEMU
       options, then print the medians of each scenario's figures, B/A ratios and
       every run's values; writes bench.md, bench.json, one RSS chart per drain
       scenario, bench-scaling.png (drain scenarios by guest size) and the runs
       (runs/<scenario>/<rep>-<label>/) into --out (default build/bench).
       --scenarios defaults to every scenario tagged "bench", by bench_order;
       --quick is one repetition of bench-drain-1g (or of --scenarios). A run that
       fails an assertion is recorded, not fatal
accel  run the --accel auto probe once and print "tcg" or "kvm" on the first line
       and the reason on the second, so that a script probes once for many runs

--scenarios DIR     scenario JSON files (default tools/scenarios; bench: --scenario-dir)
--qemu PATH         QEMU binary (default qemu-system-x86_64 from PATH)
--label TEXT        name of this run in result.json and plots (e.g. base, ours)
--quiet             no live timeline; only the summary and the final line
--timeout-scale F   multiply the scenario's timeout_s by F (> 0)
--accel A           QEMU accelerator: tcg, kvm, or auto (default): kvm only if
                    /dev/kvm opens read-write and a probe guest boots under it within
                    5 s, else tcg. Scenarios using -icount always run under tcg

exit status: 0 all assertions passed (bench: every run gave its figures), 1 an
assertion failed or the run timed out (bench: a run gave no figures), 2 usage or
setup error; on SIGINT/SIGTERM QEMU is stopped, results are written and the
runner then dies by that signal.
)";
}

namespace {

// Dispatches every argument after the command (args[0]) to a handler; options take
// "--opt VALUE" or "--opt=VALUE"; unknown options are usage errors.
void walk(const std::vector<std::string> &args,
          const std::map<std::string, std::function<void(const std::string &)>> &with_value,
          const std::map<std::string, std::function<void()>> &flags,
          const std::function<void(const std::string &)> &positional = {}) {
    const std::string &command = args[0];
    for (std::size_t i = 1; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.size() < 2 || arg.compare(0, 2, "--") != 0 || arg == "--") {
            if (!positional)
                throw UsageError("'" + command + "' takes no argument '" + arg + "'");
            positional(arg);
            continue;
        }
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        if (auto f = flags.find(arg); f != flags.end()) {
            if (inline_value)
                throw UsageError("option " + arg + " takes no value");
            f->second();
        } else if (auto v = with_value.find(arg); v != with_value.end()) {
            if (inline_value) {
                v->second(*inline_value);
            } else {
                if (i + 1 >= args.size())
                    throw UsageError("option " + arg + " needs a value");
                v->second(args[++i]);
            }
        } else {
            throw UsageError("unknown option '" + arg + "' for '" + command +
                             "' (see pr-runner --help)");
        }
    }
}

double parseScale(const std::string &text) {
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v > 0) || v > 1000)
        throw UsageError("--timeout-scale needs a positive number, got '" + text + "'");
    return v;
}

int parseRepeat(const std::string &text) {
    char *end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < 1 || v > 100)
        throw UsageError("--repeat needs an integer from 1 to 100, got '" + text + "'");
    return static_cast<int>(v);
}

std::vector<std::string> splitList(const std::string &text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos)
            comma = text.size();
        out.push_back(text.substr(pos, comma - pos));
        pos = comma + 1;
    }
    return out;
}

// "base=BZ:INITRD,ours=BZ:INITRD".
std::vector<KernelSpec> parseKernelSpecs(const std::string &text) {
    std::vector<KernelSpec> out;
    for (const auto &item : splitList(text)) {
        auto eq = item.find('=');
        auto colon = item.find(':', eq == std::string::npos ? 0 : eq);
        if (eq == std::string::npos || colon == std::string::npos || eq == 0 || colon == eq + 1 ||
            colon + 1 == item.size())
            throw UsageError("--kernels: expected LABEL=BZIMAGE:INITRD, got '" + item + "'");
        KernelSpec k{item.substr(0, eq), item.substr(eq + 1, colon - eq - 1),
                     item.substr(colon + 1)};
        if (k.label.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.-") !=
            std::string::npos)
            throw UsageError("--kernels: label '" + k.label + "' must be [a-z0-9_.-]");
        for (const auto &other : out)
            if (other.label == k.label)
                throw UsageError("--kernels: label '" + k.label + "' given twice");
        out.push_back(std::move(k));
    }
    return out;
}

} // namespace

Command parseCommandLine(const std::vector<std::string> &args) {
    if (args.empty())
        throw UsageError("no command given\n" + usageText());
    const std::string &command = args[0];
    if (command == "--help" || command == "-h" || command == "help")
        return HelpCommand{};

    if (command == "list") {
        ListCommand c;
        walk(args,
             {
                 {"--scenarios", [&](const std::string &v) { c.scenarios_dir = v; }},
                 {"--tag",
                  [&](const std::string &v) {
                      if (v.empty() || v.find('@') != std::string::npos)
                          throw UsageError("--tag needs a suite name (check, stress, bench), "
                                           "got '" +
                                           v + "'");
                      c.tag = v;
                  }},
             },
             {{"--markdown", [&] { c.markdown = true; }}});
        if (!c.tag.empty() && c.markdown)
            throw UsageError("list: --tag and --markdown do not go together");
        return c;
    }
    if (command == "accel") {
        AccelCommand c;
        walk(args, {{"--qemu", [&](const std::string &v) { c.qemu = v; }}}, {});
        return c;
    }
    if (command == "run") {
        RunCommand c;
        walk(
            args,
            {
                {"--scenario", [&](const std::string &v) { c.scenario = v; }},
                {"--kernel", [&](const std::string &v) { c.kernel = v; }},
                {"--initrd", [&](const std::string &v) { c.initrd = v; }},
                {"--scenarios", [&](const std::string &v) { c.scenarios_dir = v; }},
                {"--out", [&](const std::string &v) { c.out_dir = v; }},
                {"--qemu", [&](const std::string &v) { c.qemu = v; }},
                {"--label", [&](const std::string &v) { c.label = v; }},
                {"--timeout-scale", [&](const std::string &v) { c.timeout_scale = parseScale(v); }},
                {"--accel", [&](const std::string &v) { c.accel = parseAccelRequest(v); }},
            },
            {
                {"--quiet", [&] { c.quiet = true; }},
                {"--no-kernel", [&] { c.no_kernel = true; }},
            });
        if (c.scenario.empty())
            throw UsageError("run: --scenario NAME is required (see pr-runner list)");
        if (!c.no_kernel && c.kernel.empty())
            throw UsageError("run: --kernel BZIMAGE is required");
        if (!c.no_kernel && c.initrd.empty())
            throw UsageError("run: --initrd INITRD is required");
        return c;
    }
    if (command == "plot") {
        PlotCommand c;
        walk(args,
             {
                 {"--out", [&](const std::string &v) { c.out = v; }},
                 {"--title", [&](const std::string &v) { c.title = v; }},
                 {"--align",
                  [&](const std::string &v) {
                      if (v.empty() || v.find_first_of(" \t") != std::string::npos)
                          throw UsageError("--align needs a marker event name, got '" + v + "'");
                      c.align = v;
                  }},
             },
             {{"--summary", [&] { c.summary = true; }}},
             [&](const std::string &v) { c.result_dirs.push_back(v); });
        if (c.out.empty())
            throw UsageError("plot: --out FILE.png is required");
        if (c.result_dirs.empty())
            throw UsageError("plot: give at least one result directory");
        return c;
    }
    if (command == "bench") {
        BenchCommand c;
        bool repeat_given = false;
        walk(
            args,
            {
                {"--kernels", [&](const std::string &v) { c.kernels = parseKernelSpecs(v); }},
                {"--scenarios",
                 [&](const std::string &v) {
                     c.scenarios = splitList(v);
                     for (const auto &name : c.scenarios)
                         if (name.empty())
                             throw UsageError("--scenarios: empty name in '" + v + "'");
                 }},
                {"--repeat",
                 [&](const std::string &v) {
                     c.repeat = parseRepeat(v);
                     repeat_given = true;
                 }},
                {"--out", [&](const std::string &v) { c.out_dir = v; }},
                {"--scenario-dir", [&](const std::string &v) { c.scenarios_dir = v; }},
                {"--qemu", [&](const std::string &v) { c.qemu = v; }},
                {"--timeout-scale", [&](const std::string &v) { c.timeout_scale = parseScale(v); }},
                {"--accel", [&](const std::string &v) { c.accel = parseAccelRequest(v); }},
            },
            {{"--quick", [&] { c.quick = true; }}});
        if (c.kernels.size() != 2)
            throw UsageError("bench: --kernels needs exactly two kernels, "
                             "A=BZIMAGE:INITRD,B=BZIMAGE:INITRD (ratios are B/A)");
        if (c.quick && repeat_given)
            throw UsageError("bench: --quick means one repetition; drop --repeat");
        if (c.quick) {
            c.repeat = 1;
            if (c.scenarios.empty())
                c.scenarios = {kQuickBenchScenario};
        }
        return c;
    }
    throw UsageError("unknown command '" + command +
                     "' (commands: list, run, plot, bench; see --help)");
}

} // namespace pr
