#include "runtime/perplexity.h"

#include "data/text.h"
#include "runtime/language_model.h"
#include "runtime/tokenizer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace sculpt {

double PerplexityResult::perplexity() const { return std::exp(meanNll); }

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
