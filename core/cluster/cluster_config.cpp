#include "cluster/cluster_config.h"

#include "io/atomic_file.h"
#include "io/error.h"
#include "io/json_text.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string environment(const char *name)
{
    const char *value = std::getenv(name);
    return value ? value : "";
}

class Reader {
public:
    Reader(const std::string &path, const json &document) : path_(path), document_(document) {}

    [[noreturn]] void fail(const std::string &key, const std::string &why) const { throw FileError(path_, key + ": " + why); }

    // A value that goes into an #SBATCH line: one line, not empty, matching `form`.
    std::string text(const std::string &key, const std::regex &form, const std::string &formName) const
    {
        if (!document_.contains(key))
            return {};
        const json &v = document_[key];
        if (!v.is_string())
            fail(key, "must be a string");
        const std::string s = v.get<std::string>();
        if (s.find('\n') != std::string::npos) // quoted, it would break the message's one line
            fail(key, "must be one line");
        if (!std::regex_match(s, form))
            fail(key, "must be " + formName + ", not '" + s + "'");
        return s;
    }

    int count(const std::string &key, int low) const
    {
        if (!document_.contains(key))
            return 0;
        const json &v = document_[key];
        if (!v.is_number_integer() || v.get<long>() < low || v.get<long>() > 100000)
            fail(key, "must be a whole number ≥ " + std::to_string(low));
        return v.get<int>();
    }

    std::string folder(const std::string &key) const
    {
        const json &v = document_[key];
        if (!v.is_string() || v.get<std::string>().empty())
            fail(key, "must be a path");
        const std::string s = v.get<std::string>();
        if (s.find('\n') != std::string::npos)
            fail(key, "must be one line");
        if (!fs::path(s).is_absolute())
            fail(key, "must be an absolute path (the nodes do not share this directory), not '" + s + "'");
        return s;
    }

private:
    std::string path_;
    const json &document_;
};

} // namespace

std::string clusterConfigTarget()
{
    if (const std::string named = environment("SCULPT_CLUSTER_CONFIG"); !named.empty())
        return named;
    const std::string configHome = environment("XDG_CONFIG_HOME");
    const std::string home = environment("HOME");
    const fs::path base = !configHome.empty() ? fs::path(configHome) : fs::path(home) / ".config";
    return (base / "sculpt" / "cluster.json").string();
}

std::string clusterConfigPath(const std::string &explicitPath)
{
    if (!explicitPath.empty())
        return explicitPath;
    if (const std::string named = environment("SCULPT_CLUSTER_CONFIG"); !named.empty())
        return named;
    const std::string path = clusterConfigTarget();
    std::error_code unknown;
    if (!fs::exists(path, unknown))
        throw FileError(path, "no cluster configuration (give one with --cluster FILE or SCULPT_CLUSTER_CONFIG)");
    return path;
}

ClusterConfig readClusterConfig(const std::string &path, const std::string &runningCli)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FileError(path, "cannot read the cluster configuration");
    std::ostringstream text;
    text << in.rdbuf();
    return parseClusterConfig(text.str(), path, runningCli);
}

ClusterConfig parseClusterConfig(const std::string &text, const std::string &path, const std::string &runningCli)
{
    const json document = parseJson(text, path, "cluster configuration");
    if (!document.is_object())
        throw FileError(path, "a cluster configuration is a JSON object");
    static const std::vector<std::string> known = {"shared_folder", "sculpt_cli",    "partition",
                                                   "account",       "time_limit",    "cpus_per_task",
                                                   "gpus_per_task", "memory",        "sbatch_options"};
    for (const auto &[key, value] : document.items())
        if (std::find(known.begin(), known.end(), key) == known.end())
            throw FileError(path, key + ": not a cluster setting");
    if (!document.contains("shared_folder"))
        throw FileError(path, "shared_folder: missing (a folder this machine and the nodes both see)");

    const Reader reader(path, document);
    static const std::regex name("[A-Za-z0-9_.,-]+");
    ClusterConfig config;
    config.path = path;
    config.sharedFolder = reader.folder("shared_folder");
    config.sculptCli = document.contains("sculpt_cli") ? reader.folder("sculpt_cli") : runningCli;
    config.partition = reader.text("partition", name, "a partition name (letters, digits, _ . , -)");
    config.account = reader.text("account", name, "an account name (letters, digits, _ . , -)");
    config.timeLimit = reader.text("time_limit", std::regex("[0-9]+(-[0-9]+)?(:[0-9]+){0,2}"),
                                   "a Slurm time such as 90, 01:30:00 or 2-00");
    config.cpusPerTask = reader.count("cpus_per_task", 1);
    config.gpusPerTask = reader.count("gpus_per_task", 0);
    config.memory = reader.text("memory", std::regex("[0-9]+[KMGT]?"), "a size such as 4000 or 16G");
    if (document.contains("sbatch_options")) {
        const json &options = document["sbatch_options"];
        if (!options.is_array())
            reader.fail("sbatch_options", "must be a list of sbatch options");
        for (const json &option : options) {
            if (!option.is_string() || !option.get<std::string>().starts_with("-") ||
                option.get<std::string>().find('\n') != std::string::npos)
                reader.fail("sbatch_options", "each must be one sbatch option on one line, such as \"--qos=short\"");
            config.sbatchOptions.push_back(option.get<std::string>());
        }
    }
    return config;
}

void writeClusterConfig(const std::string &path, const ClusterConfig &config)
{
    nlohmann::ordered_json document{{"shared_folder", config.sharedFolder}};
    const auto set = [&](const char *key, const std::string &value) {
        if (!value.empty())
            document[key] = value;
    };
    set("sculpt_cli", config.sculptCli);
    set("partition", config.partition);
    set("account", config.account);
    set("time_limit", config.timeLimit);
    if (config.cpusPerTask > 0)
        document["cpus_per_task"] = config.cpusPerTask;
    if (config.gpusPerTask > 0)
        document["gpus_per_task"] = config.gpusPerTask;
    set("memory", config.memory);
    if (!config.sbatchOptions.empty())
        document["sbatch_options"] = config.sbatchOptions;
    const std::string text = document.dump(2) + "\n";
    parseClusterConfig(text, path, {}); // refuses what `sculpt-cli` would refuse to read
    std::error_code error;
    if (const fs::path folder = fs::path(path).parent_path(); !folder.empty())
        fs::create_directories(folder, error);
    if (error)
        throw FileError(path, "cannot make its folder: " + error.message());
    AtomicFile file(path);
    file.write(std::as_bytes(std::span(text.data(), text.size())));
    file.commit();
}

} // namespace sculpt
