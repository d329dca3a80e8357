// Evaluation throughput in tokens per second: sculpt's LanguageModel::tokenNll — what `sculpt-cli
// eval` runs — against the same LLaMA forward written in eager PyTorch (llama_forward.py on
// Debian's python3-torch, under torch.inference_mode), both reading the same safetensors file
// and running the same documents, one full causal pass each, on the same number of threads
// (OpenMP and OpenBLAS), in this run. Targets: ≥ 1.5× PyTorch on stories260K, ≥ 1.0× on a
// LLaMA-shaped model of ~100M parameters with random weights.
//
//   bench_tokens [--threads N] [--quick]     (N = 1 by default; --quick: fewer documents)

#include "bench_support.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "runtime/model_family.h"
#include "runtime/compute_threads.h"
#include "runtime/language_model.h"
#include "runtime/families/llama/llama_config.h"
#include "data/text.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr const char *kStories = SCULPT_SHARED_DIR "/models/stories260K/stories260K.bin";
constexpr const char *kStoriesTokenizer = SCULPT_SHARED_DIR "/models/stories260K/tok512.model";
constexpr const char *kText = SCULPT_SHARED_DIR "/models/tinystories_valid_sample/tinystories_val.txt";

struct Case {
    std::string name;
    double target;
    long documents;      // of the TinyStories sample
    int64_t context;     // each cut to this many tokens
    int repeats;
    // Writes config.json and model.safetensors into the folder; returns the parameter count.
    int64_t (*write)(const std::string &folder);
};

struct Side {
    double seconds; // the best of the repeats
    long tokens;
    double nllSum;
    std::string torch; // PyTorch's version, on the Python side
};

void writeFolder(const std::string &folder, const std::string &configJson,
                 const std::vector<std::pair<std::string, torch::Tensor>> &named)
{
    std::vector<torch::Tensor> keep;
    std::vector<sculpt::TensorToWrite> tensors;
    for (const auto &[name, t] : named) {
        keep.push_back(t.to(torch::kFloat32).contiguous());
        const torch::Tensor &c = keep.back();
        tensors.push_back({name, sculpt::DType::F32, c.sizes().vec(),
                           std::as_bytes(std::span(c.data_ptr<float>(), size_t(c.numel())))});
    }
    sculpt::writeSafetensors(folder + "/model.safetensors", tensors);
    std::ofstream(folder + "/config.json") << configJson << "\n";
}

// stories260K as a Hugging Face folder, through the runtime's own export of what it loaded
// (llama2.c's interleaved q/k rows reordered into HF's halves), so both sides read HF's layout.
int64_t exportStories(const std::string &folder)
{
    c10::InferenceMode inference;
    const auto model = sculpt::loadCausalModel(*sculpt::openCheckpoint(kStories), torch::kCPU);
    const std::vector<std::pair<std::string, torch::Tensor>> named = model->checkpointTensors(/*factorized=*/false);
    writeFolder(folder, model->hfConfigJson(), named);
    int64_t parameters = 0;
    for (const auto &[name, t] : named)
        parameters += t.numel();
    return parameters;
}

// A LLaMA of ~110M parameters (GPT-2 small's width and depth, LLaMA's 32,000-token vocabulary,
// tied head) with weights N(0, 0.02) and norms near 1.
int64_t writeRandomLlama(const std::string &folder)
{
    sculpt::LlamaConfig c;
    c.dim = 768;
    c.hiddenDim = 2048;
    c.layers = 12;
    c.heads = c.kvHeads = 12;
    c.headDim = 64;
    c.vocab = 32000;
    c.contextLength = 1024;
    c.tiedHead = true;
    torch::manual_seed(0);
    std::vector<std::pair<std::string, torch::Tensor>> named;
    const auto matrix = [&](const std::string &name, int64_t rows, int64_t cols) {
        named.emplace_back(name, torch::randn({rows, cols}) * 0.02);
    };
    const auto norm = [&](const std::string &name) { named.emplace_back(name, 1 + 0.1 * torch::randn({c.dim})); };
    matrix("model.embed_tokens.weight", c.vocab, c.dim);
    norm("model.norm.weight");
    for (int64_t l = 0; l < c.layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        norm(p + "input_layernorm.weight");
        norm(p + "post_attention_layernorm.weight");
        for (const char *name : {"q_proj", "k_proj", "v_proj", "o_proj"})
            matrix(p + "self_attn." + name + ".weight", c.dim, c.dim);
        matrix(p + "mlp.gate_proj.weight", c.hiddenDim, c.dim);
        matrix(p + "mlp.up_proj.weight", c.hiddenDim, c.dim);
        matrix(p + "mlp.down_proj.weight", c.dim, c.hiddenDim);
    }
    writeFolder(folder, sculpt::hfConfigJson(c), named);
    int64_t parameters = 0;
    for (const auto &[name, t] : named)
        parameters += t.numel();
    return parameters;
}

// The first `count` documents of the TinyStories sample as the perplexity protocol encodes
// them (BOS first), cut to `context`.
std::vector<std::vector<int32_t>> documents(const sculpt::Tokenizer &tokenizer, long count, int64_t context)
{
    const std::string text = bench::readFile(kText);
    std::vector<std::vector<int32_t>> out;
    for (const std::string_view d : sculpt::splitDocuments(text)) {
        if (long(out.size()) == count)
            break;
        std::vector<int32_t> tokens = tokenizer.encode(d, /*bos=*/true);
        tokens.resize(std::min(tokens.size(), size_t(context)));
        out.push_back(std::move(tokens));
    }
    return out;
}

void writeDocuments(const std::string &path, const std::vector<std::vector<int32_t>> &docs)
{
    std::vector<int32_t> ids{int32_t(docs.size())};
    for (const auto &d : docs) {
        ids.push_back(int32_t(d.size()));
        ids.insert(ids.end(), d.begin(), d.end());
    }
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(ids.data()), std::streamsize(ids.size() * 4));
}

Side runSculpt(const std::string &folder, const std::vector<std::vector<int32_t>> &docs, int repeats)
{
    const auto model = sculpt::LanguageModel::load(*sculpt::openCheckpoint(folder));
    model->tokenNll(docs[0]); // warm-up, as the Python side does
    Side best{INFINITY, 0, 0, {}};
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        double sum = 0;
        long tokens = 0;
        for (const auto &d : docs) {
            const std::vector<double> nll = model->tokenNll(d);
            sum += std::accumulate(nll.begin(), nll.end(), 0.0);
            tokens += long(nll.size());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = {std::min(best.seconds, seconds), tokens, sum, {}};
    }
    return best;
}

Side runPython(bench::ScratchDir &scratch, const std::string &tokens, int threads, int repeats)
{
    const std::string out = scratch.file("python.out"), err = scratch.file("python.err");
    bench::runChild({SCULPT_SYSTEM_PYTHON, SCULPT_LLAMA_FORWARD_SCRIPT, scratch.path(), tokens, std::to_string(threads),
                     std::to_string(repeats)},
                    out, err);
    const nlohmann::json result = nlohmann::json::parse(bench::readFile(out));
    if (result.at("threads").get<int>() != threads)
        throw std::runtime_error("PyTorch ran on " + result.at("threads").dump() + " threads");
    return {result.at("seconds").get<double>(), result.at("tokens").get<long>(), result.at("nll_sum").get<double>(),
            result.at("torch").get<std::string>()};
}

// One model in a scratch folder of its own, which is its Hugging Face folder too.
// Prints its row; returns the Python side's PyTorch version.
std::string runCase(const Case &c, const sculpt::Tokenizer &tokenizer, int threads)
{
    bench::ScratchDir scratch;
    scratch.file("model.safetensors");
    scratch.file("config.json");
    const int64_t parameters = c.write(scratch.path());
    const std::vector<std::vector<int32_t>> docs = documents(tokenizer, c.documents, c.context);
    const std::string tokens = scratch.file("documents.tokens");
    writeDocuments(tokens, docs);
    const Side python = runPython(scratch, tokens, threads, c.repeats);
    const Side sculpt = runSculpt(scratch.path(), docs, c.repeats);
    if (python.tokens != sculpt.tokens)
        throw std::runtime_error(c.name + ": the two sides ran different token counts");
    const double ratio = python.seconds / sculpt.seconds;
    std::printf("%-12s %11lld %5zu %7ld %8.0f tok/s %8.0f tok/s %6.2fx %12.1e  >= %.1fx %s\n", c.name.c_str(),
                (long long)parameters, docs.size(), sculpt.tokens, double(python.tokens) / python.seconds,
                double(sculpt.tokens) / sculpt.seconds, ratio, std::abs(python.nllSum - sculpt.nllSum) / double(sculpt.tokens),
                c.target, ratio >= c.target ? "met" : "MISSED");
    std::fflush(stdout);
    return python.torch;
}

int run(int threads, bool quick)
{
    const std::string startLoad = bench::loadAverage();
    // The child inherits these; this process is told directly.
    ::setenv("OPENBLAS_NUM_THREADS", std::to_string(threads).c_str(), 1);
    ::setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
    sculpt::setComputeThreads(threads);

    const auto tokenizer = sculpt::openTokenizer(kStoriesTokenizer);
    const std::vector<Case> cases{
        {"stories260K", 1.5, quick ? 100 : 300, 512, quick ? 2 : 3, exportStories},
        {"llama-110M", 1.0, quick ? 4 : 12, 1024, 1, writeRandomLlama},
    };
    std::printf("evaluation throughput: one causal pass per document of the TinyStories sample (logits, log-softmax, "
                "NLL of each next token)\n");
    std::printf("sculpt: LanguageModel::tokenNll; PyTorch: eager, torch.inference_mode (llama_forward.py); "
                "same safetensors, same tokens; %d thread(s) each; best of the repeats\n\n",
                threads);
    std::printf("%-12s %11s %5s %7s %14s %14s %7s %12s  %s\n", "model", "parameters", "docs", "tokens", "PyTorch",
                "sculpt", "ratio", "|dNLL|/tok", "target");
    std::string torchVersion;
    for (const Case &c : cases)
        torchVersion = runCase(c, *tokenizer, threads);
    std::printf("\nPyTorch %s (python3-torch), LibTorch %s; %s at the start, %s at the end\n", torchVersion.c_str(),
                TORCH_VERSION, startLoad.c_str(), bench::loadAverage().c_str());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    int threads = 1;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc && std::atoi(argv[i + 1]) > 0) {
            threads = std::atoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: bench_tokens [--threads N] [--quick]\n");
            return 2;
        }
    }
    try {
        return run(threads, quick);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_tokens: %s\n", e.what());
        return 1;
    }
}
