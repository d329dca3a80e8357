// `sculpt-cli generate --image` as a user runs it on vision-language models: tiny random-weight
// LLaVA and HiMix folders written by tests/reference/llava_reference.py, with the bundled
// fortunes tokenizer beside them and a PNG the script writes. The greedy answer must be the
// script's float64 continuation of the same prompt, its image made into pixels by Pillow as
// CLIPImageProcessor does; a text-only model, a missing image and markers that are not one
// per image are refused in one line.

#include "cli_runner.h"
#include "../runtime/llama2c_reference.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using sculpt::test::runCli;

namespace {

constexpr int kImageToken = 1024; // the last id of the reference's vocab=1025: the tokenizer's 1,024 and the image
constexpr int kImageTokens = 9;   // 3 × 3 patches (CLIP's class token dropped; SigLIP has none)
// SentencePiece's BOS and EOS, as the zoo trains the fortunes tokenizer: generation stops at either.
constexpr int kBos = 1, kEos = 2;
const QString kPrompt = "USER: <image>\nWhat is it? ASSISTANT:";

QString fortunes(const char *file) { return QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama/") + file; }

// A reference folder with the fortunes tokenizer beside its weights.
void makeModel(const QString &folder, const QStringList &kind)
{
    sculpt::test::runReference(QStringList{"make", folder} + kind + QStringList{"vocab=1025"});
    QVERIFY(QFile::copy(fortunes("tokenizer.model"), folder + "/tokenizer.model"));
}

} // namespace

class TestCliGenerateImage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersAsTheReference_data()
    {
        QTest::addColumn<QStringList>("kind");
        QTest::newRow("LLaVA, CLIP tower") << QStringList{"old", "clip", "5"};
        QTest::newRow("HiMix, SigLIP tower") << QStringList{"new", "siglip", "5", "himix"};
    }
    void answersAsTheReference()
    {
        QFETCH(QStringList, kind);
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        makeModel(dir.path(), kind);
        const QString image = dir.filePath("photo.png");
        sculpt::test::runReference({"image", image, "3"});

        const auto run = runCli({"generate", dir.path(), "--image", image, "--prompt", kPrompt, "--max-tokens", "6", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject answer = QJsonDocument::fromJson(run.out).object();
        QVERIFY2(answer["prompt"].toString().contains("What is it? ASSISTANT:"), run.out.constData());
        QCOMPARE(answer["images"].toInt(), 1);
        QVERIFY(answer["decoder_gflops"].toDouble() > 0); // decoder_cost's count: test_llava checks it
        // The image's tokens stand where the prompt says, after BOS and "USER: ".
        const QJsonArray prompt = answer["prompt_tokens"].toArray();
        QCOMPARE(prompt.first().toInt(), kBos);
        const auto first = std::find(prompt.begin(), prompt.end(), QJsonValue(kImageToken));
        QVERIFY(first != prompt.end() && first - prompt.begin() > 1);
        QCOMPARE(std::count(prompt.begin(), prompt.end(), QJsonValue(kImageToken)), kImageTokens);
        QVERIFY(std::all_of(first, first + kImageTokens, [](const QJsonValue &t) { return t.toInt() == kImageToken; }));

        QFile tokens(dir.filePath("tokens.json"));
        QVERIFY(tokens.open(QIODevice::WriteOnly));
        tokens.write(QJsonDocument(QJsonArray{prompt}).toJson());
        tokens.close();
        const QJsonArray continued = sculpt::test::runReference({"generate", dir.path(), tokens.fileName(), image, "6"}).array();
        QJsonArray expected;
        for (const QJsonValue &t : continued) {
            if (t.toInt() == kBos || t.toInt() == kEos)
                break;
            expected.append(t);
        }
        QVERIFY(!expected.isEmpty());
        QCOMPARE(answer["tokens"].toArray(), expected);
    }

    void refusals()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        makeModel(dir.path(), {"old", "clip", "5"});
        const QString image = dir.filePath("photo.png");
        sculpt::test::runReference({"image", image, "3"});
        const QString missing = dir.filePath("no-such.png");
        const struct {
            QStringList args;
            const char *says;
        } cases[] = {
            {{"generate", fortunes(""), "--image", image, "--prompt", "Hi"}, "reads no images"},
            {{"generate", dir.path(), "--image", missing, "--prompt", kPrompt}, "no-such.png"},
            {{"generate", dir.path(), "--image", image, "--prompt", "<image> and <image>"}, "2 <image> places for 1 images"},
        };
        for (const auto &c : cases) {
            const auto run = runCli(c.args);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(c.says), run.err.constData());
            QCOMPARE(run.err.count('\n'), 1);
            QVERIFY(run.out.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliGenerateImage)
#include "test_cli_generate_image.moc"
