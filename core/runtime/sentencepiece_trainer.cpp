// Debian's libsentencepiece_train behind a C entry point: the whole of
// sculpt-sentencepiece-train.so (see sentencepiece_training.h for why it is a module).

#include "runtime/sentencepiece_training.h"

#include <sentencepiece_trainer.h>

#include <exception>

namespace sentencepiece::logging {
// Exported by libsentencepiece but declared in a header Debian does not ship; without it the
// trainer logs every stage to stderr, over the caller's progress bar.
void SetMinLogLevel(int level);
} // namespace sentencepiece::logging

namespace {

class Sentences final : public sentencepiece::SentenceIterator {
public:
    explicit Sentences(const SculptSentencePieceTraining &t) : t_(t) {}
    bool done() const override { return next_ >= t_.count; }
    void Next() override { ++next_; }
    const std::string &value() const override
    {
        current_.assign(t_.sentences[next_], t_.sizes[next_]);
        return current_;
    }
    sentencepiece::util::Status status() const override { return {}; } // ok

private:
    const SculptSentencePieceTraining &t_;
    size_t next_ = 0;
    mutable std::string current_;
};

} // namespace

extern "C" __attribute__((visibility("default"))) void sculpt_sentencepiece_train(const SculptSentencePieceTraining *t)
{
    try { // nothing may unwind into the caller's frames
        constexpr int kErrorsOnly = 2;
        sentencepiece::logging::SetMinLogLevel(kErrorsOnly);
        Sentences sentences(*t);
        std::string model;
        const auto status = sentencepiece::SentencePieceTrainer::Train(t->options, &sentences, &model);
        if (status.ok())
            t->model(t->context, model.data(), model.size());
        else
            t->error(t->context, status.ToString().c_str());
    } catch (const std::exception &e) {
        t->error(t->context, e.what());
    }
}
