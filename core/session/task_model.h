#pragma once
// A vision model opened for an image task, with the task's images normalised for it: where
// the session's adaptation use cases start. Torch inside: for session .cpp files only.

#include "adapt/adapters.h"
#include "adapt/fine_tune.h"
#include "data/image_task.h"
#include "runtime/model.h"

#include <memory>
#include <string>

namespace sculpt {

class Checkpoint;

struct TaskModel {
    ImageTask task;
    std::unique_ptr<Model> model;
    LabelledImages train, validate;
    VisionModel &vision() { return static_cast<VisionModel &>(*model); }
    LabelledImages test() { return labelledImages(vision(), task.test, task.testLabels); }
};

// What a request's adapter settings attach (its kind is the method's name).
AdapterSpec adapterSpec(int64_t rank, int64_t experts);

// Reads the task first, so a missing file fails before the model loads. Throws FileError or
// std::invalid_argument as loadTask and loadModel do.
TaskModel openTaskModel(const Checkpoint &checkpoint, const std::string &task, const std::string &dataRoot,
                        const std::string &config);

} // namespace sculpt
