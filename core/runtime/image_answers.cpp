#include "runtime/image_answers.h"

#include "runtime/generate.h"
#include "runtime/language_model.h"
#include "runtime/tokenizer.h"
#include "runtime/vision_prompt.h"

#include <cctype>
#include <chrono>
#include <sstream>
#include <stdexcept>

namespace sculpt {

ImageAnswer answerImageQuestion(const LanguageModel &model, const Tokenizer &tokenizer,
                                const ImageProcessorConfig &processor, const ImageQuestion &question, long maxTokens,
                                const JobContext &job, const std::function<void(const std::string &)> &onText)
{
    if (!model.imagePrompt()) // before the image is read: the model is what is wrong
        throw std::invalid_argument("the model reads no images: it cannot answer questions about them");
    return answerImageQuestion(model, tokenizer, processor, readRgbImage(question.image), question.question, maxTokens,
                               job, onText);
}

ImageAnswer answerImageQuestion(const LanguageModel &model, const Tokenizer &tokenizer,
                                const ImageProcessorConfig &processor, const RgbImage &image, std::string_view question,
                                long maxTokens, const JobContext &job,
                                const std::function<void(const std::string &)> &onText)
{
    const std::optional<ImagePrompt> format = model.imagePrompt();
    if (!format)
        throw std::invalid_argument("the model reads no images: it cannot answer questions about them");
    const auto start = std::chrono::steady_clock::now();
    const VisionPrompt prompt = visionPrompt(tokenizer, *format, processor, question, std::vector<RgbImage>{image});
    GenerateOptions options;
    options.maxTokens = maxTokens;
    options.stop = textEnds(tokenizer);
    ImageAnswer answer;
    int32_t previous = prompt.tokens.back();
    const Generation generated = generate(
        model, prompt.tokens, options,
        [&](int32_t token) {
            std::string piece = tokenizer.decode(previous, token);
            previous = token;
            const size_t line = piece.find('\n'); // a line break ends the answer
            if (line != std::string::npos)
                piece.resize(line);
            answer.text += piece;
            if (onText)
                onText(answer.text);
            return line == std::string::npos;
        },
        job, prompt.pixels);
    answer.tokens = long(generated.tokens.size());
    const int64_t imageTokens = format->tokensPerImage;
    answer.decoderMacs =
        model.decoderMacs({int64_t(prompt.tokens.size()), imageTokens, generated.fed}).value_or(-1);
    answer.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t first = answer.text.find_first_not_of(" \t\r");
    const size_t last = answer.text.find_last_not_of(" \t\r");
    answer.text = first == std::string::npos ? std::string() : answer.text.substr(first, last - first + 1);
    return answer;
}

std::string normalisedAnswer(std::string_view text)
{
    std::string plain;
    for (const char c : text) {
        const unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x80 && std::ispunct(u))
            plain += ' ';
        else
            plain += u < 0x80 ? char(std::tolower(u)) : c;
    }
    std::istringstream words(plain);
    std::string word, out;
    while (words >> word)
        if (word != "a" && word != "an" && word != "the")
            out += (out.empty() ? "" : " ") + word;
    return out;
}

bool answersMatch(std::string_view given, std::string_view expected)
{
    return normalisedAnswer(given) == normalisedAnswer(expected);
}

} // namespace sculpt
