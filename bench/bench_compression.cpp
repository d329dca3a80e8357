// The compression table of the README (issue 6): perplexity of stories260K on the first 300
// documents of the TinyStories sample, dense and after SVD, FWSVD, ASVD, SVD-LLM and SoCo at
// 20, 40 and 60 % of the projection parameters removed, with each pass's run time.
// Calibration documents come from the end of the same file and never overlap the first 300.
//   build/bench/bench_compression [--calib-docs N] [--ratios 0.2,0.4,0.6] [--methods a,b]
// Prints a Markdown table; one thread (torch::set_num_threads(1)) unless --threads N.

#include "builtin_passes.h"
#include "pass_table.h"
#include "compress/pass.h"
#include "io/formats.h"
#include "runtime/language_model.h"
#include "data/text.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

using namespace sculpt;

int main(int argc, char **argv)
{
    const std::string shared = SCULPT_SHARED_DIR "/models/";
    const auto table = bench::parsePassTable(argc, argv, "bench_compression", "--calib-docs", 128);
    if (!table)
        return 2;
    const auto &[methods, ratios, calibration, threads] = *table;
    torch::set_num_threads(threads);
    registerBuiltinPasses();
    std::ifstream textFile(shared + "tinystories_valid_sample/tinystories_val.txt");
    if (!textFile) {
        std::cerr << "bench_compression: needs ../shared/models (stories260K and the TinyStories sample)\n";
        return 2;
    }
    const std::string text((std::istreambuf_iterator<char>(textFile)), std::istreambuf_iterator<char>());
    const auto checkpoint = openCheckpoint(shared + "stories260K/stories260K.bin");
    const std::shared_ptr<const Tokenizer> tokenizer = openTokenizer(shared + "stories260K/tok512.model");
    const long evalDocs = 300;
    if (long(splitDocuments(text).size()) < evalDocs + calibration) {
        std::cerr << "bench_compression: too few documents for " << evalDocs << " + " << calibration << "\n";
        return 2;
    }

    const double dense = perplexity(*LanguageModel::load(*checkpoint), *tokenizer, text, evalDocs).perplexity();
    std::printf("stories260K, perplexity on the first %ld documents; calibration: the last %ld; %d thread(s)\n\n",
                evalDocs, calibration, threads);
    std::printf("| method | ratio | achieved | perplexity | run time |\n|---|---|---|---|---|\n");
    std::printf("| dense | 0 %% | 0 %% | %.2f | — |\n", dense);
    std::fflush(stdout);
    for (const std::string &ratio : ratios)
        for (const std::string &method : methods) {
            CompressionRequest request;
            request.ratio = std::stod(ratio);
            request.calibration.text = text;
            request.calibration.tokenizer = tokenizer;
            request.calibration.count = calibration;
            const CompressedModel c = runPass(*findPass(method), *checkpoint, {}, request);
            const double p = perplexity(*c.languageModel(), *tokenizer, text, evalDocs).perplexity();
            std::printf("| %s | %.0f %% | %.1f %% | %.2f | %.1f s |\n", method.c_str(), 100 * request.ratio,
                        100 * c.summary().ratio, p, c.summary().seconds);
            std::fflush(stdout);
        }
    return 0;
}
