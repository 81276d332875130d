#include "bench_plan.h"

namespace pr {

std::vector<PlannedRun> benchOrder(std::size_t scenarios, std::size_t kernels, int repeat) {
    std::vector<PlannedRun> order;
    for (std::size_t s = 0; s < scenarios; ++s)
        for (int rep = 1; rep <= repeat; ++rep)
            for (std::size_t k = 0; k < kernels; ++k)
                order.push_back({s, rep, rep % 2 == 1 ? k : kernels - 1 - k});
    return order;
}

std::string orderText(const std::vector<std::string> &labels, int repeat) {
    std::string text;
    int repetition = 1;
    for (const auto &run : benchOrder(1, labels.size(), repeat)) {
        if (!text.empty())
            text += run.repetition != repetition ? ", " : " ";
        repetition = run.repetition;
        text += labels[run.kernel];
    }
    return text;
}

} // namespace pr
