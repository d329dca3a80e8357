#include "runtime/llama_training.h"

#include "runtime/compute_threads.h"
#include "runtime/demo_folder.h"
#include "runtime/learning_rate.h"
#include "runtime/families/llama/llama.h"
#include "runtime/sentencepiece_training.h"
#include "runtime/tokenizer.h"
#include "runtime/weights.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace sculpt {
namespace {

constexpr double kRmsNormEps = 1e-5;
constexpr double kRopeTheta = 10000;
constexpr double kClipNorm = 1.0;
constexpr int64_t kIgnore = -100; // a position whose next token is not the document's

// Rows of whole documents: the model's input (the tokens and the document each belongs to,
// −1 in the padding) and what each position predicts (kIgnore after a document's last token
// and in the padding), [rows, context] each.
struct Batch {
    ModelInput input;
    torch::Tensor targets;
    long predicted = 0;
};

void check(std::span<const std::string> train, std::span<const std::string> heldOut, const LlamaTrainingOptions &o)
{
    const auto fail = [](const std::string &why) { throw std::invalid_argument(why); };
    if (train.empty() || heldOut.empty())
        fail("no training or no held-out documents");
    // unk, BOS, EOS and the 256 byte pieces come first.
    if (o.vocab < 260)
        fail("a vocabulary of " + std::to_string(o.vocab) + " has no room beyond the 259 special and byte pieces");
    if (o.dim < 1 || o.heads < 1 || o.dim % o.heads != 0 || (o.dim / o.heads) % 2 != 0 || o.layers < 1 ||
        o.hiddenDim < 1)
        fail("the width must be a positive multiple of the heads with an even head dimension, with at least one layer");
    if (o.context < 2)
        fail("the context must hold at least 2 tokens");
    if (o.epochs < 1 || o.batch < 1 || o.threads < 1)
        fail("epochs, batch and threads must be at least 1");
}

// Each document as the perplexity protocol encodes it: BOS first, cut to the context.
std::vector<std::vector<int32_t>> encode(const Tokenizer &tokenizer, std::span<const std::string> documents,
                                         int64_t context)
{
    std::vector<std::vector<int32_t>> encoded;
    for (const std::string &d : documents) {
        std::vector<int32_t> tokens = tokenizer.encode(d, /*bos=*/true);
        if (int64_t(tokens.size()) > context)
            tokens.resize(size_t(context));
        encoded.push_back(std::move(tokens));
    }
    return encoded;
}

// The documents in `order` placed whole into rows of `context` tokens, a new row whenever the
// next one does not fit: the document indices of each row.
std::vector<std::vector<int64_t>> packRows(const std::vector<std::vector<int32_t>> &documents,
                                           const std::vector<int64_t> &order, int64_t context)
{
    std::vector<std::vector<int64_t>> rows;
    int64_t used = context;
    for (const int64_t d : order) {
        const int64_t length = int64_t(documents[size_t(d)].size());
        if (used + length > context) {
            rows.emplace_back();
            used = 0;
        }
        rows.back().push_back(d);
        used += length;
    }
    return rows;
}

Batch makeBatch(const std::vector<std::vector<int32_t>> &documents, std::span<const std::vector<int64_t>> rows,
                int64_t context)
{
    const int64_t n = int64_t(rows.size());
    std::vector<int64_t> tokens(size_t(n * context), 0), targets(size_t(n * context), kIgnore),
        owner(size_t(n * context), -1);
    Batch b;
    for (int64_t r = 0; r < n; ++r) {
        size_t at = size_t(r * context);
        for (const int64_t d : rows[size_t(r)]) {
            const std::vector<int32_t> &doc = documents[size_t(d)];
            for (size_t i = 0; i < doc.size(); ++i, ++at) {
                tokens[at] = doc[i];
                owner[at] = d;
                if (i + 1 < doc.size()) {
                    targets[at] = doc[i + 1];
                    ++b.predicted;
                }
            }
        }
    }
    const auto tensor = [&](std::vector<int64_t> &v) { return torch::tensor(v, torch::kInt64).view({n, context}); };
    b.input.tokens = tensor(tokens);
    b.input.documents = tensor(owner);
    b.targets = tensor(targets);
    return b;
}

std::vector<int64_t> identity(size_t n)
{
    std::vector<int64_t> order(n);
    for (size_t i = 0; i < n; ++i)
        order[i] = int64_t(i);
    return order;
}

// The held-out documents by the perplexity protocol, and the logits of the first one.
void measure(const Llama &model, const std::vector<std::vector<int32_t>> &documents,
             const LlamaTrainingOptions &o, LlamaTrainingResult &result)
{
    torch::NoGradGuard noGrad;
    const std::vector<std::vector<int64_t>> rows = packRows(documents, identity(documents.size()), o.context);
    double sum = 0;
    for (size_t first = 0; first < rows.size(); first += size_t(o.batch)) {
        const auto slice = std::span(rows).subspan(first, std::min(rows.size() - first, size_t(o.batch)));
        const Batch b = makeBatch(documents, slice, o.context);
        const torch::Tensor logits = model.forward(b.input).logits;
        // As the runtime does it: log-softmax in float32, the sum in float64.
        const torch::Tensor predicted = b.targets.ne(kIgnore);
        const torch::Tensor nll = -logits.log_softmax(-1)
                                       .gather(-1, b.targets.clamp_min(0).unsqueeze(-1))
                                       .squeeze(-1)
                                       .masked_select(predicted);
        sum += nll.to(torch::kFloat64).sum().item<double>();
        result.heldOut.tokens += b.predicted;
        if (first == 0) {
            const int64_t n = int64_t(documents[0].size());
            const torch::Tensor probe = logits[0].narrow(0, 0, n).contiguous();
            result.probeLogits.assign(probe.data_ptr<float>(), probe.data_ptr<float>() + probe.numel());
        }
    }
    result.heldOut.documents = long(documents.size());
    result.heldOut.meanNll = sum / double(result.heldOut.tokens);
    result.probeTokens = documents[0];
}

// What the runtime reads back: the model's tensors in HF's layout, config.json and the tokenizer.
} // namespace

LlamaTrainingResult trainLlama(std::span<const std::string> train, std::span<const std::string> heldOut,
                               const LlamaTrainingOptions &o, const std::string &folder, const JobContext &job)
{
    check(train, heldOut, o);
    if (o.trainLimit >= 0 && size_t(o.trainLimit) < train.size())
        train = train.first(size_t(o.trainLimit));

    job.report(0, 1, "training the tokenizer");
    const std::string tokenizerModel = trainSentencePiece(train, o.vocab);
    job.checkCancelled();
    const auto tokenizer = readSentencePieceTokenizer("tokenizer.model", std::as_bytes(std::span(tokenizerModel)));
    if (!tokenizer)
        throw std::runtime_error("SentencePiece made a model it cannot read");
    const std::vector<std::vector<int32_t>> documents = encode(*tokenizer, train, o.context);
    const std::vector<std::vector<int32_t>> heldOutDocuments = encode(*tokenizer, heldOut, o.context);

    LlamaConfig config;
    config.dim = o.dim;
    config.hiddenDim = o.hiddenDim;
    config.layers = o.layers;
    config.heads = config.kvHeads = o.heads;
    config.headDim = o.dim / o.heads;
    config.vocab = tokenizer->vocabSize();
    config.contextLength = o.context;
    config.rmsNormEps = kRmsNormEps;
    config.ropeTheta = kRopeTheta;
    config.tiedHead = true;

    setComputeThreads(o.threads);
    torch::manual_seed(o.seed);
    Llama model(FreshWeights(torch::kCPU), config);
    std::vector<torch::Tensor> matrices, norms, all;
    for (auto &[name, t] : model.parameters()) {
        t.requires_grad_();
        (t.dim() == 2 ? matrices : norms).push_back(t);
        all.push_back(t);
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(matrices, std::make_unique<torch::optim::AdamWOptions>(
                                      torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay)));
    groups.emplace_back(norms,
                        std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.learningRate).weight_decay(0)));
    torch::optim::AdamW optimizer(std::move(groups), torch::optim::AdamWOptions(o.learningRate));

    // Every epoch's rows up front, so the schedule knows how many steps there are.
    std::vector<std::vector<std::vector<int64_t>>> epochRows;
    int64_t steps = 0;
    for (int e = 0; e < o.epochs; ++e) {
        const torch::Tensor permutation = torch::randperm(int64_t(documents.size()), torch::kLong);
        const std::vector<int64_t> order(permutation.data_ptr<int64_t>(),
                                         permutation.data_ptr<int64_t>() + permutation.numel());
        epochRows.push_back(packRows(documents, order, o.context));
        steps += (int64_t(epochRows.back().size()) + o.batch - 1) / o.batch;
    }
    LlamaTrainingResult result;
    result.steps = long(steps);
    const auto started = std::chrono::steady_clock::now();
    int64_t step = 0;
    for (int epoch = 0; epoch < o.epochs; ++epoch) {
        const auto &rows = epochRows[size_t(epoch)];
        double lossSum = 0;
        long predicted = 0;
        for (size_t first = 0; first < rows.size(); first += size_t(o.batch), ++step) {
            job.checkCancelled();
            setLearningRate(optimizer, warmupCosineRate(o.learningRate, step, steps));
            const Batch b =
                makeBatch(documents, std::span(rows).subspan(first, std::min(rows.size() - first, size_t(o.batch))), o.context);
            const torch::Tensor logits = model.forward(b.input).logits;
            const torch::Tensor loss = torch::nn::functional::cross_entropy(
                logits.view({-1, config.vocab}), b.targets.flatten(),
                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kIgnore));
            optimizer.zero_grad();
            loss.backward();
            torch::nn::utils::clip_grad_norm_(all, kClipNorm);
            optimizer.step();
            lossSum += loss.item<double>() * double(b.predicted);
            predicted += b.predicted;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char message[64];
            std::snprintf(message, sizeof message, "epoch %d/%d, loss %.4f", epoch + 1, o.epochs,
                          lossSum / double(predicted));
            job.report(long(step + 1), long(steps), message, elapsed / double(step + 1) * double(steps - step - 1));
        }
        result.epochLoss.push_back(lossSum / double(predicted));
        result.trainTokens = predicted;
    }
    job.checkCancelled();
    measure(model, heldOutDocuments, o, result);
    writeDemoFolder(model, folder, {{"tokenizer.model", tokenizerModel}});
    return result;
}

} // namespace sculpt
