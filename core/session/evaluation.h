#pragma once
// Evaluate, as the window runs it: perplexity of a language model on a text, top-1 accuracy of
// an image classifier on an IDX image set, or a vision-language model's answer accuracy on
// questions about images — the measurements of `sculpt-cli eval` — as a record for the
// workspace. Uses the runtime's torch-free faces only.

#include "job/job.h"
#include "records/evaluation.h"

#include <functional>
#include <string>

namespace sculpt {

class Checkpoint;

struct EvaluationRequest {
    // Perplexity on a text (documents between blank lines) …
    std::string text;
    std::string tokenizer; // empty: the one beside the model (tokenizer.model, tok<vocab>.bin)
    long maxDocuments = -1; // the first ones only when ≥ 0
    // … or accuracy on an image set.
    std::string images, labels;
    std::string config; // a ViT's sidecar (vit_config.h); empty for none
    // … or a vision-language model's answers to questions about images (image_questions.h:
    // LLaVA's conversation JSON, COCO captions), each greedy, of maxAnswerTokens at most.
    std::string questions;
    long maxAnswerTokens = 16;
    long limit = -1; // the first images or questions only when ≥ 1
    // A PEFT folder whose adapters are attached to the model first (adapt/peft.h: LoRA, Lily,
    // shared ones as Pear leaves them); empty for none.
    std::string adapters;
    std::string device = "cpu"; // where the model runs: "cpu", "cuda", "cuda:1"…

    bool isPerplexity() const { return !text.empty(); }
};

// Whether this build can run models (it was built with LibTorch).
bool canEvaluate();

// Measures the model of `checkpoint` as `request` says. The data is read and checked before
// the model is loaded, so a wrong file fails in milliseconds. The record has everything but
// its id: the data files' sizes and hashes, the weights' hash, the date and the time taken.
// Throws FileError naming the file for data, a tokenizer, a model or an adapter folder it cannot use,
// std::invalid_argument for a request that names no kind of data or several, or data that
// does not fit the model, Cancelled on request.
Evaluation evaluate(const Checkpoint &checkpoint, const EvaluationRequest &request, const JobContext &job,
                    const std::function<void(const std::string &)> &log);

} // namespace sculpt
