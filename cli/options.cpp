// The option declarations and the questions Args, help and completion ask of them.
#include "cli/options.h"

#include <algorithm>

namespace xrca::cli {
namespace {

bool mentions(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

std::vector<std::string> split_verbs(const std::string& verb) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto bar = verb.find('|', start);
        out.push_back(verb.substr(start, bar - start));
        if (bar == std::string::npos) return out;
        start = bar + 1;
    }
}

bool form_has_verb(const Form& form, const std::string& verb) {
    const auto verbs = split_verbs(form.verb);
    return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

}  // namespace

Option Option::many() const {
    auto o = *this;
    o.repeatable = true;
    return o;
}

Option Option::needed() const {
    auto o = *this;
    o.required = true;
    return o;
}

Option Option::among(std::string group_name) const {
    auto o = *this;
    o.group = std::move(group_name);
    return o;
}

ValueKind Option::kind() const {
    if (value.empty()) return ValueKind::None;
    if (choices) return ValueKind::Choice;
    if (value == "DIR" || value == "LOCATOR" || (value.size() > 4 && value.compare(value.size() - 4, 4, "_DIR") == 0) ||
        value.rfind("DIR|", 0) == 0)
        return ValueKind::Directory;
    for (const char* file_like : {"FILE", ".xml", ".pem", ".so", "PEM", "PUB"}) {
        if (mentions(value, file_like)) return ValueKind::File;
    }
    return ValueKind::Word;
}

Option flag(std::string name, std::string help) { return Option{std::move(name), "", std::move(help)}; }

Option value(std::string name, std::string placeholder, std::string help) {
    return Option{std::move(name), std::move(placeholder), std::move(help)};
}

Option choice(std::string name, std::string words, std::string help) {
    Option o{std::move(name), std::move(words), std::move(help)};
    o.choices = true;
    return o;
}

const std::vector<Option>& global_options() {
    static const std::vector<Option> globals = {
        value("--store", "LOCATOR", "where the authority is kept: a data directory or a postgresql:// URI"),
        value("--data", "DIR", "the same as --store DIR (its older name)"),
        value("--password-file", "FILE", "read the key password from FILE (accepted by every command)"),
        value("--pin-file", "FILE", "read the PKCS#11 token's PIN from FILE (accepted by every command)"),
        flag("--help", "explain the command, its options and an example"),
        flag("-h", "the same as --help"),
    };
    return globals;
}

std::vector<std::string> verbs_of(const CommandSpec& spec) {
    std::vector<std::string> verbs;
    for (const auto& form : spec.forms) {
        if (form.verb.empty()) continue;
        for (const auto& verb : split_verbs(form.verb)) {
            if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) verbs.push_back(verb);
        }
    }
    return verbs;
}

std::vector<const Option*> options_for(const CommandSpec& spec, const std::string& verb) {
    const bool known = std::any_of(spec.forms.begin(), spec.forms.end(), [&](const Form& f) {
        return verb.empty() ? f.verb.empty() : form_has_verb(f, verb);
    });
    std::vector<const Option*> out;
    for (const auto& form : spec.forms) {
        const bool applies = !known || (verb.empty() ? form.verb.empty() : form_has_verb(form, verb));
        if (!applies) continue;
        for (const auto& option : form.options) {
            const bool seen =
                std::any_of(out.begin(), out.end(), [&](const Option* o) { return o->name == option.name; });
            if (!seen) out.push_back(&option);
        }
    }
    return out;
}

}  // namespace xrca::cli
