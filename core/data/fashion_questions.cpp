#include "data/fashion_questions.h"

#include "data/png_encoding.h"
#include "io/error.h"
#include "io/export_folder.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace sculpt {
namespace {

// Fashion-MNIST's classes in label order, as a person would name one of them.
struct FashionClass {
    const char *name;     // with its article
    const char *category; // clothing, footwear or accessory
};
constexpr FashionClass kClasses[] = {
    {"a t-shirt", "clothing"}, {"trousers", "clothing"}, {"a pullover", "clothing"}, {"a dress", "clothing"},
    {"a coat", "clothing"},    {"a sandal", "footwear"}, {"a shirt", "clothing"},    {"a sneaker", "footwear"},
    {"a bag", "accessory"},    {"an ankle boot", "footwear"},
};

void write(const std::string &path, const void *bytes, size_t size)
{
    std::ofstream out(path, std::ios::binary);
    out.write(static_cast<const char *>(bytes), std::streamsize(size));
    if (!out.flush())
        throw FileError(path, "cannot be written");
}

} // namespace

std::vector<TemplatedQuestion> fashionQuestions(uint8_t label)
{
    if (label >= std::size(kClasses))
        throw std::invalid_argument("label " + std::to_string(label) + " is not one of Fashion-MNIST's ten classes");
    const FashionClass &c = kClasses[label];
    const std::string category = c.category;
    return {{"What is it?", c.name},
            {"Is it worn on the feet?", category == "footwear" ? "yes" : "no"},
            {"Which category is it?", category}};
}

std::string writeFashionQuestions(const IdxImages &images, std::span<const uint8_t> labels, int64_t first,
                                  int64_t count, const std::string &folder, const JobContext &job)
{
    if (first < 0 || count < 1 || first + count > images.count || first + count > int64_t(labels.size()))
        throw std::invalid_argument("images " + std::to_string(first) + " to " + std::to_string(first + count - 1) +
                                    " are not among the " + std::to_string(images.count) + " images and " +
                                    std::to_string(labels.size()) + " labels");
    ExportFolder out(folder);
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (int64_t i = 0; i < count; ++i) {
        job.checkCancelled();
        const std::span<const uint8_t> pixels = images.image(first + i);
        const std::vector<uint8_t> png = encodePng({images.cols, images.rows, {pixels.begin(), pixels.end()}});
        char name[32];
        std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(first + i));
        write(out.file(name), png.data(), png.size());
        nlohmann::ordered_json turns = nlohmann::ordered_json::array();
        bool firstTurn = true;
        for (const TemplatedQuestion &q : fashionQuestions(labels[size_t(first + i)])) {
            // LLaVA's files mark the image in the first question only.
            turns.push_back({{"from", "human"}, {"value", (firstTurn ? "<image>\n" : "") + q.question}});
            turns.push_back({{"from", "gpt"}, {"value", q.answer}});
            firstTurn = false;
        }
        entries.push_back({{"image", name}, {"conversations", std::move(turns)}});
        job.report(i + 1, count, "writing images");
    }
    const std::string text = entries.dump(1);
    write(out.file("questions.json"), text.data(), text.size());
    out.commit();
    return folder + "/questions.json";
}

} // namespace sculpt
