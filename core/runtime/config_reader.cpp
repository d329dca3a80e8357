#include "runtime/config_reader.h"

#include "io/checkpoint.h"
#include "io/error.h"

namespace sculpt {

void ConfigReader::fail(const std::string &why) const
{
    throw FileError(checkpoint_.path(), "config.json: " + (section_.empty() ? "" : section_ + ": ") + why);
}

int64_t ConfigReader::positive(const char *key) const
{
    if (!present(key) || !config_[key].is_number_integer() || config_[key].get<int64_t>() <= 0)
        fail(std::string(key) + " is missing or not a positive integer");
    return config_[key].get<int64_t>();
}

double ConfigReader::number(const char *key, double otherwise) const
{
    if (!present(key))
        return otherwise;
    if (!config_[key].is_number() || !(config_[key].get<double>() > 0))
        fail(std::string(key) + " is not a positive number");
    return config_[key].get<double>();
}

bool ConfigReader::flag(const char *key, bool otherwise) const
{
    if (!present(key))
        return otherwise;
    if (!config_[key].is_boolean())
        fail(std::string(key) + " is not true or false");
    return config_[key].get<bool>();
}

std::string ConfigReader::text(const char *key, const std::string &otherwise) const
{
    if (!present(key))
        return otherwise;
    if (!config_[key].is_string())
        fail(std::string(key) + " is not a string");
    return config_[key].get<std::string>();
}

} // namespace sculpt
