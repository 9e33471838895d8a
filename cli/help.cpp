// Help and completion, generated: nothing here names a command or an option.
#include "cli/help.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace xrca::cli {
namespace {

constexpr std::size_t k_width = 100;       // lines are wrapped before this column
constexpr std::size_t k_help_column = 28;  // where an option's description starts

std::string store_part(StoreUse store) {
    switch (store) {
        case StoreUse::None: return "";
        case StoreUse::Dir: return " [--data DIR]";
        case StoreUse::Any: return " [--store DIR|URI]";
        case StoreUse::Required: return " --store DIR|URI";
    }
    return "";
}

std::string synopsis(const Option& o) { return o.is_flag() ? o.name : o.name + " " + o.value; }

/**
 * The options of a form as usage words: `[--x FILE]`, `--y N`, `[--r X]...`, and alternatives
 * `(--a X | --b Y)` as one word per member, so that a long group wraps between them.
 */
std::vector<std::string> usage_words(const Form& form) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < form.options.size();) {
        const auto& first = form.options[i];
        std::size_t end = i + 1;
        if (!first.group.empty()) {
            while (end < form.options.size() && form.options[end].group == first.group) ++end;
        }
        bool required = false;
        bool repeatable = false;
        for (std::size_t k = i; k < end; ++k) {
            required = required || form.options[k].required;
            repeatable = repeatable || form.options[k].repeatable;
        }
        const bool bare = required && end - i == 1;
        for (std::size_t k = i; k < end; ++k) {
            std::string word = k == i ? (bare ? "" : required ? "(" : "[") : "| ";
            word += synopsis(form.options[k]);
            if (k + 1 == end) word += std::string(bare ? "" : required ? ")" : "]") + (repeatable ? "..." : "");
            words.push_back(word);
        }
        i = end;
    }
    return words;
}

std::string usage_line(const CommandSpec& spec, const Form& form, const char* prefix) {
    std::string line = prefix + std::string("xrca") + store_part(form.store) + " " + spec.name;
    if (!form.verb.empty()) line += " " + form.verb;
    if (!form.operands.empty()) line += " " + form.operands;
    const auto indent = std::string(std::min<std::size_t>(line.size() + 1, 40), ' ');
    std::string out;
    for (const auto& word : usage_words(form)) {
        if (line.size() + 1 + word.size() > k_width && line.size() > indent.size()) {
            out += line + "\n";
            line = indent + word;
        } else {
            line += " " + word;
        }
    }
    return out + line + "\n";
}

/** `text` wrapped to the width, every line after the first starting at `column`. */
std::string wrap(const std::string& text, std::size_t column, std::size_t first_used) {
    std::istringstream words(text);
    std::string word;
    std::string out;
    std::size_t used = first_used;
    bool line_start = true;
    while (words >> word) {
        if (!line_start && used + 1 + word.size() > k_width) {
            out += "\n" + std::string(column, ' ');
            used = column;
            line_start = true;
        }
        if (!line_start) {
            out += ' ';
            ++used;
        }
        out += word;
        used += word.size();
        line_start = false;
    }
    return out;
}

std::string option_list(const std::vector<const Option*>& options) {
    std::string out;
    for (const auto* o : options) {
        auto head = "  " + synopsis(*o);
        if (o->repeatable) head += " (repeatable)";
        if (head.size() + 2 > k_help_column) {
            out += head + "\n" + std::string(k_help_column, ' ');
        } else {
            out += head + std::string(k_help_column - head.size(), ' ');
        }
        out += wrap(o->help, k_help_column, k_help_column) + "\n";
    }
    return out;
}

/** Each option of the command once (a name declared with two meanings, once per meaning). */
std::vector<const Option*> distinct_options(const CommandSpec& spec) {
    std::vector<const Option*> out;
    for (const auto& form : spec.forms) {
        for (const auto& option : form.options) {
            const bool seen = std::any_of(out.begin(), out.end(), [&](const Option* o) {
                return o->name == option.name && o->value == option.value;
            });
            if (!seen) out.push_back(&option);
        }
    }
    return out;
}

/** A word the completion script puts in a case pattern or a word list, unquoted. */
const std::string& shell_word(const std::string& word) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '|';
    });
    if (!plain) throw std::logic_error("a command, verb or option name cannot go into the completion script: " + word);
    return word;
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + shell_word(w);
    return out;
}

std::string value_kind(const Option& o) {
    switch (o.kind()) {
        case ValueKind::File: return "file";
        case ValueKind::Directory: return "dir";
        case ValueKind::Choice: return "choice:" + shell_word(o.value);
        case ValueKind::Word:
        case ValueKind::None: return "word";
    }
    return "word";
}

}  // namespace

std::string command_help(const CommandSpec& spec) {
    std::string out;
    for (std::size_t i = 0; i < spec.forms.size(); ++i)
        out += usage_line(spec, spec.forms[i], i == 0 ? "usage: " : "       ");
    if (!spec.about.empty()) out += "\n" + spec.about;
    const auto options = distinct_options(spec);
    if (!options.empty()) out += "\noptions:\n" + option_list(options);
    if (!spec.epilogue.empty()) out += "\n" + spec.epilogue;
    return out;
}

std::string overview(const std::vector<CommandSpec>& commands) {
    std::vector<const Option*> globals;
    for (const auto& o : global_options()) globals.push_back(&o);
    std::string out =
        "xrca — an RMS-style certificate hierarchy and registration authority\n"
        "\n"
        "usage: xrca [--store LOCATOR] COMMAND [OPTIONS]\n"
        "       xrca COMMAND --help\n"
        "\n"
        "global options (before or after the command):\n" +
        option_list(globals) +
        "\n"
        "LOCATOR (default $XRCA_STORE, else $XRCA_DATA, else ./xrca-data) is a data directory\n"
        "(SQLite, one node), or a PostgreSQL URI in libpq's syntax for a cluster of nodes on one\n"
        "database, e.g. postgresql://xrca@db.example.com/rms or postgresql:///rms?host=/run/postgresql\n"
        "A password belongs in ~/.pgpass (or PGPASSFILE), or in $XRCA_STORE, never on the command line.\n"
        "\n"
        "Commands that sign take the key password (--password-file, $XRCA_KEY_PASSWORD or a prompt)\n"
        "or, when the authority's keys are in a PKCS#11 token, its PIN (--pin-file,\n"
        "$XRCA_PKCS11_PIN or a prompt); never on the command line itself.\n"
        "\n"
        "commands:\n";
    for (const auto& c : commands)
        out += "  " + c.name + std::string(c.name.size() < 22 ? 22 - c.name.size() : 1, ' ') + c.summary + '\n';
    out +=
        "\nexit status: 0 ok; 1 checked and refused; 2 usage; 3 wrong state or not found;\n"
        "             4 storage or I/O error; 5 internal error\n";
    return out;
}

std::string bash_completion(const std::vector<CommandSpec>& commands) {
    std::vector<std::string> names;
    std::vector<std::string> globals;
    for (const auto& c : commands) names.push_back(c.name);
    for (const auto& o : global_options()) globals.push_back(o.name);

    std::string verbs_case;
    std::string options_case;
    std::string values_case;
    for (const auto& c : commands) {
        const auto verbs = verbs_of(c);
        if (!verbs.empty()) verbs_case += "    " + shell_word(c.name) + ") echo \"" + join(verbs) + "\" ;;\n";
        std::vector<std::string> keys = {""};
        keys.insert(keys.end(), verbs.begin(), verbs.end());
        for (const auto& verb : keys) {
            const auto key = shell_word(c.name) + ":" + (verb.empty() ? verb : shell_word(verb));
            std::vector<std::string> option_names;
            for (const auto* o : options_for(c, verb)) {
                if (std::find(option_names.begin(), option_names.end(), o->name) == option_names.end())
                    option_names.push_back(o->name);
                if (!o->is_flag())
                    values_case += "    " + key + ":" + shell_word(o->name) + ") echo \"" + value_kind(*o) + "\" ;;\n";
            }
            for (const auto& g : globals) {
                if (std::find(option_names.begin(), option_names.end(), g) == option_names.end())
                    option_names.push_back(g);
            }
            options_case += "    " + key + ") echo \"" + join(option_names) + "\" ;;\n";
        }
    }
    std::string global_values;
    std::string global_skip;
    for (const auto& o : global_options()) {
        if (o.is_flag()) continue;
        global_values += "    *:" + shell_word(o.name) + ") echo \"" + value_kind(o) + "\" ;;\n";
        global_skip += (global_skip.empty() ? "" : "|") + o.name;
    }

    return "# bash completion for xrca, generated from its command declarations by `xrca completion bash`.\n"
           "# Use: source <(xrca completion bash), or save it in /etc/bash_completion.d/xrca.\n"
           "_xrca_verbs() {\n"
           "    case \"$1\" in\n" +
           verbs_case +
           "    esac\n"
           "}\n"
           "_xrca_options() {\n"
           "    case \"$1:$2\" in\n" +
           options_case + "    *) echo \"" + join(globals) +
           "\" ;;\n"
           "    esac\n"
           "}\n"
           "_xrca_value() {\n"
           "    case \"$1:$2:$3\" in\n" +
           values_case + global_values +
           "    *) echo none ;;\n"
           "    esac\n"
           "}\n"
           "_xrca() {\n"
           "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" cmd=\"\" verb=\"\" verbs kind w i=1\n"
           "    [ \"$COMP_CWORD\" -gt 0 ] && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
           "    while [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
           "        w=\"${COMP_WORDS[i]}\"\n"
           "        case \"$w\" in\n"
           "        " +
           global_skip +
           ") i=$((i + 2)); continue ;;\n"
           "        -*) i=$((i + 1)); continue ;;\n"
           "        esac\n"
           "        cmd=\"$w\"\n"
           "        break\n"
           "    done\n"
           "    if [ -z \"$cmd\" ]; then\n"
           "        case \"$prev\" in\n"
           "        " +
           global_skip +
           ") kind=$(_xrca_value \"\" \"\" \"$prev\") ;;\n"
           "        *) kind=none ;;\n"
           "        esac\n"
           "    else\n"
           "        verbs=$(_xrca_verbs \"$cmd\")\n"
           "        if [ -n \"$verbs\" ] && [ $((i + 1)) -lt \"$COMP_CWORD\" ]; then\n"
           "            w=\"${COMP_WORDS[i+1]}\"\n"
           "            case \" $verbs \" in *\" $w \"*) verb=\"$w\" ;; esac\n"
           "        fi\n"
           "        kind=$(_xrca_value \"$cmd\" \"$verb\" \"$prev\")\n"
           "    fi\n"
           "    case \"$kind\" in\n"
           "    file) COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n"
           "    dir) COMPREPLY=($(compgen -d -- \"$cur\")); return 0 ;;\n"
           "    word) COMPREPLY=(); return 0 ;;\n"
           "    choice:*) w=${kind#choice:}; COMPREPLY=($(compgen -W \"${w//|/ }\" -- \"$cur\")); return 0 ;;\n"
           "    esac\n"
           "    if [ -z \"$cmd\" ]; then\n"
           "        if [[ \"$cur\" == -* ]]; then\n"
           "            COMPREPLY=($(compgen -W \"" +
           join(globals) +
           "\" -- \"$cur\"))\n"
           "        else\n"
           "            COMPREPLY=($(compgen -W \"" +
           join(names) +
           "\" -- \"$cur\"))\n"
           "        fi\n"
           "        return 0\n"
           "    fi\n"
           "    if [[ \"$cur\" == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$(_xrca_options \"$cmd\" \"$verb\")\" -- \"$cur\"))\n"
           "    elif [ -n \"$verbs\" ] && [ $((i + 1)) -eq \"$COMP_CWORD\" ]; then\n"
           "        COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -o filenames -F _xrca xrca\n";
}

}  // namespace xrca::cli
