#include "runtime/llava_training.h"

#include "data/fashion_questions.h"
#include "data/image_processor.h"
#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"
#include "io/hf_folder.h"
#include "io/mapped_file.h"
#include "runtime/compute_threads.h"
#include "runtime/families/llava/llava.h"
#include "runtime/demo_folder.h"
#include "runtime/learning_rate.h"
#include "runtime/tokenizer.h"
#include "runtime/vision_prompt.h"
#include "runtime/weights.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <random>
#include <stdexcept>

namespace sculpt {
namespace {

constexpr int64_t kSkipped = -100; // a position the loss does not score
constexpr const char *kEmbedding = "model.embed_tokens.weight";
constexpr const char *kHead = "lm_head.weight";

// The tower's tensors from the classifier, the decoder's from the LLaMA, the projector fresh.
// The vocabulary's new last id, the image token, gets a row of zeros in the embedding (and
// head): its slots always take image features, and a zero logit never beats a trained answer.
class GraftedWeights : public WeightSource {
public:
    GraftedWeights(const Checkpoint &tower, const Checkpoint &decoder)
        : WeightSource(torch::kCPU), tower_(tower, torch::kCPU), decoder_(decoder, torch::kCPU), fresh_(torch::kCPU)
    {
    }
    torch::Tensor tensor(const std::string &name, const std::vector<int64_t> &shape, const Init &init) const override
    {
        if (name.starts_with(kLlavaProjectorIn) || name.starts_with(kLlavaProjectorOut))
            return fresh_.tensor(name, shape, init);
        if (name != kEmbedding && name != kHead)
            return source(name).tensor(name, shape, init);
        const torch::Tensor stored = decoder_.tensor(name, {shape[0] - 1, shape[1]}, init);
        return torch::cat({stored, torch::zeros({1, shape[1]}, stored.options())});
    }
    bool has(const std::string &name) const override { return source(name).has(name); }
    const CheckpointWeights *checkpointOf(const std::string &name) const override
    {
        return source(name).checkpointOf(name);
    }
    std::optional<Linear::Factors> factors(const std::string &, int64_t, int64_t) const override
    {
        return std::nullopt; // both models are dense, as training leaves them
    }

private:
    const WeightSource &source(const std::string &name) const
    {
        return name.starts_with("vit.") ? static_cast<const WeightSource &>(tower_) : decoder_;
    }
    CheckpointWeights tower_, decoder_;
    FreshWeights fresh_;
};

std::string configText(const Checkpoint &checkpoint)
{
    const auto it = checkpoint.metadata().find(kConfigKey);
    if (it == checkpoint.metadata().end())
        throw FileError(checkpoint.path(), "no config.json: the demo is made from Hugging Face folders");
    return it->second;
}

// The LLaVA the two models make, and the config.json and preprocessor_config.json that say
// so: the tower's config as a ViTModel's (its labels gone), its last block's every token
// projected, images resized to the tower's side and normalised as it was trained.
LlavaConfig configFor(const Checkpoint &tower, const Checkpoint &decoder)
{
    LlavaConfig c;
    c.vision = readVitConfig(tower);
    if (c.vision.labels == 0 || !(c.vision.names == hfVitNames()) || c.vision.classifierHidden > 0)
        throw FileError(tower.path(), "not a Hugging Face ViT classifier with a one-layer head");
    c.vision.labels = 0;
    c.vision.labelNames.clear();
    c.text = readLlamaConfig(decoder);
    c.imageToken = c.text.vocab;
    c.text.vocab += 1;
    c.featureLayer = c.vision.layers - 1;
    c.dropFirstToken = false;
    c.projectorActivation = VitActivation::Gelu;
    c.projectorBias = true;

    nlohmann::ordered_json vision = nlohmann::ordered_json::parse(configText(tower));
    for (const char *key : {"architectures", "id2label", "label2id"})
        vision.erase(key);
    const nlohmann::ordered_json config = {
        {"architectures", {"LlavaForConditionalGeneration"}},
        {"model_type", "llava"},
        {"image_token_index", c.imageToken},
        {"projector_hidden_act", "gelu"},
        {"vision_feature_layer", -1},
        {"vision_feature_select_strategy", "full"},
        {"vision_config", vision},
        {"text_config", nlohmann::ordered_json::parse(hfConfigJson(c.text))},
    };
    c.json = config.dump(2);
    const nlohmann::ordered_json processor = {
        {"do_resize", true},
        {"size", {{"height", c.vision.imageSize}, {"width", c.vision.imageSize}}},
        {"resample", int(Resample::Bilinear)},
        {"do_center_crop", false},
        {"do_rescale", true},
        {"rescale_factor", c.vision.rescale},
        {"do_normalize", true},
        {"image_mean", c.vision.mean},
        {"image_std", c.vision.std},
    };
    c.processorJson = processor.dump(2);
    return c;
}

// One training question as generation will meet it: the prompt visionPrompt makes, then the
// answer's tokens and EOS, which alone are scored.
struct Example {
    std::vector<int32_t> tokens;
    std::vector<float> pixels;
    size_t answerFrom = 0;
};

class Examples {
public:
    Examples(const IdxImages &images, std::span<const uint8_t> labels, const Tokenizer &tokenizer,
             const ImagePrompt &format, const ImageProcessorConfig &processor, uint64_t seed)
        : images_(images), labels_(labels), tokenizer_(tokenizer), format_(format), processor_(processor),
          order_(size_t(images.count) * kPerImage)
    {
        std::iota(order_.begin(), order_.end(), size_t(0));
        std::mt19937_64 random(seed);
        std::shuffle(order_.begin(), order_.end(), random);
    }
    size_t size() const { return order_.size(); }

    Example operator[](size_t drawn) const
    {
        const size_t pair = order_[drawn % order_.size()], image = pair / kPerImage;
        const TemplatedQuestion q = fashionQuestions(labels_[image])[pair % kPerImage];
        const std::span<const uint8_t> grey = images_.image(int64_t(image));
        RgbImage rgb{images_.cols, images_.rows, {}};
        for (const uint8_t v : grey)
            rgb.pixels.insert(rgb.pixels.end(), 3, v);
        VisionPrompt prompt = visionPrompt(tokenizer_, format_, processor_, q.question, {rgb});
        Example e{std::move(prompt.tokens), std::move(prompt.pixels), 0};
        e.answerFrom = e.tokens.size();
        for (const int32_t id : tokenizer_.encode(q.answer, false))
            e.tokens.push_back(id);
        e.tokens.push_back(tokenizer_.eos());
        return e;
    }

private:
    static constexpr size_t kPerImage = 3; // fashionQuestions' count
    const IdxImages &images_;
    std::span<const uint8_t> labels_;
    const Tokenizer &tokenizer_;
    ImagePrompt format_;
    ImageProcessorConfig processor_;
    std::vector<size_t> order_;
};

// Examples as one batch: rows padded at the end with EOS, which nothing before them sees.
ModelInput batchOf(const std::vector<Example> &examples, const ImagePrompt &format, int32_t pad, torch::Tensor &labels)
{
    const int64_t b = int64_t(examples.size());
    size_t longest = 0;
    for (const Example &e : examples)
        longest = std::max(longest, e.tokens.size());
    const int64_t t = int64_t(longest);
    torch::Tensor tokens = torch::full({b, t}, int64_t(pad), torch::kLong);
    labels = torch::full({b, t}, kSkipped, torch::kLong);
    torch::Tensor pixels = torch::empty({b, format.channels, format.size, format.size});
    for (int64_t r = 0; r < b; ++r) {
        const Example &e = examples[size_t(r)];
        for (size_t i = 0; i < e.tokens.size(); ++i) {
            tokens[r][int64_t(i)] = e.tokens[i];
            if (i >= e.answerFrom)
                labels[r][int64_t(i)] = e.tokens[i];
        }
        std::copy(e.pixels.begin(), e.pixels.end(), pixels[r].data_ptr<float>());
    }
    ModelInput input = ModelInput::ofTokens(tokens);
    input.pixels = pixels;
    return input;
}

// Next-token cross-entropy over the answers' tokens alone.
torch::Tensor answerLoss(const torch::Tensor &logits, const torch::Tensor &labels)
{
    const int64_t t = logits.size(1), vocab = logits.size(2);
    return torch::nn::functional::cross_entropy(
        logits.narrow(1, 0, t - 1).reshape({-1, vocab}), labels.narrow(1, 1, t - 1).reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kSkipped));
}

struct Stage {
    const char *name;
    long steps;
    double rate;
    std::vector<torch::Tensor> parameters;
};

} // namespace

LlavaTrainingResult trainLlava(const IdxImages &images, std::span<const uint8_t> labels,
                               const LlavaTrainingOptions &o, const std::string &folder, const JobContext &job)
{
    if (o.batch < 1 || o.projectorSteps < 0 || o.decoderSteps < 0 || o.projectorSteps + o.decoderSteps < 1)
        throw std::invalid_argument("LLaVA training takes a batch of at least one question and at least one step");
    if (images.count < 1 || int64_t(labels.size()) != images.count)
        throw std::invalid_argument(std::to_string(images.count) + " images with " + std::to_string(labels.size()) +
                                    " labels");
    const std::unique_ptr<Checkpoint> tower = openCheckpoint(o.tower), decoder = openCheckpoint(o.decoder);
    const std::string tokenizerFile = findTokenizer(o.decoder, readLlamaConfig(*decoder).vocab);
    const std::unique_ptr<Tokenizer> tokenizer = openTokenizer(tokenizerFile);
    const LlavaConfig config = configFor(*tower, *decoder);
    if (images.rows != config.vision.imageSize || images.cols != config.vision.imageSize)
        throw std::invalid_argument("the images are " + std::to_string(images.cols) + "×" + std::to_string(images.rows) +
                                    ", the tower's " + std::to_string(config.vision.imageSize) + " a side");

    setComputeThreads(o.threads);
    torch::manual_seed(o.seed);
    Llava model(GraftedWeights(*tower, *decoder), config);
    const ImagePrompt format = *model.imagePrompt();
    const Examples examples(images, labels, *tokenizer, format,
                            parseImageProcessorConfig(config.processorJson, folder + "/preprocessor_config.json"), o.seed);

    std::vector<torch::Tensor> projector, decoderToo;
    for (auto &[name, tensor] : model.parameters()) {
        if (name.starts_with("vit."))
            continue;
        (name.starts_with("multi_modal_projector.") ? projector : decoderToo).push_back(tensor);
    }
    decoderToo.insert(decoderToo.end(), projector.begin(), projector.end());
    const Stage stages[] = {{"projector", o.projectorSteps, o.projectorRate, projector},
                            {"projector and decoder", o.decoderSteps, o.decoderRate, decoderToo}};

    LlavaTrainingResult result;
    const long total = o.projectorSteps + o.decoderSteps;
    const auto started = std::chrono::steady_clock::now();
    size_t drawn = 0;
    for (const Stage &stage : stages) {
        for (const torch::Tensor &p : stage.parameters)
            p.requires_grad_(true);
        torch::optim::AdamW optimizer(stage.parameters, torch::optim::AdamWOptions(stage.rate).weight_decay(0));
        double sum = 0, finalSum = 0;
        const long finalFrom = stage.steps - std::max(1L, stage.steps / 10);
        for (long step = 0; step < stage.steps; ++step) {
            job.checkCancelled();
            setLearningRate(optimizer, warmupCosineRate(stage.rate, step, stage.steps));
            std::vector<Example> batch;
            for (int64_t i = 0; i < o.batch; ++i)
                batch.push_back(examples[drawn++]);
            torch::Tensor targets;
            const ModelInput input = batchOf(batch, format, tokenizer->eos(), targets);
            const torch::Tensor loss = answerLoss(model.forward(input).logits, targets);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            const double value = loss.item<double>();
            sum += value;
            if (step >= finalFrom)
                finalSum += value;
            ++result.steps;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            char message[96];
            std::snprintf(message, sizeof message, "%s, loss %.4f", stage.name, value);
            job.report(result.steps, total, message, elapsed / double(result.steps) * double(total - result.steps));
        }
        for (const torch::Tensor &p : stage.parameters)
            p.requires_grad_(false);
        result.stageLoss.push_back(stage.steps ? sum / double(stage.steps) : 0);
        result.finalLoss.push_back(stage.steps ? finalSum / double(stage.steps - finalFrom) : 0);
    }
    result.questions = long(std::min(drawn, examples.size()));

    const Example probe = examples[0];
    result.probeTokens.assign(probe.tokens.begin(), probe.tokens.begin() + long(probe.answerFrom));
    result.probePixels = probe.pixels;
    {
        torch::NoGradGuard noGrad;
        torch::Tensor unused;
        Example prompt = probe;
        prompt.tokens.resize(prompt.answerFrom);
        const torch::Tensor logits = model.forward(batchOf({prompt}, format, tokenizer->eos(), unused)).logits[0][-1];
        result.probeLogits.assign(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    }
    const auto tokenizerBytes = MappedFile::open(tokenizerFile);
    writeDemoFolder(model, folder,
                    {{"tokenizer.model", std::string(reinterpret_cast<const char *>(tokenizerBytes->data()),
                                                     tokenizerBytes->size())}});
    return result;
}

} // namespace sculpt
