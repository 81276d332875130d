#include "proc_text.h"

namespace pr {

std::string_view trim(std::string_view s) {
    std::size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    std::size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::optional<std::string_view> procField(std::string_view text, std::string_view key) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && trim(line.substr(0, colon)) == key)
            return trim(line.substr(colon + 1));
    }
    return std::nullopt;
}

std::optional<long> procKib(std::string_view text, std::string_view key) {
    auto v = procField(text, key);
    if (!v)
        return std::nullopt;
    long kib = 0;
    std::size_t i = 0;
    for (; i < v->size() && (*v)[i] >= '0' && (*v)[i] <= '9'; ++i)
        kib = kib * 10 + ((*v)[i] - '0');
    if (i == 0 || trim(v->substr(i)) != "kB")
        return std::nullopt;
    return kib;
}

} // namespace pr
