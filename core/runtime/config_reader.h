#pragma once
// Reading a model's config.json the way every architecture needs: typed fields with defaults,
// and one FileError line naming the file and the field when one is wrong.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace sculpt {

class Checkpoint;

class ConfigReader {
public:
    // `section`: where `config` sits in config.json ("text_config" of a multimodal model), named
    // in every failure; empty for the file itself.
    ConfigReader(const Checkpoint &checkpoint, const nlohmann::json &config, std::string section = {})
        : checkpoint_(checkpoint), config_(config), section_(std::move(section))
    {
    }

    bool present(const char *key) const { return config_.contains(key) && !config_[key].is_null(); }
    [[noreturn]] void fail(const std::string &why) const;

    int64_t positive(const char *key) const;
    int64_t positive(const char *key, int64_t otherwise) const { return present(key) ? positive(key) : otherwise; }
    double number(const char *key, double otherwise) const; // positive
    bool flag(const char *key, bool otherwise) const;
    std::string text(const char *key, const std::string &otherwise) const;

private:
    const Checkpoint &checkpoint_;
    const nlohmann::json &config_;
    std::string section_;
};

} // namespace sculpt
