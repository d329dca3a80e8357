#include "session/vision_language.h"

#include "compress/compressed_model.h"
#include "data/vision_language_images.h"
#include "io/formats.h"
#include "runtime/image_answers.h"
#include "runtime/language_model.h"
#include "runtime/model_kind.h"
#include "runtime/model_tokenizer.h"
#include "runtime/vision_prompt.h"

#include <chrono>
#include <map>
#include <stdexcept>

namespace sculpt {

std::vector<VisionLanguageModel> loadVisionLanguageModels(const std::vector<VisionLanguageSource> &sources,
                                                          const JobContext &job,
                                                          const std::function<void(const std::string &)> &log)
{
    std::vector<VisionLanguageModel> models;
    for (const VisionLanguageSource &source : sources) {
        job.checkCancelled();
        const auto checkpoint = openCheckpoint(source.path);
        ModelTokenizer tokenizer = openModelTokenizer(*checkpoint, source.tokenizer, "choose one");
        VisionLanguageModel m{source.name, source.path, nullptr, std::move(tokenizer.tokenizer), {}};
        if (source.inMemory) {
            // The pass's own model, kept alive by the result that holds it.
            m.model = std::shared_ptr<const LanguageModel>(source.inMemory, source.inMemory->languageModel());
        } else {
            if (!readsImages(*checkpoint))
                throw std::invalid_argument(source.path + " reads no images: the view compares models that do");
            log("loading " + source.name + " from " + source.path);
            m.model = LanguageModel::load(*checkpoint);
        }
        const std::optional<ImagePrompt> format = m.model ? m.model->imagePrompt() : std::optional<ImagePrompt>();
        if (!format) // a pass's model in memory may be of another kind
            throw std::invalid_argument(source.name + " reads no images: the view compares models that do");
        m.processor = imageProcessorFor(source.path, *format);
        log(source.name + ": tokenizer " + tokenizer.path);
        models.push_back(std::move(m));
    }
    return models;
}

VisionLanguageRun runVisionLanguage(const std::vector<VisionLanguageModel> &models,
                                    const std::vector<VisionLanguageImage> &images, const std::string &prompt,
                                    long maxTokens, const JobContext &job, const VisionLanguageProgress &progress)
{
    const auto start = std::chrono::steady_clock::now();
    VisionLanguageRun run;
    run.prompt = prompt;
    run.maxTokens = maxTokens;
    run.images = images;
    for (const VisionLanguageModel &m : models)
        run.models.push_back({m.name, m.path, {}, {}, {}, {}});
    std::map<std::string, IdxImages> sets; // each IDX set read once
    const long steps = long(images.size() * models.size());
    for (size_t i = 0; i < images.size(); ++i) {
        const VisionLanguageImage &image = images[i];
        RgbImage pixels;
        if (image.index >= 0) {
            auto set = sets.find(image.file);
            if (set == sets.end())
                set = sets.emplace(image.file, readIdxImages(image.file)).first;
            pixels = idxRgbImage(set->second, image.index);
        } else {
            pixels = readRgbImage(image.file);
        }
        const std::string &question = image.question.empty() ? prompt : image.question;
        for (size_t c = 0; c < models.size(); ++c) {
            job.report(long(i * models.size() + c), steps, "answering");
            const VisionLanguageModel &m = models[c];
            const ImageAnswer a = answerImageQuestion(*m.model, *m.tokenizer, m.processor, pixels, question, maxTokens,
                                                      job, [&](const std::string &text) {
                                                          if (progress.growing)
                                                              progress.growing(c, i, text);
                                                      });
            const int64_t correct = image.scored ? int64_t(answersMatch(a.text, image.references.at(0))) : -1;
            VisionLanguageAnswers &column = run.models[c];
            column.answers.push_back(a.text);
            column.decoderMacs.push_back(a.decoderMacs);
            column.seconds.push_back(a.seconds);
            column.correct.push_back(correct);
            if (progress.answered)
                progress.answered(c, i, a.text, a.decoderMacs, a.seconds, correct);
        }
    }
    job.report(steps, steps, "answered");
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return run;
}

} // namespace sculpt
