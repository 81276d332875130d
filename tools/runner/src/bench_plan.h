// The order of the runs of `pr-runner bench`. Pure.
//
// Scenarios run one after the other; each scenario runs `repeat` repetitions back to back,
// and every repetition runs each kernel once. The kernel order flips from one repetition to
// the next (A B, B A, A B, ...), so a slow drift of the host (heat, a neighbour's load)
// biases neither kernel.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pr {

struct PlannedRun {
    std::size_t scenario = 0; // index into the scenario list
    int repetition = 1;       // 1-based
    std::size_t kernel = 0;   // index into the kernel list

    bool operator==(const PlannedRun &o) const {
        return scenario == o.scenario && repetition == o.repetition && kernel == o.kernel;
    }
};

std::vector<PlannedRun> benchOrder(std::size_t scenarios, std::size_t kernels, int repeat);

// "base ours, ours base, base ours" for 3 repetitions of two kernels.
std::string orderText(const std::vector<std::string> &kernel_labels, int repeat);

} // namespace pr
