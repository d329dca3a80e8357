#include "runtime/llama_training.h"

#include "io/atomic_file.h"
#include "runtime/compute_threads.h"
#include "runtime/learning_rate.h"
#include "runtime/families/llama/llama_config.h"
#include "runtime/sentencepiece_training.h"
#include "runtime/tokenizer.h"
#include "tensor/torch_bridge.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>

namespace sculpt {
namespace {

constexpr double kRmsNormEps = 1e-5;
constexpr double kRopeTheta = 10000;
constexpr double kInitStd = 0.02; // transformers' initializer_range
constexpr double kClipNorm = 1.0;
constexpr int64_t kIgnore = -100; // a position whose next token is not the document's

// Rows of whole documents: the tokens, what each position predicts (kIgnore after a
// document's last token and in the padding), each token's position within its document and
// the document it belongs to (−1 in the padding), [rows, context] each.
struct Batch {
    torch::Tensor tokens, targets, positions, documents;
    long predicted = 0;
};

// A LLaMA with autograd, its parameters under the names transformers' LlamaForCausalLM gives
// them (the head tied to the embedding), so the saved file is an HF checkpoint. The forward pass
// computes what the runtime's does (runtime/llama.cpp), batched over packed rows: `zoo` checks
// the saved folder's logits against this module's.
class TrainableLlama {
public:
    explicit TrainableLlama(const LlamaConfig &c) : c_(c)
    {
        const int64_t d = c.dim, h = c.hiddenDim;
        const auto normal = [](std::vector<int64_t> shape, double std) { return torch::randn(shape) * std; };
        // GPT-2's scaling of the projections that write into the residual stream keeps its
        // variance from growing with depth.
        const double residualStd = kInitStd / std::sqrt(2.0 * double(c.layers));
        add("model.embed_tokens.weight", normal({c.vocab, d}, kInitStd));
        for (int64_t l = 0; l < c.layers; ++l) {
            const std::string p = "model.layers." + std::to_string(l) + ".";
            add(p + "input_layernorm.weight", torch::ones({d}));
            for (const char *projection : {"q_proj", "k_proj", "v_proj"})
                add(p + "self_attn." + projection + ".weight", normal({d, d}, kInitStd));
            add(p + "self_attn.o_proj.weight", normal({d, d}, residualStd));
            add(p + "post_attention_layernorm.weight", torch::ones({d}));
            add(p + "mlp.gate_proj.weight", normal({h, d}, kInitStd));
            add(p + "mlp.up_proj.weight", normal({h, d}, kInitStd));
            add(p + "mlp.down_proj.weight", normal({d, h}, residualStd));
        }
        add("model.norm.weight", torch::ones({d}));

        // The runtime's rotary tables (runtime/rotary.cpp): angles in float64, then float32.
        const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
        const torch::Tensor frequencies =
            torch::pow(c.ropeTheta, -torch::arange(0, c.headDim, 2, f64) / double(c.headDim));
        const torch::Tensor angles = torch::outer(torch::arange(c.contextLength, f64), frequencies);
        cos_ = angles.cos().to(torch::kFloat32);
        sin_ = angles.sin().to(torch::kFloat32);
    }

    const std::map<std::string, torch::Tensor> &named() const { return parameters_; }

    // Logits [rows, T, vocab].
    torch::Tensor forward(const Batch &b) const
    {
        const int64_t rows = b.tokens.size(0), t = b.tokens.size(1);
        const torch::Tensor cos = cos_.index_select(0, b.positions.flatten()).view({rows, 1, t, -1});
        const torch::Tensor sin = sin_.index_select(0, b.positions.flatten()).view({rows, 1, t, -1});
        // A position sees the earlier positions of its own document only.
        const torch::Tensor sees =
            b.documents.unsqueeze(2).eq(b.documents.unsqueeze(1)).logical_and(torch::ones({t, t}, torch::kBool).tril());
        const torch::Tensor hidden = sees.logical_not().unsqueeze(1);

        torch::Tensor x = at("model.embed_tokens.weight").index_select(0, b.tokens.flatten()).view({rows, t, c_.dim});
        for (int64_t l = 0; l < c_.layers; ++l) {
            const std::string p = "model.layers." + std::to_string(l) + ".";
            x = x + attention(p, rmsNorm(x, at(p + "input_layernorm.weight")), cos, sin, hidden);
            const torch::Tensor h = rmsNorm(x, at(p + "post_attention_layernorm.weight"));
            x = x + linear(p + "mlp.down_proj", torch::silu(linear(p + "mlp.gate_proj", h)) * linear(p + "mlp.up_proj", h));
        }
        return torch::linear(rmsNorm(x, at("model.norm.weight")), at("model.embed_tokens.weight"));
    }

private:
    void add(const std::string &name, torch::Tensor t) { parameters_.emplace(name, t.requires_grad_()); }
    const torch::Tensor &at(const std::string &name) const { return parameters_.at(name); }

    torch::Tensor linear(const std::string &module, const torch::Tensor &x) const
    {
        return torch::linear(x, at(module + ".weight"));
    }

    torch::Tensor rmsNorm(const torch::Tensor &x, const torch::Tensor &weight) const
    {
        return x * torch::rsqrt(x.square().mean(-1, /*keepdim=*/true) + c_.rmsNormEps) * weight;
    }

    // x [rows, heads, T, headDim] with each pair of dimensions (i, i + headDim/2) turned.
    torch::Tensor rotate(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin) const
    {
        const auto halves = x.chunk(2, -1);
        const torch::Tensor &a = halves[0], &b = halves[1];
        return torch::cat({a * cos - b * sin, a * sin + b * cos}, -1);
    }

    torch::Tensor attention(const std::string &p, const torch::Tensor &x, const torch::Tensor &cos,
                            const torch::Tensor &sin, const torch::Tensor &hidden) const
    {
        const int64_t rows = x.size(0), t = x.size(1);
        const auto heads = [&](const char *projection) {
            return linear(p + "self_attn." + projection, x).view({rows, t, c_.heads, c_.headDim}).transpose(1, 2);
        };
        const torch::Tensor q = rotate(heads("q_proj"), cos, sin), k = rotate(heads("k_proj"), cos, sin);
        const torch::Tensor v = heads("v_proj");
        const torch::Tensor scores = (torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(c_.headDim)))
                                         .masked_fill(hidden, -std::numeric_limits<float>::infinity());
        return linear(p + "self_attn.o_proj",
                      torch::matmul(scores.softmax(-1), v).transpose(1, 2).reshape({rows, t, c_.heads * c_.headDim}));
    }

    LlamaConfig c_;
    std::map<std::string, torch::Tensor> parameters_;
    torch::Tensor cos_, sin_; // [context, headDim/2]
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
        positions(size_t(n * context), 0), owner(size_t(n * context), -1);
    Batch b;
    for (int64_t r = 0; r < n; ++r) {
        size_t at = size_t(r * context);
        for (const int64_t d : rows[size_t(r)]) {
            const std::vector<int32_t> &doc = documents[size_t(d)];
            for (size_t i = 0; i < doc.size(); ++i, ++at) {
                tokens[at] = doc[i];
                positions[at] = int64_t(i);
                owner[at] = d;
                if (i + 1 < doc.size()) {
                    targets[at] = doc[i + 1];
                    ++b.predicted;
                }
            }
        }
    }
    const auto tensor = [&](std::vector<int64_t> &v) { return torch::tensor(v, torch::kInt64).view({n, context}); };
    b.tokens = tensor(tokens);
    b.targets = tensor(targets);
    b.positions = tensor(positions);
    b.documents = tensor(owner);
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
void measure(const TrainableLlama &model, const std::vector<std::vector<int32_t>> &documents,
             const LlamaTrainingOptions &o, LlamaTrainingResult &result)
{
    torch::NoGradGuard noGrad;
    const std::vector<std::vector<int64_t>> rows = packRows(documents, identity(documents.size()), o.context);
    double sum = 0;
    for (size_t first = 0; first < rows.size(); first += size_t(o.batch)) {
        const auto slice = std::span(rows).subspan(first, std::min(rows.size() - first, size_t(o.batch)));
        const Batch b = makeBatch(documents, slice, o.context);
        const torch::Tensor logits = model.forward(b);
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

void save(const TrainableLlama &model, const LlamaConfig &config, const std::string &tokenizerModel,
          const std::string &folder)
{
    std::filesystem::create_directories(folder);
    writeFloatSafetensors(folder + "/model.safetensors", {model.named().begin(), model.named().end()},
                          {{"format", "pt"}});
    const std::string text = hfConfigJson(config) + "\n";
    for (const auto &[name, bytes] : {std::pair{"/config.json", std::string_view(text)},
                                      std::pair{"/tokenizer.model", std::string_view(tokenizerModel)}}) {
        AtomicFile file(folder + name);
        file.write(std::as_bytes(std::span(bytes)));
        file.commit();
    }
}

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
    TrainableLlama model(config);
    std::vector<torch::Tensor> matrices, norms, all;
    for (const auto &[name, t] : model.named()) {
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
            const torch::Tensor logits = model.forward(b);
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
    save(model, config, tokenizerModel, folder);
    return result;
}

} // namespace sculpt
