// `sculpt-cli compress` on a vision-language model as a user runs it: HiMix's conversion of a
// tiny random-weight LLaVA folder (tests/reference/llava_reference.py, the bundled fortunes
// tokenizer beside it), trained on PNGs with questions and answers in LLaVA's conversation
// form, logs a loss per step, reports the decoder's multiply-adds before and after, and writes
// a HiMix folder that answers through `generate`; svd-llm and SoCo calibrate on the same image
// questions; `eval --vqa` scores answers. What HiMix cannot take
// is refused in one line.

#include "cli_runner.h"
#include "../runtime/llama2c_reference.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using sculpt::test::runCli;

namespace {

QString fortunes(const char *file) { return QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama/") + file; }

// A reference LLaVA folder with the fortunes tokenizer, four images and questions about them.
struct Fixture {
    QTemporaryDir dir;
    QString model, questions;

    Fixture()
    {
        model = dir.filePath("llava");
        QDir(dir.path()).mkdir("llava");
        sculpt::test::runReference({"make", model, "old", "clip", "5", "vocab=1025"});
        QFile::copy(fortunes("tokenizer.model"), model + "/tokenizer.model");
        const char *answers[] = {"a red shirt", "a pair of shoes", "a small bag", "a blue coat"};
        QJsonArray entries;
        for (int i = 0; i < 4; ++i) {
            const QString name = QString("photo%1.png").arg(i);
            sculpt::test::runReference({"image", dir.filePath(name), QString::number(i + 1)});
            entries.append(QJsonObject{
                {"image", name},
                {"conversations", QJsonArray{QJsonObject{{"from", "human"}, {"value", "<image>\nWhat is it?"}},
                                             QJsonObject{{"from", "gpt"}, {"value", answers[i]}}}}});
        }
        questions = dir.filePath("questions.json");
        QFile f(questions);
        f.open(QIODevice::WriteOnly);
        f.write(QJsonDocument(entries).toJson());
    }
};

QJsonObject generated(const QString &model, const QString &image)
{
    const auto run = runCli({"generate", model, "--image", image, "--prompt", "What is it?", "--max-tokens", "4", "--json"});
    if (run.exitCode != 0)
        qWarning("%s", run.err.constData());
    return QJsonDocument::fromJson(run.out).object();
}

} // namespace

class TestCliHimix : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convertsAndLearns()
    {
        SCULPT_REQUIRE_REFERENCE();
        Fixture f;
        const QString out = f.dir.filePath("himix"), log = f.dir.filePath("log.jsonl");
        const auto run = runCli({"compress", f.model, "--method", "himix", "--calib-images", f.questions, "-o", out,
                                 "--set", "steps=12", "--set", "learning_rate=0.01", "--log", log, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(summary["method"].toString(), QString("himix"));
        // Two layers, each a norm of 32 and k/v projections of 32 → 2 × 8.
        QCOMPARE(summary["parameters_added"].toInteger(), 2 * (32 + 2 * 16 * 32));
        QCOMPARE(summary["parameters_after"].toInteger() - summary["parameters_before"].toInteger(),
                 summary["parameters_added"].toInteger());
        const double before = summary["decoder_gflops_before"].toDouble(), after = summary["decoder_gflops_after"].toDouble();
        QVERIFY2(after > 0 && after < before, run.out.constData());

        QFile lines(log);
        QVERIFY(lines.open(QIODevice::ReadOnly));
        QList<QJsonObject> steps;
        for (const QByteArray &line : lines.readAll().split('\n'))
            if (!line.isEmpty())
                steps.append(QJsonDocument::fromJson(line).object());
        QCOMPARE(steps.size(), 12);
        QCOMPARE(steps.last()["step"].toInt(), 12);
        QVERIFY(steps.first()["vanilla_loss"].toDouble() > 0);
        // Every step sees all four questions: training on them lowers their loss.
        QVERIFY2(steps.last()["loss"].toDouble() < steps.first()["loss"].toDouble(), run.out.constData());

        // The folder is a HiMix model: it answers, and its decoder costs less per answer.
        const QString image = f.dir.filePath("photo0.png");
        const QJsonObject vanilla = generated(f.model, image), himix = generated(out, image);
        QVERIFY(!himix.isEmpty() && !vanilla.isEmpty());
        QVERIFY(himix["decoder_gflops"].toDouble() < vanilla["decoder_gflops"].toDouble());
        QVERIFY(QFile::exists(out + "/tokenizer.model"));
    }

    void passesCalibrateOnImageQuestions_data()
    {
        QTest::addColumn<QStringList>("method");
        QTest::newRow("svd-llm") << QStringList{"svd-llm"};
        // SoCo stacks the questions one a row; a short schedule keeps the test quick.
        QTest::newRow("soco") << QStringList{"soco", "--set", "coarse_steps=4", "--set", "refine_steps=4", "--set",
                                             "sparsify_steps=4"};
    }
    void passesCalibrateOnImageQuestions()
    {
        QFETCH(QStringList, method);
        SCULPT_REQUIRE_REFERENCE();
        Fixture f;
        const QString out = f.dir.filePath(method.front());
        const auto run = runCli(QStringList{"compress", f.model, "--method"} + method +
                                QStringList{"--ratio", "0.3", "--calib-images", f.questions, "-o", out, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QJsonDocument::fromJson(run.out).object()["ratio"].toDouble() > 0.25);
        QVERIFY(!generated(out, f.dir.filePath("photo1.png")).isEmpty());
        if (method.front() != "soco")
            return;
        // A HiMix model's logits leave out the image: SoCo says so in one line.
        const QString himix = f.dir.filePath("himix");
        QVERIFY(QDir(f.dir.path()).mkdir("himix"));
        sculpt::test::runReference({"make", himix, "old", "clip", "5", "himix", "vocab=1025"});
        QFile::copy(fortunes("tokenizer.model"), himix + "/tokenizer.model");
        const auto refused = runCli(QStringList{"compress", himix, "--method"} + method +
                                    QStringList{"--ratio", "0.3", "--calib-images", f.questions, "-o", out + "-himix"});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("leave out the image"), refused.err.constData());
        QCOMPARE(refused.err.count('\n'), 1);
        QVERIFY(!QFile::exists(out + "-himix"));
    }

    // eval --vqa: answers compared as VQA does — a question whose reference is the model's own
    // greedy answer (in capitals, with a full stop) counts, the last one's other answer does
    // not, nor one whose answer is not whole UTF-8 (this random model may end on half a
    // character, which --json cannot print as it is).
    void answerAccuracy()
    {
        SCULPT_REQUIRE_REFERENCE();
        Fixture f;
        QJsonArray entries;
        int right = 0;
        for (int i = 0; i < 4; ++i) {
            const QString name = QString("photo%1.png").arg(i);
            QString said = generated(f.model, f.dir.filePath(name))["text"].toString().section('\n', 0, 0);
            const bool own = i < 3 && !said.contains(QChar::ReplacementCharacter);
            right += own;
            for (QChar &c : said)
                if (c.unicode() < 128)
                    c = c.toUpper();
            entries.append(QJsonObject{
                {"image", name},
                {"conversations", QJsonArray{QJsonObject{{"from", "human"}, {"value", "<image>\nWhat is it?"}},
                                             QJsonObject{{"from", "gpt"}, {"value", own ? said + "." : "zz not it"}}}}});
        }
        QVERIFY(right > 0);
        const QString vqa = f.dir.filePath("vqa.json");
        QFile file(vqa);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(entries).toJson());
        file.close();
        const auto run = runCli({"eval", f.model, "--vqa", vqa, "--max-tokens", "4", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(result["questions"].toInt(), 4);
        QCOMPARE(result["correct"].toInt(), right);
        QCOMPARE(result["accuracy"].toDouble(), right / 4.0);
        QVERIFY(result["decoder_gflops_per_answer"].toDouble() > 0);

        const auto text = runCli({"eval", fortunes(""), "--vqa", vqa});
        QCOMPARE(text.exitCode, 2);
        QVERIFY2(text.err.contains("reads no images"), text.err.constData());
        QCOMPARE(text.err.count('\n'), 1);
    }

    void refusals()
    {
        SCULPT_REQUIRE_REFERENCE();
        Fixture f;
        QFile broken(f.dir.filePath("broken.json"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write(R"([{"image": "gone.png", "conversations": [{"from": "human", "value": "<image>"},
                        {"from": "gpt", "value": "a hat"}]}])");
        broken.close();
        const QString out = f.dir.filePath("out");
        const struct {
            QStringList args;
            const char *says;
        } cases[] = {
            {{"compress", f.model, "--method", "himix", "--ratio", "0.4", "--calib-images", f.questions, "-o", out},
             "takes no --ratio"},
            {{"compress", f.model, "--method", "himix", "--calib", f.questions, "-o", out}, "--calib-images"},
            {{"compress", f.model, "--method", "himix", "-o", out}, "--calib-images"},
            {{"compress", f.model, "--method", "himix", "--calib-images", f.questions, "--set", "batch=0", "-o", out},
             "a batch of at least one question"},
            {{"compress", f.model, "--method", "himix", "--calib-images", broken.fileName(), "-o", out}, "gone.png"},
            {{"compress", fortunes(""), "--method", "himix", "--calib-images", f.questions, "-o", out}, "reads no images"},
        };
        for (const auto &c : cases) {
            const auto run = runCli(c.args);
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(c.says), run.err.constData());
            QCOMPARE(run.err.count('\n'), 1);
            QVERIFY(!QFile::exists(out));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliHimix)
#include "test_cli_himix.moc"
