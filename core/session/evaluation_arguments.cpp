#include "session/evaluation_arguments.h"

namespace sculpt {

std::vector<std::string> evaluationArguments(const std::string &model, const EvaluationRequest &request)
{
    std::vector<std::string> args = {model};
    const auto add = [&](const char *option, const std::string &value) {
        if (!value.empty())
            args.insert(args.end(), {option, value});
    };
    const auto addCount = [&](const char *option, long value) {
        if (value >= 1)
            args.insert(args.end(), {option, std::to_string(value)});
    };
    if (request.isPerplexity()) {
        add("--text", request.text);
        add("--tokenizer", request.tokenizer);
        addCount("--max-docs", request.maxDocuments);
    } else if (!request.questions.empty()) {
        add("--vqa", request.questions);
        add("--tokenizer", request.tokenizer);
        args.insert(args.end(), {"--max-tokens", std::to_string(request.maxAnswerTokens)});
        addCount("--limit", request.limit);
    } else {
        add("--images", request.images);
        add("--labels", request.labels);
        add("--config", request.config);
        addCount("--limit", request.limit);
    }
    add("--adapters", request.adapters);
    if (request.device != "cpu")
        add("--device", request.device);
    return args;
}

} // namespace sculpt
