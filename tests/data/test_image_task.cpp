// The labelled image tasks with VTAB-1k's protocol: the named ones on the real data (skipped,
// with a message, where it is absent), and tasks from small IDX files written here, whose
// images carry their own index so the split can be checked image by image.

#include "data/image_task.h"
#include "file_errors.h"
#include "idx_files.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace sculpt;

namespace {

const QString kFashionMnist = QStringLiteral("/usr/share/datasets/fashion-mnist");

std::string bytesOf(const IdxImages &images, int64_t i) { return {images.image(i).begin(), images.image(i).end()}; }

std::vector<int> countPerClass(const std::vector<uint8_t> &labels, int classes)
{
    std::vector<int> counts(static_cast<size_t>(classes));
    for (const uint8_t label : labels)
        ++counts.at(label);
    return counts;
}

// The checks every task must pass: VTAB-1k's sizes, one label per image, labels in range.
void checkShape(const ImageTask &task, int64_t testCount)
{
    QCOMPARE(task.train.count, 800);
    QCOMPARE(task.validate.count, 200);
    QCOMPARE(task.test.count, testCount);
    for (const IdxImages *set : {&task.train, &task.validate, &task.test}) {
        QCOMPARE(set->rows, 28);
        QCOMPARE(set->cols, 28);
        QCOMPARE(int64_t(set->pixels.size()), set->count * 28 * 28);
    }
    QCOMPARE(int64_t(task.trainLabels.size()), task.train.count);
    QCOMPARE(int64_t(task.validateLabels.size()), task.validate.count);
    QCOMPARE(int64_t(task.testLabels.size()), task.test.count);
    QCOMPARE(task.classes, 10);
    for (const auto *labels : {&task.trainLabels, &task.validateLabels, &task.testLabels})
        QVERIFY(std::all_of(labels->begin(), labels->end(), [&](uint8_t l) { return l < task.classes; }));
    QVERIFY(!task.description.empty());
}

void checkSameTask(const ImageTask &a, const ImageTask &b)
{
    QCOMPARE(a.train.pixels, b.train.pixels);
    QCOMPARE(a.validate.pixels, b.validate.pixels);
    QCOMPARE(a.test.pixels, b.test.pixels);
    QCOMPARE(a.trainLabels, b.trainLabels);
    QCOMPARE(a.validateLabels, b.validateLabels);
    QCOMPARE(a.testLabels, b.testLabels);
}

// IDX files of `count` 1×2 images whose two pixels are their index (high, low byte), with
// label index % classes.
void writeIndexedSet(const QString &images, const QString &labels, uint32_t count, uint32_t classes)
{
    QByteArray pixels, labelBytes;
    for (uint32_t i = 0; i < count; ++i) {
        pixels.append(char(i >> 8)).append(char(i & 0xff));
        labelBytes.append(char(i % classes));
    }
    sculpt::test::writeFile(images, sculpt::test::idxFile(sculpt::test::kIdxImages, {count, 1, 2}, pixels));
    sculpt::test::writeFile(labels, sculpt::test::idxFile(sculpt::test::kIdxLabels, {count}, labelBytes));
}

std::vector<int> indicesOf(const IdxImages &images)
{
    std::vector<int> out;
    for (int64_t i = 0; i < images.count; ++i)
        out.push_back(images.image(i)[0] << 8 | images.image(i)[1]);
    return out;
}

} // namespace

class TestImageTask : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names()
    {
        QCOMPARE(taskNames(), (std::vector<std::string>{"t1", "t2", "t3"}));
        try {
            loadTask("t4", SCULPT_SHARED_DIR);
            QFAIL("an unknown task loaded");
        } catch (const std::invalid_argument &e) {
            QCOMPARE(std::string(e.what()), "unknown task 't4' (tasks: t1, t2, t3, or a folder of train-images-idx3-ubyte, "
                                            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, "
                                            "gzipped or not)");
        }
    }

    void missingFilesNameTheTask()
    {
        QCOMPARE(sculpt::test::fileError([] { loadTask("t1", "/nonexistent"); }),
                 "/nonexistent/models/mnist_t10k/t10k-images-idx3-ubyte.gz: no such file (task t1 needs it: MNIST's "
                 "test images)");
        QCOMPARE(sculpt::test::fileError([] { loadTask("t2", "/nonexistent"); }),
                 "/nonexistent/datasets/opencv_digits/digits.png: no such file (task t2 needs it: OpenCV's sheet of "
                 "handwritten digits)");
    }

    void fileTaskSplitsTheFirstThousand()
    {
        QTemporaryDir dir;
        writeIndexedSet(dir.filePath("train-images"), dir.filePath("train-labels"), 1500, 7);
        writeIndexedSet(dir.filePath("test-images"), dir.filePath("test-labels"), 30, 5);
        const auto load = [&] {
            return fileTask(dir.filePath("train-images").toStdString(), dir.filePath("train-labels").toStdString(),
                            dir.filePath("test-images").toStdString(), dir.filePath("test-labels").toStdString());
        };
        const ImageTask task = load();
        QCOMPARE(task.train.count, 800);
        QCOMPARE(task.validate.count, 200);
        QCOMPARE(task.test.count, 30);
        QCOMPARE(task.classes, 7);

        // Train and validate together are images 0–999, each once, labels travelling along.
        std::vector<int> train = indicesOf(task.train), validate = indicesOf(task.validate);
        for (size_t i = 0; i < train.size(); ++i)
            QCOMPARE(int(task.trainLabels[i]), train[i] % 7);
        for (size_t i = 0; i < validate.size(); ++i)
            QCOMPARE(int(task.validateLabels[i]), validate[i] % 7);
        std::vector<int> all = train;
        all.insert(all.end(), validate.begin(), validate.end());
        std::sort(all.begin(), all.end());
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(all[size_t(i)], i);
        // Shuffled, not the file's order; the test set is.
        QVERIFY(!std::is_sorted(train.begin(), train.end()));
        const std::vector<int> test = indicesOf(task.test);
        QVERIFY(std::is_sorted(test.begin(), test.end()));

        // The split is fixed by splitmix64 and Fisher–Yates with the fixed seed, the same on every
        // platform: these are its first images, as a Python version of the two gives them. A
        // change here changes every task's split.
        QCOMPARE(std::vector<int>(train.begin(), train.begin() + 5), (std::vector<int>{6, 518, 804, 821, 447}));
        QCOMPARE(std::vector<int>(validate.begin(), validate.begin() + 5), (std::vector<int>{779, 418, 955, 358, 864}));
        checkSameTask(task, load());
    }

    // A folder laid out as MNIST's kin are is a task named by its path, split as fileTask does;
    // one file missing is named.
    void aFolderIsATask()
    {
        QTemporaryDir dir;
        writeIndexedSet(dir.filePath("train-images-idx3-ubyte"), dir.filePath("train-labels-idx1-ubyte"), 1200, 4);
        writeIndexedSet(dir.filePath("t10k-images-idx3-ubyte"), dir.filePath("t10k-labels-idx1-ubyte"), 40, 4);
        const std::string folder = dir.path().toStdString();
        const ImageTask task = loadTask(folder, "/nonexistent");
        QCOMPARE(task.name, folder);
        QCOMPARE(task.test.count, 40);
        QCOMPARE(task.classes, 4);
        checkSameTask(task, fileTask(folder + "/train-images-idx3-ubyte", folder + "/train-labels-idx1-ubyte",
                                     folder + "/t10k-images-idx3-ubyte", folder + "/t10k-labels-idx1-ubyte"));
        QVERIFY(QFile::remove(dir.filePath("t10k-labels-idx1-ubyte")));
        QCOMPARE(sculpt::test::fileError([&] { loadTask(folder, "/nonexistent"); }),
                 dir.filePath("t10k-labels-idx1-ubyte.gz") + ": no such file (task " + dir.path() +
                     " needs it: the IDX files of " + dir.path() + ")");
    }

    void fileTaskRefusals()
    {
        QTemporaryDir dir;
        const auto path = [&](const char *name) { return dir.filePath(name).toStdString(); };
        writeIndexedSet(dir.filePath("few"), dir.filePath("few-labels"), 999, 3);
        writeIndexedSet(dir.filePath("train"), dir.filePath("train-labels"), 1000, 3);
        writeIndexedSet(dir.filePath("test"), dir.filePath("test-labels"), 10, 3);
        writeIndexedSet(dir.filePath("other"), dir.filePath("other-labels"), 11, 3);
        sculpt::test::writeFile(dir.filePath("wide"), sculpt::test::idxFile(sculpt::test::kIdxImages, {10, 2, 2}, QByteArray(40, 'x')));

        QCOMPARE(sculpt::test::fileError([&] { fileTask(path("few"), path("few-labels"), path("test"), path("test-labels")); }),
                 dir.filePath("few") + ": holds 999 images; a task learns from 1000");
        QCOMPARE(sculpt::test::fileError([&] { fileTask(path("train"), path("train-labels"), path("test"), path("other-labels")); }),
                 dir.filePath("other-labels") + ": holds 11 labels for the 10 images of " + dir.filePath("test"));
        QCOMPARE(sculpt::test::fileError([&] { fileTask(path("train"), path("train-labels"), path("wide"), path("test-labels")); }),
                 dir.filePath("wide") + ": its images are 2×2 pixels, the training images 2×1");
        QVERIFY(sculpt::test::fileError([&] { fileTask(path("train"), path("nothing"), path("test"), path("test-labels")); })
                    .startsWith(dir.filePath("nothing") + ": "));
    }

    void mnistDigits()
    {
        SCULPT_REQUIRE_SHARED(images, "mnist_t10k/t10k-images-idx3-ubyte.gz");
        const ImageTask task = loadTask("t1", SCULPT_SHARED_DIR);
        QCOMPARE(task.name, "t1");
        checkShape(task, 9000);
        if (QTest::currentTestFailed())
            return;
        // The test set is MNIST's own order from image 1000 on; every class is in the pool.
        QCOMPARE(task.testLabels[0], readIdxLabels(SCULPT_SHARED_DIR "/models/mnist_t10k/t10k-labels-idx1-ubyte.gz")[1000]);
        for (const int count : countPerClass(task.trainLabels, 10))
            QVERIFY(count > 50);
        checkSameTask(task, loadTask("t1", SCULPT_SHARED_DIR));
    }

    void opencvDigits()
    {
        const QString sheet = QStringLiteral(SCULPT_SHARED_DIR "/datasets/opencv_digits/digits.png");
        if (!QFileInfo::exists(sheet))
            QSKIP(qPrintable(sheet + " is absent; skipping"));
        const ImageTask task = loadTask("t2", SCULPT_SHARED_DIR);
        QCOMPARE(task.name, "t2");
        checkShape(task, 4000);
        if (QTest::currentTestFailed())
            return;

        // 100 of each digit to learn from, the other 400 to test, in the sheet's order.
        std::vector<int> pool = countPerClass(task.trainLabels, 10), validate = countPerClass(task.validateLabels, 10);
        for (int d = 0; d < 10; ++d)
            QCOMPARE(pool[size_t(d)] + validate[size_t(d)], 100);
        QCOMPARE(countPerClass(task.testLabels, 10), std::vector<int>(10, 400));
        QVERIFY(std::is_sorted(task.testLabels.begin(), task.testLabels.end()));

        // 20×20 digits centred in 28×28: a four-pixel blank border, ink inside.
        for (int64_t i = 0; i < task.train.count; ++i) {
            const auto image = task.train.image(i);
            for (int64_t y = 0; y < 28; ++y)
                for (int64_t x = 0; x < 28; ++x)
                    if (y < 4 || y >= 24 || x < 4 || x >= 24)
                        QCOMPARE(image[size_t(y * 28 + x)], uint8_t(0));
            QVERIFY(*std::max_element(image.begin(), image.end()) > 128);
        }

        // No image is both learnt from and tested on.
        std::set<std::string> tested, learnt;
        for (int64_t i = 0; i < task.test.count; ++i)
            tested.insert(bytesOf(task.test, i));
        for (const IdxImages *set : {&task.train, &task.validate})
            for (int64_t i = 0; i < set->count; ++i)
                learnt.insert(bytesOf(*set, i));
        QCOMPARE(learnt.size(), size_t(1000));
        for (const std::string &image : learnt)
            QVERIFY(!tested.count(image));
        checkSameTask(task, loadTask("t2", SCULPT_SHARED_DIR));
    }

    void fashionMnist()
    {
        if (!QFileInfo::exists(kFashionMnist + "/train-images-idx3-ubyte.gz"))
            QSKIP("no /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist; packaging/setup.sh installs it)");
        // t3 needs nothing from the shared folder.
        const ImageTask task = loadTask("t3", "/nonexistent");
        QCOMPARE(task.name, "t3");
        checkShape(task, 10000);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(task.testLabels, readIdxLabels((kFashionMnist + "/t10k-labels-idx1-ubyte.gz").toStdString()));
        // The pool is the first 1,000 training images: their labels, in some order.
        std::vector<uint8_t> pool = task.trainLabels, first = readIdxLabels((kFashionMnist + "/train-labels-idx1-ubyte.gz").toStdString());
        pool.insert(pool.end(), task.validateLabels.begin(), task.validateLabels.end());
        first.resize(1000);
        QCOMPARE(countPerClass(pool, 10), countPerClass(first, 10));
    }
};

QTEST_GUILESS_MAIN(TestImageTask)
#include "test_image_task.moc"
