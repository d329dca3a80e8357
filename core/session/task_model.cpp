#include "session/task_model.h"

#include "runtime/model_family.h"

namespace sculpt {

AdapterSpec adapterSpec(int64_t rank, int64_t experts)
{
    AdapterSpec spec;
    spec.rank = rank;
    spec.experts = experts;
    return spec;
}

TaskModel openTaskModel(const Checkpoint &checkpoint, const std::string &task, const std::string &dataRoot,
                        const std::string &config)
{
    TaskModel t;
    t.task = loadTask(task, dataRoot);
    t.model = loadModel(checkpoint, ModelKind::Vision, torch::kCPU, ModelOptions{config});
    t.train = labelledImages(t.vision(), t.task.train, t.task.trainLabels);
    t.validate = labelledImages(t.vision(), t.task.validate, t.task.validateLabels);
    return t;
}

} // namespace sculpt
