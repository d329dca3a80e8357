#pragma once
// Trains a small LLaMA from scratch on a list of documents — first a SentencePiece tokenizer,
// then the model — and saves it as a Hugging Face folder (config.json, model.safetensors,
// tokenizer.model) that the runtime runs as it is: the language demo `sculpt-cli zoo` makes.
// Deterministic: the same documents, options and thread count give the same bytes. Torch-free.

#include "job/job.h"
#include "runtime/perplexity.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sculpt {

struct LlamaTrainingOptions {
    int vocab = 1024; // SentencePiece BPE pieces, the 256 byte pieces included
    int64_t dim = 128;
    int64_t layers = 4;
    int64_t heads = 4;
    int64_t hiddenDim = 352; // SwiGLU width: LLaMA's 8/3 · dim, rounded up to a multiple of 32
    // max_position_embeddings. A longer document is cut to it, in training as the perplexity
    // protocol cuts it.
    int64_t context = 256;
    int epochs = 3;
    // Rows of `context` tokens per step. Whole documents are packed into the rows, each seeing
    // only itself from its own position 0, exactly as the perplexity protocol runs it alone.
    // Small: on the fortunes, for the same tokens, more steps did better than bigger ones (one
    // epoch's held-out NLL: 4.78 with 16 rows, 4.25 with 8, 3.94 with 4 at peak rate 2e-3).
    int64_t batch = 4;
    double learningRate = 2e-3; // AdamW's peak, after a linear warm-up, then a cosine decay
    double weightDecay = 0.1;   // on the matrices; norms are not decayed
    uint64_t seed = 0;
    // Intra-op threads: a reduction's order, and so its rounding, may depend on it.
    int threads = 1;
    long trainLimit = -1; // the first N training documents; all when negative
};

struct LlamaTrainingResult {
    std::vector<double> epochLoss; // mean training NLL per predicted token of each epoch
    long trainTokens = 0;          // tokens predicted per epoch
    long steps = 0;
    PerplexityResult heldOut;           // the trained module's own, by the perplexity protocol
    std::vector<int32_t> probeTokens;   // the first held-out document as the saved tokenizer encodes it
    std::vector<float> probeLogits;     // [probeTokens, vocab] from the trained module, to check the saved folder
};

// Trains on `train`, measures `heldOut` and writes `folder`/tokenizer.model, config.json and
// model.safetensors atomically (the folder is created). Reports progress per step, throws
// Cancelled when asked to stop (nothing is written then), std::invalid_argument for options
// that do not go together or no documents, std::runtime_error when SentencePiece cannot train.
LlamaTrainingResult trainLlama(std::span<const std::string> train, std::span<const std::string> heldOut,
                               const LlamaTrainingOptions &options, const std::string &folder,
                               const JobContext &job = {});

} // namespace sculpt
