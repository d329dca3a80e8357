// The compression table of the README (issue 6): perplexity of stories260K on the first 300
// documents of the TinyStories sample, dense and after SVD, FWSVD, ASVD, SVD-LLM and SoCo at
// 20, 40 and 60 % of the projection parameters removed, with each pass's run time.
// Calibration documents come from the end of the same file and never overlap the first 300.
//   build/bench/bench_compression [--calib-docs N] [--ratios 0.2,0.4,0.6] [--methods a,b]
// Prints a Markdown table; one thread (torch::set_num_threads(1)) unless --threads N.

#include "builtin_passes.h"
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
#include <sstream>

using namespace sculpt;

namespace {

std::vector<std::string> split(const std::string &list)
{
    std::vector<std::string> parts;
    std::stringstream in(list);
    for (std::string part; std::getline(in, part, ',');)
        parts.push_back(part);
    return parts;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string shared = SCULPT_SHARED_DIR "/models/";
    std::vector<std::string> methods{"svd", "fwsvd", "asvd", "svd-llm", "soco"};
    std::vector<std::string> ratios{"0.2", "0.4", "0.6"};
    long calibDocs = 128;
    int threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--calib-docs")
            calibDocs = std::stol(value);
        else if (flag == "--ratios")
            ratios = split(value);
        else if (flag == "--methods")
            methods = split(value);
        else if (flag == "--threads")
            threads = std::stoi(value);
        else {
            std::cerr << "bench_compression: unknown option " << flag << "\n";
            return 2;
        }
    }
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
    if (long(splitDocuments(text).size()) < evalDocs + calibDocs) {
        std::cerr << "bench_compression: too few documents for " << evalDocs << " + " << calibDocs << "\n";
        return 2;
    }

    const double dense = perplexity(*LanguageModel::load(*checkpoint), *tokenizer, text, evalDocs).perplexity();
    std::printf("stories260K, perplexity on the first %ld documents; calibration: the last %ld; %d thread(s)\n\n",
                evalDocs, calibDocs, threads);
    std::printf("| method | ratio | achieved | perplexity | run time |\n|---|---|---|---|---|\n");
    std::printf("| dense | 0 %% | 0 %% | %.2f | — |\n", dense);
    std::fflush(stdout);
    for (const std::string &ratio : ratios)
        for (const std::string &method : methods) {
            CompressionRequest request;
            request.ratio = std::stod(ratio);
            request.calibration.text = text;
            request.calibration.tokenizer = tokenizer;
            request.calibration.count = calibDocs;
            const CompressedModel c = runPass(*findPass(method), *checkpoint, {}, request);
            const double p = perplexity(*c.languageModel(), *tokenizer, text, evalDocs).perplexity();
            std::printf("| %s | %.0f %% | %.1f %% | %.2f | %.1f s |\n", method.c_str(), 100 * request.ratio,
                        100 * c.summary().ratio, p, c.summary().seconds);
            std::fflush(stdout);
        }
    return 0;
}
