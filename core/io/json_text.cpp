#include "io/json_text.h"

#include "io/error.h"

namespace sculpt {
namespace {

using json = nlohmann::json;

// Counts what the document holds and stops at the first limit it passes.
class Census : public nlohmann::json_sax<json> {
public:
    explicit Census(const JsonLimits &limits) : limits_(limits) {}

    std::string problem; // empty while the document is within its limits and valid

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t &) override { return value(); }
    bool string(string_t &) override { return value(); }
    bool binary(binary_t &) override { return value(); }
    bool key(string_t &) override { return value(); }
    bool start_object(std::size_t) override { return open(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_object() override { return close(); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &e) override
    {
        problem = std::string("is not valid JSON: ") + e.what();
        return false;
    }

private:
    bool value()
    {
        if (++values_ <= limits_.values)
            return true;
        problem = "holds more than " + std::to_string(limits_.values) + " JSON values, more than Sculpt reads";
        return false;
    }
    bool open()
    {
        if (++depth_ > limits_.depth) {
            problem = "nests JSON deeper than " + std::to_string(limits_.depth) + " levels";
            return false;
        }
        return value();
    }
    bool close()
    {
        --depth_;
        return true;
    }

    const JsonLimits &limits_;
    uint64_t values_ = 0;
    int depth_ = 0;
};

} // namespace

json parseJson(std::string_view text, const std::string &path, const std::string &what, const JsonLimits &limits)
{
    Census census(limits);
    try {
        if (!json::sax_parse(text.begin(), text.end(), &census) && census.problem.empty())
            census.problem = "is not valid JSON";
    } catch (const json::exception &e) {
        census.problem = std::string("is not valid JSON: ") + e.what();
    }
    if (!census.problem.empty())
        throw FileError(path, what + " " + census.problem);
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::exception &e) { // the census saw the same text: not expected
        throw FileError(path, what + " is not valid JSON: " + e.what());
    }
}

} // namespace sculpt
