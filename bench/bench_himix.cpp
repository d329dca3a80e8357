// HiMix against vanilla LLaVA on one answer, measured in the same run: a random-weight
// LLaVA-1.5-shaped model scaled down (a CLIP tower at 336 px, 14 px patches: 576 image tokens;
// an 8-layer decoder), the same weights converted by CausalModel::convertToHimix. Prints the
// decoder's multiply-adds per answer (decoder_cost.h) and the answer's wall time — prompt with
// the image, then greedy tokens — for both, with the tower's own share.
//   cmake --build build --target bench_himix && build/bench/bench_himix [--threads N] [--answer N]

#include "runtime/compute_threads.h"
#include "runtime/families/llava/llava.h"
#include "runtime/generate.h"
#include "runtime/language_model.h"
#include "runtime/weights.h"

#include "bench_support.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

using namespace sculpt;

namespace {

LlavaConfig shape()
{
    LlavaConfig c;
    VitConfig &v = c.vision;
    v.imageSize = 336;
    v.patchSize = 14;
    v.dim = 256;
    v.layers = 4;
    v.heads = 4;
    v.hiddenDim = 1024;
    v.layerNormEps = 1e-5;
    v.activation = VitActivation::QuickGelu;
    v.patchBias = false;
    v.embeddingModules = true;
    v.finalNorm = false;
    v.names = clipVisionNames("");
    v.mean = {0.48145466, 0.4578275, 0.40821073};
    v.std = {0.26862954, 0.26130258, 0.27577711};
    LlamaConfig &t = c.text;
    t.dim = 512;
    t.hiddenDim = 1376;
    t.layers = 8;
    t.heads = 8;
    t.kvHeads = 8;
    t.headDim = 64;
    t.vocab = 32064;
    t.contextLength = 1024;
    c.featureLayer = v.layers - 2;
    c.imageToken = 32000;
    c.projectorActivation = VitActivation::Gelu;
    return c;
}

// A fresh model of `config`: the same seed, the same weights.
std::shared_ptr<Llava> fresh(const LlavaConfig &config)
{
    torch::manual_seed(11);
    return std::make_shared<Llava>(FreshWeights(torch::kCPU), config);
}

double seconds(const std::function<void()> &work, int repeats)
{
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    int threads = 2;
    long answer = 16;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--answer") && i + 1 < argc)
            answer = std::atol(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_himix [--threads N] [--answer TOKENS]\n");
            return 2;
        }
    }
    setComputeThreads(threads);
    const LlavaConfig config = shape();
    const std::shared_ptr<Llava> vanilla = fresh(config), himix = fresh(config);
    himix->convertToHimix();

    // BOS, the image, a 31-token question.
    std::vector<int32_t> prompt{1};
    prompt.insert(prompt.end(), size_t(config.imageTokens()), int32_t(config.imageToken));
    for (int32_t t = 0; t < 31; ++t)
        prompt.push_back(100 + t);
    torch::manual_seed(12);
    const torch::Tensor pixels = torch::randn({1, 3, config.vision.imageSize, config.vision.imageSize});
    const std::vector<float> flat(pixels.data_ptr<float>(), pixels.data_ptr<float>() + pixels.numel());
    GenerateOptions options;
    options.maxTokens = answer; // no stop token: every answer is as long

    std::printf("HiMix vs vanilla LLaVA, one answer: %zu prompt tokens (%lld of them the image), %ld new tokens, "
                "%d threads; %s\n",
                prompt.size(), (long long)config.imageTokens(), answer, threads, bench::loadAverage().c_str());
    double gflops[2] = {}, wall[2] = {};
    long fed = 0;
    for (const bool isHimix : {false, true}) {
        const auto model = wrapLanguageModel(isHimix ? himix : vanilla);
        fed = generate(*model, prompt, options, {}, {}, flat).fed; // warm-up, and the answer's shape
        gflops[isHimix] = 2e-9 * double(*model->decoderMacs({int64_t(prompt.size()), config.imageTokens(), fed}));
        wall[isHimix] = seconds([&] { generate(*model, prompt, options, {}, {}, flat); }, 3);
    }
    torch::NoGradGuard noGrad;
    const double tower = seconds([&] { vanilla->imageFeatures(pixels); }, 3);
    std::printf("%-8s %14s %12s\n", "", "decoder GFLOPs", "answer (s)");
    std::printf("%-8s %14.3f %12.3f\n", "vanilla", gflops[0], wall[0]);
    std::printf("%-8s %14.3f %12.3f\n", "HiMix", gflops[1], wall[1]);
    std::printf("ratio    %13.2f× %11.2f×   (the tower and projector take %.3f s of each answer)\n",
                gflops[0] / gflops[1], wall[0] / wall[1], tower);
    return 0;
}
