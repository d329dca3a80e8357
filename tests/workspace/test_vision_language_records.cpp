// The Vision-language view's runs in the workspace: every field comes back as it was saved
// (answers and captions with any characters, an IDX image's place, NaN-free costs), ids follow
// the order of saving, runs two Workspace objects save in turn are both kept, a workspace
// written without the group reads as having none, and a run whose columns do not fit its images
// is a one-line FileError naming the file.

#include "io/error.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>
#include <QtTest>

#include <string>
#include <vector>

using namespace sculpt;

namespace {

const ModelIdentity kModel{"/models/llava", "11a7a11a"};

VisionLanguageAnswers column(const std::string &name, double offset)
{
    return {name,
            "/models/" + name,
            {"a shoe", "\u00e9t\u00e9, \"quoted\"\nand on", ""},
            {123456789, 987654321, 5},
            {0.25 + offset, 0.5, 0.125},
            {1, 0, -1}};
}

VisionLanguageRun makeRun(const std::string &prompt)
{
    VisionLanguageRun r;
    r.prompt = prompt;
    r.maxTokens = 12;
    // In role order: data files come back in the order of their groups' names, as evaluations' do.
    r.data = {{"images", "/data/t10k-images-idx3-ubyte.gz", 1648877, "fedcba9876543210"},
              {"questions", "/data/questions.json", 2048, "0123456789abcdef"}};
    r.images = {{"/data/photo0.png", -1, "What is it?", {"a shoe"}, true},
                {"/data/t10k-images-idx3-ubyte.gz", 7, "", {}, false},
                {"/data/coco/000001.jpg", -1, "", {"A cat on a mat.", "Two cats, one mat."}, false}};
    r.models = {column("llava", 0), column("llava-himix", 1)};
    r.date = "2025-03-01T10:00:00Z";
    r.seconds = 3.5;
    return r;
}

void compareRuns(const VisionLanguageRun &got, const VisionLanguageRun &want)
{
    QCOMPARE(got.prompt, want.prompt);
    QCOMPARE(got.maxTokens, want.maxTokens);
    QCOMPARE(got.date, want.date);
    QCOMPARE(got.seconds, want.seconds);
    QCOMPARE(got.data.size(), want.data.size());
    for (size_t i = 0; i < got.data.size(); ++i) {
        QCOMPARE(got.data[i].role, want.data[i].role);
        QCOMPARE(got.data[i].path, want.data[i].path);
        QCOMPARE(got.data[i].bytes, want.data[i].bytes);
        QCOMPARE(got.data[i].contentHash, want.data[i].contentHash);
    }
    QCOMPARE(got.images.size(), want.images.size());
    for (size_t i = 0; i < got.images.size(); ++i) {
        QCOMPARE(got.images[i].file, want.images[i].file);
        QCOMPARE(got.images[i].index, want.images[i].index);
        QCOMPARE(got.images[i].question, want.images[i].question);
        QCOMPARE(got.images[i].references, want.images[i].references);
        QCOMPARE(got.images[i].scored, want.images[i].scored);
    }
    QCOMPARE(got.models.size(), want.models.size());
    for (size_t i = 0; i < got.models.size(); ++i) {
        QCOMPARE(got.models[i].name, want.models[i].name);
        QCOMPARE(got.models[i].path, want.models[i].path);
        QCOMPARE(got.models[i].answers, want.models[i].answers);
        QCOMPARE(got.models[i].decoderMacs, want.models[i].decoderMacs);
        QCOMPARE(got.models[i].seconds, want.models[i].seconds);
        QCOMPARE(got.models[i].correct, want.models[i].correct);
    }
}

} // namespace

class TestVisionLanguageRecords : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrips()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        const VisionLanguageRun first = makeRun("What is it?"), second = makeRun("Describe the image.");
        {
            Workspace w = Workspace::open(path, kModel);
            w.putVisionLanguageRun(first);
            w.save();
        }
        { // another object, opened before the first saved again, keeps both
            Workspace w = Workspace::open(path, kModel);
            w.putVisionLanguageRun(second);
            w.save();
        }
        const std::vector<VisionLanguageRun> runs = Workspace::open(path, kModel).visionLanguageRuns();
        QCOMPARE(runs.size(), size_t(2));
        QCOMPARE(runs[0].id, std::string("000001"));
        QCOMPARE(runs[1].id, std::string("000002"));
        compareRuns(runs[0], first);
        compareRuns(runs[1], second);
        // The totals the view shows: one right of two scored, the mean decoder cost and time.
        QCOMPARE(runs[0].models[0].accuracy(), 0.5);
        QCOMPARE(runs[0].models[0].meanGflops(), 2e-9 * (123456789.0 + 987654321.0 + 5.0) / 3);
        QCOMPARE(runs[0].models[1].meanSeconds(), (1.25 + 0.5 + 0.125) / 3);
    }

    void olderWorkspacesHoldNone()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        {
            Workspace w = Workspace::open(path, kModel);
            Evaluation e;
            e.metric = "perplexity";
            e.value = 3;
            w.putEvaluation(e);
            w.save();
        }
        const Workspace w = Workspace::open(path, kModel);
        QCOMPARE(w.evaluations().size(), size_t(1));
        QVERIFY(w.visionLanguageRuns().empty());
    }

    void columnsThatDoNotFitAreRefused()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("w.h5").toStdString();
        VisionLanguageRun run = makeRun("What is it?");
        run.models[1].answers.pop_back();
        Workspace w = Workspace::open(path, kModel);
        w.putVisionLanguageRun(run);
        w.save();
        try {
            Workspace::open(path, kModel);
            QFAIL("a run whose answers do not fit its images was read");
        } catch (const FileError &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains(QString::fromStdString(path)) && message.contains("2 values for 3 images") &&
                         !message.contains('\n'),
                     e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestVisionLanguageRecords)
#include "test_vision_language_records.moc"
