#pragma once
// Perplexity of a language model on a text, by one fixed protocol so numbers compare across
// models and tools.

#include "job/job.h"

#include <string_view>
#include <vector>

namespace sculpt {

class LanguageModel;
class Tokenizer;

struct PerplexityResult {
    long documents = 0;
    long tokens = 0;     // predicted tokens: every token after the first of each document
    double meanNll = 0;  // nats per token; NaN when no token was predicted
    double perplexity() const;
};

// Each document (data/text.h's splitDocuments; the first maxDocuments when that is ≥ 0) is encoded with BOS, cut to the
// model's context length and run in one causal pass; the negative log-likelihood of every
// token after the first is averaged over all tokens of all documents. Reports progress per
// document; throws Cancelled when asked to stop.
PerplexityResult perplexity(const LanguageModel &model, const Tokenizer &tokenizer, std::string_view text,
                            long maxDocuments = -1, const JobContext &job = {});

} // namespace sculpt
