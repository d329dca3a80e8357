#include "compress/calibration.h"

#include "compress/pass.h"
#include "data/idx.h"
#include "data/text.h"
#include "runtime/families/layout/noised_pages.h"
#include "runtime/tokenizer.h"
#include "runtime/vision_prompt.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

namespace sculpt {
namespace {

Calibration textBatches(const CausalModel &model, const CalibrationData &data)
{
    const std::vector<std::string_view> documents = splitDocuments(data.text);
    if (documents.empty())
        throw std::invalid_argument("the calibration text has no document");
    Calibration calibration(ModelKind::Language);
    const size_t first = documents.size() - std::min(documents.size(), size_t(std::max(data.count, 1L)));
    for (size_t d = first; d < documents.size(); ++d) {
        std::vector<int32_t> ids = data.tokenizer->encode(documents[d], true);
        if (int64_t(ids.size()) > model.contextLength())
            ids.resize(size_t(model.contextLength()));
        if (ids.size() < 2)
            continue;
        for (const int32_t id : ids)
            if (id >= model.vocabSize())
                throw std::invalid_argument("the tokenizer gives id " + std::to_string(id) +
                                            ", outside the model's vocabulary of " + std::to_string(model.vocabSize()));
        const torch::Tensor tokens =
            torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kInt64).to(model.device()).unsqueeze(0);
        calibration.batches.push_back({ModelInput::ofTokens(tokens), {}});
    }
    if (calibration.empty())
        throw std::invalid_argument("the calibration documents are too short to predict a token");
    return calibration;
}

// One batch per question: its prompt as generation makes it, then the answer and EOS, which
// alone are labelled (−100 elsewhere, as transformers labels what it does not score).
Calibration questionBatches(const CausalModel &model, const CalibrationData &data)
{
    const std::optional<ImagePrompt> format = model.imagePrompt();
    if (!format)
        throw std::invalid_argument("a " + model.family() + " model reads no images: calibrate it on text");
    const ImageProcessorConfig processor = imageProcessorFor(data.modelPath, *format);
    const Tokenizer &tokenizer = *data.tokenizer;
    Calibration calibration(ModelKind::Language);
    calibration.imageToken = format->token;
    const size_t n = std::min(data.questions.size(), size_t(std::max(data.count, 1L)));
    for (size_t q = 0; q < n; ++q) {
        const ImageQuestion &question = data.questions[q];
        VisionPrompt prompt = visionPrompt(tokenizer, *format, processor, question.question, {question.image});
        std::vector<int64_t> tokens(prompt.tokens.begin(), prompt.tokens.end());
        std::vector<int64_t> labels(tokens.size(), kUnlabelled);
        for (const int32_t id : tokenizer.encode(question.answer, false))
            tokens.push_back(id), labels.push_back(id);
        if (tokenizer.eos() >= 0)
            tokens.push_back(tokenizer.eos()), labels.push_back(tokenizer.eos());
        if (labels.back() == kUnlabelled)
            continue; // an empty answer, and no EOS to learn in its place
        if (int64_t(tokens.size()) > model.contextLength())
            throw std::invalid_argument("question " + std::to_string(q + 1) + " with its image and answer takes " +
                                        std::to_string(tokens.size()) + " tokens, past the model's context of " +
                                        std::to_string(model.contextLength()));
        for (const int64_t id : tokens)
            if (id >= model.vocabSize())
                throw std::invalid_argument("the tokenizer gives id " + std::to_string(id) +
                                            ", outside the model's vocabulary of " + std::to_string(model.vocabSize()));
        const torch::Device device = model.device();
        ModelInput input = ModelInput::ofTokens(torch::tensor(tokens, torch::kInt64).to(device).unsqueeze(0));
        input.pixels = torch::from_blob(prompt.pixels.data(), {1, format->channels, format->size, format->size}, torch::kFloat32)
                           .clone()
                           .to(device);
        calibration.batches.push_back({std::move(input), torch::tensor(labels, torch::kInt64).to(device).unsqueeze(0)});
    }
    if (calibration.empty())
        throw std::invalid_argument("no calibration question has an answer to learn");
    return calibration;
}

Calibration imageBatches(const VisionModel &model, const CalibrationData &data)
{
    const IdxImages &images = *data.images;
    const int64_t size = model.imageFormat().size;
    if (images.rows != size || images.cols != size)
        throw std::invalid_argument("the calibration images are " + std::to_string(images.rows) + "×" +
                                    std::to_string(images.cols) + " pixels but the model takes " + std::to_string(size) +
                                    "×" + std::to_string(size));
    if (!data.labels.empty() && int64_t(data.labels.size()) != images.count)
        throw std::invalid_argument("not one calibration label per image");
    const int64_t n = std::min<int64_t>(images.count, std::max(data.count, 1L));
    if (n == 0)
        throw std::invalid_argument("the calibration set holds no images");
    Calibration calibration(ModelKind::Vision);
    const int64_t area = size * size;
    for (int64_t first = 0; first < n; first += Calibration::kImagesPerBatch) {
        const int64_t count = std::min(Calibration::kImagesPerBatch, n - first);
        CalibrationBatch batch{ModelInput::ofPixels(model.pixels(images.pixels.data() + first * area,
                                                                 size_t(count * area), count)),
                               {}};
        if (!data.labels.empty()) {
            std::vector<int64_t> labels(data.labels.begin() + first, data.labels.begin() + first + count);
            for (const int64_t l : labels)
                if (l >= model.classes())
                    throw std::invalid_argument("calibration label " + std::to_string(l) + " is not one of the model's " +
                                                std::to_string(model.classes()) + " classes");
            batch.labels = torch::tensor(labels, torch::kInt64).to(model.device());
        }
        calibration.batches.push_back(std::move(batch));
    }
    return calibration;
}

// The first data.count pages the model reads, batched by panel count so that no padding token
// — which the model computes but nothing reads — enters a site's statistics. The steps and the
// noise come from a fixed seed: the same pages calibrate the same way every time.
Calibration layoutBatches(const LayoutModel &model, const CalibrationData &data)
{
    const LayoutConfig &config = model.layoutConfig();
    std::vector<Page> pages;
    for (const Page &page : *data.pages) {
        if (int64_t(pages.size()) == std::max(data.count, 1L))
            break;
        if (modelReads(page, config.maxPanels))
            pages.push_back(page);
    }
    if (pages.empty())
        throw std::invalid_argument("no calibration page has 1 to " + std::to_string(config.maxPanels) + " panels");
    const PageTensors all = pageTensors(pages, config.maxPanels);
    const int64_t levels = kCalibrationNoiseLevels;
    std::map<int64_t, std::vector<int64_t>> byCount; // panel count → page × levels + level
    for (int64_t p = 0; p < all.count; ++p)
        for (int64_t level = 0; level < levels; ++level)
            byCount[int64_t(pages[size_t(p)].panels.size())].push_back(p * levels + level);

    at::Generator generator = at::detail::createCPUGenerator(0);
    const std::vector<double> alphaList = cumulativeAlphas(config);
    const torch::Tensor alphas = torch::tensor(alphaList).to(torch::kFloat32);
    const torch::Device device = model.device();
    Calibration calibration(ModelKind::Layout);
    for (const auto &[count, rows] : byCount)
        for (size_t first = 0; first < rows.size(); first += size_t(Calibration::kImagesPerBatch)) {
            const size_t n = std::min(rows.size() - first, size_t(Calibration::kImagesPerBatch));
            const torch::Tensor row = torch::tensor(std::vector<int64_t>(rows.begin() + long(first), rows.begin() + long(first + n)));
            const torch::Tensor page = row.div(levels, "floor"), level = row.remainder(levels);
            const torch::Tensor stretch = torch::rand({int64_t(n)}, generator, torch::kFloat64);
            const torch::Tensor timesteps =
                ((level.to(torch::kFloat64) + stretch) * double(config.timesteps) / double(levels)).floor().to(torch::kInt64);
            const torch::Tensor noise = torch::randn({int64_t(n), count, 4}, generator, torch::kFloat32);
            const ModelInput input =
                noisedPages(all.boxes.index_select(0, page).narrow(1, 0, count), all.panels.index_select(0, page).narrow(1, 0, count),
                            all.aspect.index_select(0, page), timesteps.clamp_max(config.timesteps - 1), noise, alphas);
            calibration.batches.push_back({ModelInput::ofLayouts(input.boxes.to(device), input.panels.to(device),
                                                                 input.timesteps.to(device), input.aspect.to(device)),
                                           noise.to(device)});
        }
    return calibration;
}

} // namespace

Calibration makeCalibration(const Model &model, const CalibrationData &data)
{
    if (model.kind() == ModelKind::Language) {
        if ((data.text.empty() && data.questions.empty()) || !data.tokenizer)
            throw std::invalid_argument("a language model calibrates on text with its tokenizer");
        if (!data.questions.empty())
            return questionBatches(static_cast<const CausalModel &>(model), data);
        return textBatches(static_cast<const CausalModel &>(model), data);
    }
    if (model.kind() == ModelKind::Layout) {
        if (!data.pages)
            throw std::invalid_argument("a layout model calibrates on annotated pages");
        return layoutBatches(static_cast<const LayoutModel &>(model), data);
    }
    if (!data.images)
        throw std::invalid_argument("a vision model calibrates on images");
    return imageBatches(static_cast<const VisionModel &>(model), data);
}

torch::Tensor Calibration::taskLoss(const torch::Tensor &logits, const CalibrationBatch &batch) const
{
    if (kind_ == ModelKind::Language) {
        const torch::Tensor &tokens = batch.input.tokens; // [1, T]
        torch::Tensor targets = batch.labels.defined() ? batch.labels : tokens;
        if (logits.size(1) != targets.size(1)) // the image tokens are not among the positions it ran
            targets = targets.masked_select(tokens.ne(imageToken)).view({tokens.size(0), -1});
        const int64_t t = targets.size(1);
        return torch::nn::functional::cross_entropy(
            logits[0].narrow(0, 0, t - 1), targets[0].narrow(0, 1, t - 1),
            torch::nn::functional::CrossEntropyFuncOptions().ignore_index(kUnlabelled));
    }
    if (kind_ == ModelKind::Layout)
        return noisePredictionLoss(logits, batch.labels, batch.input.panels);
    if (!batch.labels.defined())
        throw std::invalid_argument("a loss on images needs their labels");
    return torch::nn::functional::cross_entropy(logits, batch.labels);
}

torch::Tensor Calibration::teacherTargets(const torch::Tensor &logits) const
{
    return kind_ == ModelKind::Layout ? logits : logits.log_softmax(-1);
}

torch::Tensor Calibration::distillationLoss(const torch::Tensor &teacher, const torch::Tensor &studentLogits,
                                            const CalibrationBatch &batch) const
{
    if (kind_ == ModelKind::Layout)
        return noisePredictionLoss(studentLogits, teacher, batch.input.panels);
    return distillation(teacher, studentLogits, batch.input.documents);
}

torch::Tensor distillation(const torch::Tensor &teacherLogProbs, const torch::Tensor &studentLogits,
                           const torch::Tensor &documents)
{
    const torch::Tensor student = studentLogits.log_softmax(-1);
    const torch::Tensor kl = (teacherLogProbs.exp() * (teacherLogProbs - student)).sum(-1);
    if (!documents.defined())
        return kl.mean();
    // Gathered, not multiplied by a mask: nothing a padding position computes reaches the loss.
    const torch::Tensor counted = documents.ge(0).nonzero();
    const torch::Tensor ids = documents.index({counted.select(1, 0), counted.select(1, 1)});
    const torch::Tensor values = kl.index({counted.select(1, 0), counted.select(1, 1)});
    const int64_t count = documents.max().item<int64_t>() + 1;
    const torch::Tensor sums = torch::zeros({count}, values.options()).index_add(0, ids, values);
    const torch::Tensor lengths = torch::bincount(ids, {}, count).to(values.scalar_type());
    const torch::Tensor present = lengths.gt(0);
    return (sums.masked_select(present) / lengths.masked_select(present)).mean();
}

StackedBatches::StackedBatches(const std::vector<const CalibrationBatch *> &batches)
{
    if (batches.empty())
        throw std::invalid_argument("no calibration batch to stack");
    count_ = batches.size();
    if (batches.front()->isImageQuestion()) {
        stackQuestions(batches);
        return;
    }
    if (batches.front()->input.boxes.defined()) {
        stackLayouts(batches);
        return;
    }
    if (!batches.front()->input.tokens.defined()) {
        std::vector<torch::Tensor> pixels, labels;
        for (const CalibrationBatch *b : batches) {
            pixels.push_back(b->input.pixels);
            if (b->labels.defined())
                labels.push_back(b->labels);
        }
        batch_.input = ModelInput::ofPixels(torch::cat(pixels, 0));
        if (labels.size() == batches.size())
            batch_.labels = torch::cat(labels, 0);
        return;
    }
    // First fit, longest first: few rows, little padding, and no row longer than a document the
    // model already takes.
    std::vector<size_t> order(batches.size());
    std::iota(order.begin(), order.end(), 0);
    const auto length = [&](size_t i) { return batches[i]->input.tokens.size(1); };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return length(a) > length(b); });
    columns_ = length(order.front());
    std::vector<int64_t> filled;
    places_.resize(batches.size());
    for (const size_t i : order) {
        if (batches[i]->input.tokens.size(0) != 1)
            throw std::invalid_argument("text calibration batches are stacked one document each");
        size_t row = 0;
        while (row < filled.size() && filled[row] + length(i) > columns_)
            ++row;
        if (row == filled.size())
            filled.push_back(0);
        places_[i] = {int64_t(row), filled[row]};
        filled[row] += length(i);
    }
    rows_ = int64_t(filled.size());
    const torch::Tensor &first = batches.front()->input.tokens;
    torch::Tensor tokens = torch::zeros({rows_, columns_}, first.options());
    torch::Tensor documents = torch::full({rows_, columns_}, -1, first.options());
    for (size_t i = 0; i < batches.size(); ++i) {
        const int64_t n = length(i);
        tokens[places_[i].row].narrow(0, places_[i].column, n).copy_(batches[i]->input.tokens[0]);
        documents[places_[i].row].narrow(0, places_[i].column, n).fill_(int64_t(i));
    }
    batch_.input = ModelInput::ofTokens(tokens, documents);
}

void StackedBatches::stackQuestions(const std::vector<const CalibrationBatch *> &batches)
{
    rows_ = int64_t(batches.size());
    for (const CalibrationBatch *b : batches) {
        if (!b->isImageQuestion())
            throw std::invalid_argument("image questions are stacked with image questions only");
        columns_ = std::max(columns_, b->input.tokens.size(1));
    }
    // Each question its own row, its images in the row's order as the prompt places them;
    // padding repeats the first token (BOS), never an image token, and belongs to no document.
    const torch::Tensor &first = batches.front()->input.tokens;
    torch::Tensor tokens = torch::full({rows_, columns_}, first[0][0].item<int64_t>(), first.options());
    torch::Tensor documents = torch::full({rows_, columns_}, -1, first.options());
    torch::Tensor labels = torch::full({rows_, columns_}, kUnlabelled, first.options());
    std::vector<torch::Tensor> pixels;
    for (int64_t r = 0; r < rows_; ++r) {
        const CalibrationBatch &b = *batches[size_t(r)];
        const int64_t n = b.input.tokens.size(1);
        tokens[r].narrow(0, 0, n).copy_(b.input.tokens[0]);
        documents[r].narrow(0, 0, n).fill_(r);
        labels[r].narrow(0, 0, n).copy_(b.labels[0]);
        pixels.push_back(b.input.pixels);
        places_.push_back({r, 0});
    }
    batch_.input = ModelInput::ofTokens(tokens, documents);
    batch_.input.pixels = torch::cat(pixels, 0);
    batch_.labels = labels;
}

namespace {

// `t` [B, P, …] with zeros after its P tokens up to `tokens`: padding, which no panel attends to.
torch::Tensor padPanels(const torch::Tensor &t, int64_t tokens)
{
    if (t.size(1) == tokens)
        return t;
    std::vector<int64_t> shape = t.sizes().vec();
    shape[1] = tokens - t.size(1);
    return torch::cat({t, torch::zeros(shape, t.options())}, 1);
}

} // namespace

void StackedBatches::stackLayouts(const std::vector<const CalibrationBatch *> &batches)
{
    for (const CalibrationBatch *b : batches) {
        if (!b->input.boxes.defined())
            throw std::invalid_argument("noised pages are stacked with noised pages only");
        panelTokens_ = std::max(panelTokens_, b->input.boxes.size(1));
    }
    std::vector<torch::Tensor> boxes, panels, timesteps, aspect, labels;
    for (const CalibrationBatch *b : batches) {
        boxes.push_back(padPanels(b->input.boxes, panelTokens_));
        panels.push_back(padPanels(b->input.panels, panelTokens_));
        timesteps.push_back(b->input.timesteps);
        aspect.push_back(b->input.aspect);
        labels.push_back(padPanels(b->labels, panelTokens_));
    }
    batch_.input = ModelInput::ofLayouts(torch::cat(boxes), torch::cat(panels), torch::cat(timesteps), torch::cat(aspect));
    batch_.labels = torch::cat(labels);
}

torch::Tensor StackedBatches::stack(const std::vector<torch::Tensor> &outputs) const
{
    if (outputs.size() != count_)
        throw std::invalid_argument("not one output per stacked batch");
    if (panelTokens_ > 0) {
        std::vector<torch::Tensor> padded;
        for (const torch::Tensor &o : outputs)
            padded.push_back(padPanels(o, panelTokens_));
        return torch::cat(padded, 0);
    }
    if (places_.empty())
        return torch::cat(outputs, 0);
    std::vector<int64_t> shape = outputs.front().sizes().vec();
    shape[0] = rows_;
    shape[1] = columns_;
    torch::Tensor stacked = torch::zeros(shape, outputs.front().options());
    for (size_t i = 0; i < outputs.size(); ++i)
        stacked[places_[i].row].narrow(0, places_[i].column, outputs[i].size(1)).copy_(outputs[i][0]);
    return stacked;
}

std::vector<InputStatistics> collectInputStatistics(Model &model, const std::vector<LinearSite> &sites,
                                                    const Calibration &calibration, const JobContext &job)
{
    torch::NoGradGuard noGrad;
    std::vector<InputStatistics> stats(sites.size());
    for (size_t i = 0; i < sites.size(); ++i) {
        const int64_t in = sites[i].linear->inFeatures();
        const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(model.device());
        stats[i] = {torch::zeros({in, in}, f64), torch::zeros({in}, f64), 0};
        sites[i].linear->observeInputs([&s = stats[i]](const torch::Tensor &x) {
            const torch::Tensor rows = x.reshape({-1, x.size(-1)}).to(torch::kFloat64);
            s.gram.addmm_(rows.t(), rows);
            s.meanAbs.add_(rows.abs().sum(0));
            s.rows += rows.size(0);
        });
    }
    try {
        for (size_t n = 0; n < calibration.batches.size(); ++n) {
            job.checkCancelled();
            job.report(long(n), long(calibration.batches.size()), "calibration statistics");
            model.forward(calibration.batches[n].input);
        }
    } catch (...) {
        for (const LinearSite &s : sites)
            s.linear->observeInputs({});
        throw;
    }
    for (size_t i = 0; i < sites.size(); ++i) {
        sites[i].linear->observeInputs({});
        stats[i].meanAbs /= double(std::max<int64_t>(stats[i].rows, 1));
    }
    return stats;
}

torch::Tensor choleskyWhitening(const torch::Tensor &gram, double jitter)
{
    const double scale = std::max(gram.diagonal().mean().item<double>(), 1e-30);
    const torch::Tensor identity = torch::eye(gram.size(0), gram.options());
    for (double added = 0; added < 1e6 * scale; added = added == 0 ? jitter * scale : added * 2) {
        auto [factor, info] = torch::linalg_cholesky_ex(gram + added * identity, false, false);
        if (info.item<int64_t>() == 0)
            return factor;
    }
    throw std::runtime_error("the input covariance is not positive definite even with jitter");
}

std::vector<torch::Tensor> fisherInformation(Model &model, const std::vector<LinearSite> &sites,
                                             const Calibration &calibration, const JobContext &job)
{
    // weight() of a dense site is the model's own tensor: its gradient is the one wanted.
    std::vector<torch::Tensor> weights, fisher;
    for (const LinearSite &s : sites) {
        weights.push_back(s.linear->weight());
        fisher.push_back(torch::zeros_like(weights.back(), torch::kFloat64));
    }
    for (torch::Tensor &w : weights)
        w.requires_grad_(true);
    try {
        for (size_t n = 0; n < calibration.batches.size(); ++n) {
            job.checkCancelled();
            job.report(long(n), long(calibration.batches.size()), "Fisher information");
            const CalibrationBatch &batch = calibration.batches[n];
            const std::vector<torch::Tensor> grads =
                torch::autograd::grad({calibration.taskLoss(model.forward(batch.input).logits, batch)}, weights);
            for (size_t i = 0; i < grads.size(); ++i)
                fisher[i].add_(grads[i].to(torch::kFloat64).square());
        }
    } catch (...) {
        for (torch::Tensor &w : weights)
            w.requires_grad_(false);
        throw;
    }
    for (torch::Tensor &w : weights)
        w.requires_grad_(false);
    return fisher;
}

} // namespace sculpt
