#pragma once
// A task folder for the CLI tests: t3's training images (Fashion-MNIST's first 1,000, from
// Debian's dataset-fashion-mnist) and the first kFashionTestImages of its test images. The CLI
// tests train and measure dozens of times; t3's 10,000 test images were most of their time.

#include "data/idx.h"
#include "idx_files.h"
#include "test_files.h"

#include <QDir>
#include <QString>

namespace sculpt::test {

inline constexpr int kFashionTestImages = 2000;
inline const QString kDebianFashion = QStringLiteral("/usr/share/datasets/fashion-mnist/");

// An accuracy measured twice on the folder's test images, once through a folded weight or
// another batching: an argmax may flip on an image or two.
inline constexpr double kSameFashionAccuracy = 2.5 / kFashionTestImages;

// Writes the folder into `dir` (raw IDX files, as loadTask reads a folder) and returns it.
inline QString writeFashionTask(const QString &dir)
{
    const auto copy = [&](const char *set, int count) {
        const std::string from = kDebianFashion.toStdString() + set;
        const IdxImages images = readIdxImages(from + "-images-idx3-ubyte.gz");
        const std::vector<uint8_t> labels = readIdxLabels(from + "-labels-idx1-ubyte.gz");
        const qsizetype pixels = qsizetype(count * images.rows * images.cols);
        writeFile(dir + "/" + set + "-images-idx3-ubyte",
                  idxFile(kIdxImages, {uint32_t(count), uint32_t(images.rows), uint32_t(images.cols)},
                          QByteArray(reinterpret_cast<const char *>(images.pixels.data()), pixels)));
        writeFile(dir + "/" + set + "-labels-idx1-ubyte",
                  idxFile(kIdxLabels, {uint32_t(count)}, QByteArray(reinterpret_cast<const char *>(labels.data()), count)));
    };
    QDir().mkpath(dir);
    copy("train", 1000);
    copy("t10k", kFashionTestImages);
    return dir;
}

} // namespace sculpt::test
