// Images with questions and answers, as calibration and `eval --vqa` read them: LLaVA's
// conversation JSON (each human turn answered by the next gpt turn, the <image> marker taken
// out, the image beside the file or in its images/ folder) and COCO captions (each caption an
// answer to an empty question); broken files refused in one line naming the file.

#include "data/image_questions.h"
#include "file_errors.h"
#include "test_files.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;

namespace {

const QByteArray kConversations = R"([
  {"id": "1", "image": "shirt.png", "conversations": [
    {"from": "human", "value": "<image>\nWhat is it?"}, {"from": "gpt", "value": "A shirt."},
    {"from": "human", "value": "Is it worn on the feet?"}, {"from": "gpt", "value": "No"},
    {"from": "human", "value": "Unanswered"}]},
  {"image": "sub/boot.png", "conversations": [
    {"from": "gpt", "value": "an answer to nothing"},
    {"from": "human", "value": "Which category? <image>"}, {"from": "gpt", "value": "ankle boot"}]}
])";

} // namespace

class TestImageQuestions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void conversationsGiveOnePairPerAnsweredTurn()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("qa.json");
        test::writeFile(file, kConversations);
        const std::vector<ImageQuestion> pairs = readImageQuestions(file.toStdString());
        QCOMPARE(pairs.size(), size_t(3));
        QCOMPARE(QString::fromStdString(pairs[0].image), dir.filePath("shirt.png"));
        QCOMPARE(pairs[0].question, std::string("What is it?"));
        QCOMPARE(pairs[0].answer, std::string("A shirt."));
        QCOMPARE(pairs[1].question, std::string("Is it worn on the feet?"));
        QCOMPARE(pairs[1].answer, std::string("No"));
        QCOMPARE(QString::fromStdString(pairs[2].image), dir.filePath("sub/boot.png"));
        QCOMPARE(pairs[2].question, std::string("Which category?"));

        QVERIFY(QDir(dir.path()).mkdir("images")); // COCO's layout: the images in a folder beside
        QCOMPARE(QString::fromStdString(readImageQuestions(file.toStdString())[0].image), dir.filePath("images/shirt.png"));
    }

    void captionsAnswerAnEmptyQuestion()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath("captions.json");
        test::writeFile(file, R"({"images": [{"id": 3, "file_name": "b.jpg"}],
            "annotations": [{"image_id": 3, "caption": "A dog."}, {"image_id": 3, "caption": "A sofa."}]})");
        const std::vector<ImageQuestion> pairs = readImageQuestions(file.toStdString());
        QCOMPARE(pairs.size(), size_t(2));
        QCOMPARE(QString::fromStdString(pairs[1].image), dir.filePath("b.jpg"));
        QCOMPARE(pairs[1].question, std::string());
        QCOMPARE(pairs[1].answer, std::string("A sofa."));
    }

    void brokenFilesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("not JSON") << QByteArray("[{") << "JSON";
        QTest::newRow("neither form") << QByteArray(R"({"questions": []})") << "neither LLaVA's conversation list";
        QTest::newRow("no image") << QByteArray(R"([{"conversations": []}])") << "entry 0 has no \"image\"";
        QTest::newRow("leaves its folder")
            << QByteArray(R"([{"image": "../x.png", "conversations": []}])") << "outside the file's folder";
        QTest::newRow("a turn without text")
            << QByteArray(R"([{"image": "x.png", "conversations": [{"from": "human", "value": 3}]}])") << "text \"value\"";
        QTest::newRow("nothing answered")
            << QByteArray(R"([{"image": "x.png", "conversations": [{"from": "human", "value": "Hi"}]}])")
            << "no image with a question and its answer";
    }
    void brokenFilesAreRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString file = dir.filePath("qa.json");
        test::writeFile(file, text);
        const QString error = test::fileError([&] { readImageQuestions(file.toStdString()); });
        QVERIFY2(error.contains(file) && error.contains(says), qPrintable(error));
        QVERIFY(!error.contains('\n'));
    }
};

QTEST_GUILESS_MAIN(TestImageQuestions)
#include "test_image_questions.moc"
