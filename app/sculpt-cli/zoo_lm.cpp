// `sculpt-cli zoo`'s language demo: a small LLaMA trained on the fortunes of Debian's
// `fortunes` package, with a held-out part it never sees.

#include "zoo.h"

#include "commands.h"
#include "foreground_job.h"
#include "io/atomic_file.h"
#include "io/error.h"
#include "io/formats.h"
#include "runtime/fortunes.h"
#include "runtime/language_model.h"
#include "runtime/llama_training.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace sculpt::cli {
namespace {

// Float32 sums in another order (batch shapes, kernels) differ by rounding only.
constexpr double kLogitTolerance = 1e-4;
constexpr double kNllTolerance = 1e-5;

// The saved folder through the runtime: the tokenizer beside it, the perplexity protocol on
// the held-out text, and the first held-out document's logits, each as training measured them.
bool verify(const std::string &folder, const std::string &heldOutText, const LlamaTrainingResult &trained)
{
    const auto model = LanguageModel::load(*openCheckpoint(folder));
    const auto tokenizer = openTokenizer(findTokenizer(folder, model->vocabSize()));
    const PerplexityResult runtime = perplexity(*model, *tokenizer, heldOutText);
    const std::vector<float> logits = model->logits(trained.probeTokens);
    double worst = logits.size() == trained.probeLogits.size() ? 0 : INFINITY;
    for (size_t i = 0; i < std::min(logits.size(), trained.probeLogits.size()); ++i)
        worst = std::max(worst, double(std::abs(logits[i] - trained.probeLogits[i])));
    std::printf("runtime   held-out perplexity %.4f (mean NLL %.6f over %ld tokens of %ld fortunes), logits within "
                "%.1e of training's\n",
                runtime.perplexity(), runtime.meanNll, runtime.tokens, runtime.documents, worst);
    if (runtime.documents != trained.heldOut.documents || runtime.tokens != trained.heldOut.tokens ||
        !(std::abs(runtime.meanNll - trained.heldOut.meanNll) <= kNllTolerance) || worst > kLogitTolerance) {
        std::cerr << "sculpt-cli zoo: " << folder << " does not run as it trained\n";
        return false;
    }
    return true;
}

} // namespace

int zooLm(const ZooOptions &options, const std::atomic<bool> *cancel)
{
    FortuneCorpus corpus;
    try {
        corpus = readFortunes();
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli zoo: " << e.what() << " (Debian's fortunes package installs them)\n";
        return kBadInput;
    }

    const std::string folder = options.out + "/fortunes-llama";
    LlamaTrainingOptions o;
    o.epochs = options.epochs.value_or(o.epochs);
    o.seed = options.seed;
    o.threads = options.threads;
    o.trainLimit = options.trainLimit;
    const size_t trained = o.trainLimit >= 0 ? std::min(corpus.train.size(), size_t(o.trainLimit)) : corpus.train.size();
    std::printf("fortunes-llama: LLaMA dim %lld, %lld layers, %lld heads, MLP %lld, vocabulary %d, context %lld; "
                "%zu fortunes to train on, %zu held out (every %zuth); %d epochs, batch %lld, seed %llu, %d threads\n",
                (long long)o.dim, (long long)o.layers, (long long)o.heads, (long long)o.hiddenDim, o.vocab,
                (long long)o.context, trained, corpus.heldOut.size(), kHeldOutEvery, o.epochs, (long long)o.batch,
                (unsigned long long)o.seed, o.threads);
    std::fflush(stdout);
    const auto started = std::chrono::steady_clock::now();
    LlamaTrainingResult result;
    if (const auto ended = runInForeground("zoo", "steps", cancel, [&](const JobContext &job) {
            result = trainLlama(corpus.train, corpus.heldOut, o, folder, job);
        }))
        return *ended;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // Beside the model, so `sculpt-cli eval FOLDER --text FOLDER/heldout.txt` repeats the measurement.
    const std::string heldOutText = documentsText(corpus.heldOut);
    AtomicFile heldOut(folder + "/heldout.txt");
    heldOut.write(std::as_bytes(std::span(heldOutText)));
    heldOut.commit();

    for (size_t e = 0; e < result.epochLoss.size(); ++e)
        std::printf("epoch %zu    mean loss %.4f over %ld tokens\n", e + 1, result.epochLoss[e], result.trainTokens);
    std::printf("trained   held-out perplexity %.4f (mean NLL %.6f) after %ld steps in %.0f s\nsaved     %s\n",
                result.heldOut.perplexity(), result.heldOut.meanNll, result.steps, seconds, folder.c_str());
    return verify(folder, heldOutText, result) ? kOk : kFailed;
}

} // namespace sculpt::cli
