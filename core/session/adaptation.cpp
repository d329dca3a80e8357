#include "session/adaptation.h"

#include "adapt/adapter_kinds.h"
#include "adapt/adapters.h"
#include "adapt/expert_routing.h"
#include "adapt/peft.h"
#include "io/checkpoint.h"
#include "io/export_folder.h"
#include "io/joined.h"
#include "runtime/hf_export.h"
#include "session/task_model.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>

namespace sculpt {
namespace {

// Whether the method attaches adapters of a kind with a folder form: its run is written as a
// PEFT folder of them, not as a whole model.
bool writesAdapters(const std::string &method)
{
    const AdapterKind *kind = findAdapterKind(method);
    return kind && kind->peftForm();
}

void write(Model &model, const Checkpoint &checkpoint, const AdaptRequest &request, const AdaptRun &run,
           const JobContext &job)
{
    if (writesAdapters(request.method)) {
        // Absolute: PEFT reads a relative base path from where it runs, Sculpt from the folder.
        writePeft(model, request.output, std::filesystem::absolute(checkpoint.path()).lexically_normal().string());
        return;
    }
    const nlohmann::json record{{"method", request.method}, {"task", request.task},
                                {"epochs", request.epochs}, {"learning_rate", request.learningRate},
                                {"seed", request.seed},     {"test_accuracy", run.testAccuracy}};
    writeHfFolder(model, request.output, /*factorized=*/false, {{"sculpt_adapt", record.dump()}}, {}, job);
}

} // namespace

std::vector<AdapterKindInfo> adapterKindInfos()
{
    std::vector<AdapterKindInfo> infos;
    for (const AdapterKind *k : adapterKinds())
        infos.push_back({k->name(), k->title(), k->settings(), k->peftForm() != nullptr});
    return infos;
}

std::string adapterKindNames()
{
    std::vector<std::string> names;
    for (const AdapterKind *k : adapterKinds())
        names.push_back(k->name());
    return joined(names);
}

AdaptRun adapt(const Checkpoint &checkpoint, const AdaptRequest &request, const JobContext &job,
               const std::function<void(const AdaptationEpoch &)> &onEpoch)
{
    if (request.method == "none")
        throw std::invalid_argument("adapt needs a method: linear, full, lora or bottleneck");
    if (!request.output.empty()) {
        if (!writesAdapters(request.method) && request.method != "linear" && request.method != "full")
            throw std::invalid_argument(request.method + " adapters have no folder form: nothing would be written "
                                        "(LoRA and Lily write a PEFT folder)");
        ExportFolder::checkWritable(request.output);
    }
    TaskModel t = openTaskModel(checkpoint, request.task, request.dataRoot, request.config);
    if (!request.output.empty() && !writesAdapters(request.method))
        t.model->hfConfigJson(); // refuses a layout Hugging Face's config cannot say, before any training
    const LabelledImages test = t.test();
    AdaptRun run;
    run.preview.before = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    run.preview.beforeTestAccuracy = accuracyOf(t.vision(), test);
    torch::manual_seed(request.seed);
    const std::vector<torch::Tensor> trainable = prepareFineTuning(*t.model, request.method, adapterSpec(request.rank, request.experts));
    if (!request.output.empty() && writesAdapters(request.method))
        checkPeftWritable(*t.model); // a fused q/k/v projection's LoRA has no PEFT form
    run.trainable = elementCount(trainable);
    FineTuneOptions options;
    options.epochs = request.epochs;
    options.seed = request.seed;
    options.learningRate = request.learningRate;
    fineTune(t.vision(), trainable, t.train, t.validate, options,
             [&](const EpochRecord &r) {
                 run.curve.push_back({r.epoch, r.trainLoss, r.validationAccuracy});
                 if (onEpoch)
                     onEpoch(run.curve.back());
             },
             job);
    run.testAccuracy = accuracyOf(t.vision(), test);
    run.preview.after = predictedClasses(t.vision(), test, AdaptationRecord::kPreviewImages);
    run.routing = expertRouting(*t.model, test);
    if (!request.output.empty())
        write(*t.model, checkpoint, request, run, job);
    return run;
}

} // namespace sculpt
