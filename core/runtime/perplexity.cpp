#include "runtime/perplexity.h"

#include "runtime/language_model.h"
#include "runtime/tokenizer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace sculpt {

double PerplexityResult::perplexity() const { return std::exp(meanNll); }

std::vector<std::string_view> splitDocuments(std::string_view text)
{
    // The whitespace Python's str.strip() and C's isspace() agree on.
    constexpr std::string_view kSpace = " \t\n\r\f\v";
    std::vector<std::string_view> documents;
    while (!text.empty()) {
        const size_t end = text.find("\n\n");
        std::string_view document = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 2);
        const size_t first = document.find_first_not_of(kSpace);
        if (first == std::string_view::npos)
            continue;
        document = document.substr(first, document.find_last_not_of(kSpace) - first + 1);
        documents.push_back(document);
    }
    return documents;
}

PerplexityResult perplexity(const LanguageModel &model, const Tokenizer &tokenizer, std::string_view text,
                            long maxDocuments, const JobContext &job)
{
    auto documents = splitDocuments(text);
    if (maxDocuments >= 0 && size_t(maxDocuments) < documents.size())
        documents.resize(size_t(maxDocuments));
    const long total = long(documents.size());
    const auto started = std::chrono::steady_clock::now();
    double sum = 0;
    PerplexityResult result;
    for (const std::string_view document : documents) {
        job.checkCancelled();
        std::vector<int32_t> tokens = tokenizer.encode(document, /*bos=*/true);
        if (int64_t(tokens.size()) > model.contextLength())
            tokens.resize(size_t(model.contextLength()));
        const std::vector<double> nll = model.tokenNll(tokens);
        sum += std::accumulate(nll.begin(), nll.end(), 0.0);
        result.tokens += long(nll.size());
        ++result.documents;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        job.report(result.documents, total, {}, elapsed / double(result.documents) * double(total - result.documents));
    }
    result.meanNll = result.tokens > 0 ? sum / double(result.tokens) : std::numeric_limits<double>::quiet_NaN();
    return result;
}

} // namespace sculpt
