#include "data/image_task.h"

#include "data/image_sheet.h"
#include "io/error.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace sculpt {
namespace {

// VTAB-1k: 1,000 images to learn from, 800 of them to train and 200 to validate.
constexpr int64_t kPool = 1000;
constexpr int64_t kTrain = 800;
// Any fixed value would do; changing it changes every task's split, and so every result
// measured on one.
constexpr uint64_t kSeed = 12;

constexpr const char *kFashionMnist = "/usr/share/datasets/fashion-mnist/";

// splitmix64: a generator whose sequence is fixed by its definition, unlike std::shuffle's
// use of a distribution, which differs between standard libraries.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next()
    {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

private:
    uint64_t state_;
};

// Fisher–Yates. The modulo's bias is below n / 2⁶⁴: nothing for sets of images.
void shuffle(std::vector<int64_t> &items, SplitMix64 &random)
{
    for (size_t i = items.size(); i > 1; --i)
        std::swap(items[i - 1], items[size_t(random.next() % i)]);
}

std::vector<int64_t> range(int64_t begin, int64_t end)
{
    std::vector<int64_t> out;
    for (int64_t i = begin; i < end; ++i)
        out.push_back(i);
    return out;
}

struct Labelled {
    IdxImages images;
    std::vector<uint8_t> labels;

    Labelled pick(std::span<const int64_t> indices) const
    {
        Labelled out{{int64_t(indices.size()), images.rows, images.cols, {}}, {}};
        for (const int64_t i : indices) {
            const auto image = images.image(i);
            out.images.pixels.insert(out.images.pixels.end(), image.begin(), image.end());
            out.labels.push_back(labels[size_t(i)]);
        }
        return out;
    }
};

Labelled readLabelled(const std::string &images, const std::string &labels)
{
    Labelled set{readIdxImages(images), readIdxLabels(labels)};
    if (int64_t(set.labels.size()) != set.images.count)
        throw FileError(labels, "holds " + std::to_string(set.labels.size()) + " labels for the " +
                                    std::to_string(set.images.count) + " images of " + images);
    return set;
}

void requireFile(const std::string &path, const std::string &task, const std::string &what)
{
    if (!std::filesystem::exists(path))
        throw FileError(path, "no such file (task " + task + " needs it: " + what + ")");
}

void requireLabels(const std::vector<uint8_t> &labels, int classes, const std::string &path)
{
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= classes)
            throw FileError(path, "label " + std::to_string(labels[i]) + " of item " + std::to_string(i) +
                                      " is not one of the " + std::to_string(classes) + " classes");
}

// The task whose 1,000 images to learn from are `pool` of `source`, split 800/200 after a
// shuffle drawn from `random`.
ImageTask assemble(std::string name, std::string description, const Labelled &source, std::vector<int64_t> pool,
                   Labelled test, int classes, SplitMix64 &random)
{
    shuffle(pool, random);
    Labelled train = source.pick(std::span(pool).first(kTrain));
    Labelled validate = source.pick(std::span(pool).subspan(kTrain));
    return {std::move(name),
            std::move(description),
            std::move(train.images),
            std::move(validate.images),
            std::move(test.images),
            std::move(train.labels),
            std::move(validate.labels),
            std::move(test.labels),
            classes};
}

ImageTask mnist(const std::string &root)
{
    const std::string images = root + "/models/mnist_t10k/t10k-images-idx3-ubyte.gz";
    const std::string labels = root + "/models/mnist_t10k/t10k-labels-idx1-ubyte.gz";
    requireFile(images, "t1", "MNIST's test images");
    requireFile(labels, "t1", "MNIST's test labels");
    const Labelled set = readLabelled(images, labels);
    requireLabels(set.labels, 10, labels);
    if (set.images.count <= kPool)
        throw FileError(images, "holds " + std::to_string(set.images.count) + " images; t1 learns from the first " +
                                    std::to_string(kPool) + " and tests on the others");
    SplitMix64 random(kSeed);
    return assemble("t1", "MNIST digits: 800 train and 200 validate from the first 1,000 images of MNIST's test set, "
                          "the other " + std::to_string(set.images.count - kPool) + " to test",
                    set, range(0, kPool), set.pick(range(kPool, set.images.count)), 10, random);
}

ImageTask opencvDigits(const std::string &root)
{
    // digits.png: 50 rows × 100 columns of 20×20 digits, five rows per digit from 0 to 9.
    constexpr int64_t kPerDigit = 500, kChosen = 100;
    const std::string path = root + "/datasets/opencv_digits/digits.png";
    requireFile(path, "t2", "OpenCV's sheet of handwritten digits");
    Labelled set{padImages(readImageSheet(path, 20, 20), 28, 28), {}};
    if (set.images.count != 10 * kPerDigit)
        throw FileError(path, "holds " + std::to_string(set.images.count) + " tiles of 20×20, not OpenCV's " +
                                  std::to_string(10 * kPerDigit) + " digits");
    for (int64_t i = 0; i < set.images.count; ++i)
        set.labels.push_back(uint8_t(i / kPerDigit));

    SplitMix64 random(kSeed);
    std::vector<int64_t> pool, test;
    for (int64_t digit = 0; digit < 10; ++digit) {
        std::vector<int64_t> tiles = range(digit * kPerDigit, (digit + 1) * kPerDigit);
        shuffle(tiles, random);
        pool.insert(pool.end(), tiles.begin(), tiles.begin() + kChosen);
        test.insert(test.end(), tiles.begin() + kChosen, tiles.end());
    }
    std::sort(test.begin(), test.end());
    return assemble("t2", "OpenCV's handwritten digits, 20×20 centred in 28×28: 100 of each digit to train and "
                          "validate (800/200), the other 4,000 to test",
                    set, std::move(pool), set.pick(test), 10, random);
}

// A folder laid out as MNIST and its kin ship (Fashion-MNIST, KMNIST …): the four IDX files
// under their usual names, gzipped or not. `what`: the data set, as a missing file's message
// and the description name it.
ImageTask folderTask(const std::string &folder, const std::string &task, const std::string &what,
                     const std::string &source)
{
    std::vector<std::string> paths;
    for (const char *stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte"}) {
        const std::string plain = (std::filesystem::path(folder) / stem).string();
        paths.push_back(std::filesystem::exists(plain) ? plain : plain + ".gz");
        requireFile(paths.back(), task, what + source);
    }
    ImageTask t = fileTask(paths[0], paths[1], paths[2], paths[3]);
    t.name = task;
    t.description = what + ": 800 train and 200 validate from the first 1,000 training images, the " +
                    std::to_string(t.test.count) + " test images to test";
    return t;
}

} // namespace

std::vector<std::string> taskNames() { return {"t1", "t2", "t3"}; }

ImageTask loadTask(const std::string &name, const std::string &sharedRoot)
{
    if (name == "t1")
        return mnist(sharedRoot);
    if (name == "t2")
        return opencvDigits(sharedRoot);
    if (name == "t3")
        return folderTask(kFashionMnist, "t3", "Fashion-MNIST", ", from Debian's dataset-fashion-mnist");
    if (std::filesystem::is_directory(name))
        return folderTask(name, name, "the IDX files of " + name, "");
    std::string known;
    for (const std::string &task : taskNames())
        known += (known.empty() ? "" : ", ") + task;
    throw std::invalid_argument("unknown task '" + name + "' (tasks: " + known +
                                ", or a folder of train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                                "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, gzipped or not)");
}

ImageTask fileTask(const std::string &trainImages, const std::string &trainLabels, const std::string &testImages,
                   const std::string &testLabels)
{
    const Labelled train = readLabelled(trainImages, trainLabels);
    if (train.images.count < kPool)
        throw FileError(trainImages, "holds " + std::to_string(train.images.count) + " images; a task learns from " +
                                         std::to_string(kPool));
    Labelled test = readLabelled(testImages, testLabels);
    if (test.images.count == 0)
        throw FileError(testImages, "holds no images to test on");
    if (test.images.rows != train.images.rows || test.images.cols != train.images.cols)
        throw FileError(testImages, "its images are " + std::to_string(test.images.cols) + "×" +
                                        std::to_string(test.images.rows) + " pixels, the training images " +
                                        std::to_string(train.images.cols) + "×" + std::to_string(train.images.rows));
    const std::vector<int64_t> pool = range(0, kPool);
    SplitMix64 random(kSeed);
    uint8_t largest = 0;
    for (const int64_t i : pool)
        largest = std::max(largest, train.labels[size_t(i)]);
    largest = std::max(largest, *std::max_element(test.labels.begin(), test.labels.end()));
    return assemble("files", "800 train and 200 validate from the first 1,000 images of " + trainImages + ", " +
                                 std::to_string(test.images.count) + " to test from " + testImages,
                    train, pool, std::move(test), largest + 1, random);
}

} // namespace sculpt
