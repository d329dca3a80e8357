#pragma once
// Labelled image tasks with VTAB-1k's protocol: 1,000 training images, 800 to train and 200
// to validate, and a separate test set. Which model a task adapts is not decided here.
// Torch-free.

#include "data/idx.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sculpt {

struct ImageTask {
    std::string name, description;
    IdxImages train, validate, test;
    std::vector<uint8_t> trainLabels, validateLabels, testLabels;
    int classes = 0;
};

// The named tasks loadTask knows: t1 (MNIST digits), t2 (OpenCV's digits), t3 (Fashion-MNIST).
std::vector<std::string> taskNames();

// The task `name`, its files found under `sharedRoot` (the folder holding models/ and
// datasets/) or, for t3, in Debian's dataset-fashion-mnist. The 1,000 images a task trains
// and validates on are shuffled with a fixed seed (splitmix64 and Fisher–Yates, the same on
// every platform): the first 800 train, the other 200 validate, in that shuffled order — a
// plain split, not stratified. Test images keep their order in the source.
//   t1: MNIST's t10k set: images 0–999 to train and validate, 1000–9999 to test.
//   t2: OpenCV's digits.png, 20×20 tiles centred in 28×28: 100 of each digit, chosen with the
//       same seed, to train and validate; the other 4,000 to test.
//   t3: Fashion-MNIST: the first 1,000 training images; its 10,000 test images to test.
// A folder instead of a name is a task of its own, laid out as MNIST's kin are: its
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each may be gzipped); it trains and tests as t3 does.
// Throws std::invalid_argument for an unknown name, and FileError naming the file for one
// that is missing (with the task that needs it) or malformed.
ImageTask loadTask(const std::string &name, const std::string &sharedRoot);

// A task from IDX files, taking the first 1,000 training images as loadTask does; classes
// is one more than the largest label. Throws FileError naming the file: unreadable, fewer
// than 1,000 training images, labels not one per image, or test images of another size.
ImageTask fileTask(const std::string &trainImages, const std::string &trainLabels, const std::string &testImages,
                   const std::string &testLabels);

} // namespace sculpt
