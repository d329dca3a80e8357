#pragma once
// Reading a model's config.json the way every architecture needs: typed fields with defaults,
// and one FileError line naming the file and the field when one is wrong.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sculpt {

class Checkpoint;

class ConfigReader {
public:
    ConfigReader(const Checkpoint &checkpoint, const nlohmann::json &config) : checkpoint_(checkpoint), config_(config) {}

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
};

} // namespace sculpt
