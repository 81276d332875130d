#include "run_record.h"

#include "text.h"

#include <cctype>

namespace pr {

std::optional<std::string> Marker::arg(const std::string &key) const {
    auto it = args.find(key);
    if (it == args.end())
        return std::nullopt;
    return it->second;
}

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isKeyChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

std::vector<std::string> tokenize(std::string_view s) {
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && isBlank(s[i]))
            ++i;
        if (i >= s.size())
            break;
        std::string token;
        bool quoted = false;
        for (; i < s.size() && (quoted || !isBlank(s[i])); ++i) {
            if (s[i] == '"')
                quoted = !quoted;
            else
                token += s[i];
        }
        tokens.push_back(std::move(token));
    }
    return tokens;
}

} // namespace

std::optional<Marker> parseMarker(std::string_view line) {
    std::size_t pos = line.find(kMarkerPrefix);
    if (pos == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = trim(line.substr(pos + kMarkerPrefix.size()));
    auto tokens = tokenize(rest);
    if (tokens.empty() || tokens.front().empty())
        return std::nullopt;
    Marker m;
    m.text = std::string(rest);
    m.event = tokens.front();
    for (std::size_t i = 1; i < tokens.size(); ++i) {
        const std::string &t = tokens[i];
        std::size_t eq = t.find('=');
        bool is_kv = eq != std::string::npos && eq > 0;
        for (std::size_t k = 0; is_kv && k < eq; ++k)
            is_kv = isKeyChar(t[k]);
        if (is_kv)
            m.args[t.substr(0, eq)] = t.substr(eq + 1);
        else
            m.words.push_back(t);
    }
    return m;
}

} // namespace pr
