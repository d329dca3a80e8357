#include "records/vision_language_run.h"

#include <algorithm>
#include <cmath>

namespace sculpt {

std::vector<Evaluation> answerAccuracies(const VisionLanguageRun &run)
{
    std::vector<Evaluation> evaluations;
    for (const VisionLanguageAnswers &m : run.models) {
        const double accuracy = m.accuracy();
        if (std::isnan(accuracy))
            continue;
        Evaluation e;
        e.metric = "answer accuracy";
        e.value = accuracy;
        e.counted = "questions";
        e.count = std::count_if(m.correct.begin(), m.correct.end(), [](int64_t c) { return c >= 0; });
        e.data = run.data;
        e.settings = {{"model", m.name}, {"model_path", m.path}, {"max_answer_tokens", std::to_string(run.maxTokens)}};
        e.details = {{"correct", double(std::count(m.correct.begin(), m.correct.end(), 1))},
                     {"seconds_per_answer", m.meanSeconds()}};
        if (const double gflops = m.meanGflops(); !std::isnan(gflops))
            e.details["decoder_gflops_per_answer"] = gflops;
        e.date = run.date;
        e.seconds = run.seconds;
        evaluations.push_back(std::move(e));
    }
    return evaluations;
}

} // namespace sculpt
