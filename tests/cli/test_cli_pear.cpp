// `sculpt-cli pear` and `adapt --adapter lily` on the bundled fashion-vit (4 blocks, LoRA on q
// and v: 8 adapter positions) and a task folder of t3's training images and 2,000 of its test
// images (Debian's Fashion-MNIST, always installed): what is
// pruned and who serves it, the knowledge checkpoint keeping the model exactly, the parameters
// stored and trained, Lily's exact size, the folders LoRA and Lily runs write reopening with
// the run's accuracy (`merge` then `eval`, or `eval --adapters`), the run kept in the
// workspace; bad requests refused in one line.

#include "cli_runner.h"
#include "fashion_task.h"

#include "analysis/content_hash.h"
#include "io/formats.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

using namespace sculpt::test;

namespace {
const QString kVit = QStringLiteral(SCULPT_MODELS_DIR "/fashion-vit");
constexpr int64_t kLora = 8 * 64 + 64 * 8; // r 8 on fashion-vit's 64-wide q or v
} // namespace

class TestCliPear : public QObject {
    Q_OBJECT
    QTemporaryDir home_;
    QString task_;

    QJsonObject pear(const QStringList &args) const
    {
        const CliRun run = runCli(QStringList{"pear", kVit, "--task", task_, "--warmup", "1", "--json"} + args);
        if (run.exitCode != 0)
            qWarning("%s", run.err.constData());
        return QJsonDocument::fromJson(run.out).object();
    }

    // `eval` of `model` (with a PEFT folder's adapters on it, if given) on the task's test
    // images: the accuracy, -1 when it fails.
    double testAccuracy(const QString &model, const QString &adapters = {}) const
    {
        QStringList args{"eval", model, "--images", task_ + "/t10k-images-idx3-ubyte", "--labels",
                         task_ + "/t10k-labels-idx1-ubyte", "--json"};
        if (!adapters.isEmpty())
            args << "--adapters" << adapters;
        const CliRun eval = runCli(args);
        if (eval.exitCode != 0)
            qWarning("%s", eval.err.constData());
        return QJsonDocument::fromJson(eval.out).object()["accuracy"].toDouble(-1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("XDG_DATA_HOME", home_.path().toUtf8());
        task_ = writeFashionTask(home_.filePath("fashion"));
    }

    // Half the positions go, the lowest-scored; each is served by a kept one of its role when the
    // nearest block has one (depth's rule), and what is stored shrinks by them, plus a scale each.
    void prunesTheWeakestAndSharesTheStrong()
    {
        const QJsonObject out = pear({"--prune", "0.5", "--epochs", "1"});
        const QJsonArray adapters = out["adapters"].toArray();
        QCOMPARE(adapters.size(), 8);
        int pruned = 0;
        double weakestKept = 1e300, strongestPruned = -1;
        for (const QJsonValue &v : adapters) {
            const QJsonObject a = v.toObject();
            QCOMPARE(a["parameters"].toInt(), kLora);
            if (!a["pruned"].toBool()) {
                weakestKept = std::min(weakestKept, a["score"].toDouble());
                QVERIFY(!a.contains("served_by"));
                continue;
            }
            ++pruned;
            strongestPruned = std::max(strongestPruned, a["score"].toDouble());
            QVERIFY2(a.contains("served_by"), qPrintable(a["site"].toString()));
            const QString server = a["served_by"].toString();
            bool kept = false;
            for (const QJsonValue &w : adapters)
                if (w.toObject()["site"].toString() == server)
                    kept = !w.toObject()["pruned"].toBool();
            QVERIFY2(kept, qPrintable(server));
        }
        QCOMPARE(pruned, 4);
        QVERIFY(strongestPruned <= weakestKept);
        // The checkpoint keeps the pruned ones stored, frozen: only what trains shrinks.
        const QJsonObject stored = out["adapter_parameters"].toObject();
        QCOMPARE(stored["before"].toInt(), 8 * kLora);
        QCOMPARE(stored["after"].toInt(), 8 * kLora + 4);
        QCOMPARE(out["epochs"].toArray().size(), 2);
        QCOMPARE(out["trainable"].toInt(), 4 * kLora + 4 + 650);
    }

    // The checkpoint keeps each pruned adapter in place, frozen, and the shared adapters enter
    // silent: right after pruning, the model predicts exactly as before — LoRA under every
    // rule, and bottleneck adapters, which sit beside an MLP. Plain pruning without it drops
    // what they learned and stores nothing in their place.
    void theKnowledgeCheckpointKeepsTheModel()
    {
        const QStringList runs[] = {{"--share", "depth"}, {"--share", "output"}, {"--no-share"},
                                    {"--share", "depth", "--adapter", "bottleneck"}};
        for (const QStringList &shareArgs : runs) {
            const QString share = shareArgs[0] == "--no-share" ? QStringLiteral("none") : shareArgs[1];
            const QJsonObject out = pear(QStringList{"--prune", "0.75", "--epochs", "0"} + shareArgs);
            QCOMPARE(out["share"].toString(), share);
            QVERIFY(out["knowledge_checkpoint"].toBool());
            // A folded weight rounds differently from W·x + B·A·x: an argmax may flip on an image.
            QVERIFY(std::abs(out["pruned_validation_accuracy"].toDouble() - out["validation_accuracy"].toDouble()) < 0.006);
            QVERIFY(std::abs(out["test_accuracy"].toDouble() - out["unpruned_test_accuracy"].toDouble()) <= kSameFashionAccuracy);
        }
        const QJsonObject plain = pear({"--prune", "0.75", "--epochs", "0", "--no-share", "--no-checkpoint"});
        QCOMPARE(plain["adapter_parameters"].toObject()["after"].toInt(), 2 * kLora);
        QVERIFY(!plain["knowledge_checkpoint"].toBool());
        for (const QJsonValue &v : plain["adapters"].toArray())
            QVERIFY(!v.toObject().contains("served_by"));
    }

    // Lily on q and v with 2 experts: per layer and role LP [8, 64] and a router [2, 8]; per role
    // experts [2, 64, 8] shared by all four layers, trained once; and the classifier. Its folder
    // runs on the base with the accuracy the run reported, and cannot be merged.
    void lilyTrainsItsExactParameterCount()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("lily");
        const CliRun run = runCli({"adapt", kVit, "--task", task_, "--adapter", "lily", "--experts", "2", "--epochs", "1",
                                   "-o", folder, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(out["trainable"].toInt(), 8 * (8 * 64 + 2 * 8) + 2 * (2 * 64 * 8) + 650);
        QVERIFY(out["test_accuracy"].toDouble() > 0.2); // it learns: ten classes
        // Each of the 8 routers' mean weights over the test images: a distribution over 2 experts.
        const QJsonObject routing = out["expert_routing"].toObject();
        QCOMPARE(routing.size(), 8);
        for (const QJsonValue &row : routing) {
            const QJsonArray w = row.toArray();
            QCOMPARE(w.size(), 2);
            QVERIFY(std::abs(w[0].toDouble() + w[1].toDouble() - 1) < 1e-6); // float32 softmaxes, averaged
            QVERIFY(w[0].toDouble() > 0 && w[1].toDouble() > 0);
        }
        QVERIFY(routing.contains("0 q") && routing.contains("3 v"));
        // Batched differently from the run's measurement: an argmax may flip on an image.
        QVERIFY(std::abs(testAccuracy(kVit, folder) - out["test_accuracy"].toDouble()) <= kSameFashionAccuracy);
        const CliRun merging = runCli({"merge", folder, "-o", dir.filePath("merged")});
        QCOMPARE(merging.exitCode, 2);
        QVERIFY2(merging.err.contains("cannot be folded into a weight"), merging.err.constData());
        QVERIFY(!QFile::exists(dir.filePath("merged")));
    }

    // Pear on Lily: the folder holds the kept and the frozen adapters, each role's experts once,
    // and the modules the kept ones serve; on the base it has the accuracy the run reported.
    void pearOnLilyWritesAFolderThatRuns()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("pear-lily");
        const QJsonObject run = pear({"--prune", "0.5", "--epochs", "1", "--adapter", "lily", "--experts", "2", "-o", folder});
        QFile configFile(folder + "/adapter_config.json");
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        const QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
        QCOMPARE(config["peft_type"].toString(), QString("LILY"));
        QCOMPARE(config["sculpt_shared"].toObject().size(), 4);
        QCOMPARE(config["sculpt_tied"].toObject().size(), 6);
        QVERIFY(std::abs(testAccuracy(kVit, folder) - run["test_accuracy"].toDouble()) <= kSameFashionAccuracy);
    }

    void theRunIsKeptInTheWorkspace()
    {
        QTemporaryDir dir;
        const QString file = dir.path() + "/runs.h5";
        const CliRun run = runCli({"pear", kVit, "--task", task_, "--prune", "0.25", "--share", "output", "--warmup", "1",
                                   "--epochs", "1", "--workspace", file, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject out = QJsonDocument::fromJson(run.out).object();
        const std::string model = kVit.toStdString();
        const auto workspace =
            sculpt::Workspace::open(file.toStdString(), {model, sculpt::modelFingerprint(*sculpt::openCheckpoint(model))});
        const auto runs = workspace.adaptations();
        QCOMPARE(runs.size(), size_t(1));
        const sculpt::AdaptationRecord &r = runs[0];
        QCOMPARE(QString::fromStdString(r.command), QString("pear"));
        QCOMPARE(QString::fromStdString(r.method), QString("lora"));
        QCOMPARE(r.changedAfter, int64_t(1));
        QCOMPARE(r.curve.size(), size_t(2));
        QCOMPARE(r.adapterScores.size(), size_t(8));
        QCOMPARE(QString::fromStdString(r.sharing.rule), QString("output"));
        QCOMPARE(r.sharing.fraction, 0.25);
        QVERIFY(r.sharing.knowledgeCheckpoint);
        const QJsonArray adapters = out["adapters"].toArray();
        for (size_t i = 0; i < 8; ++i) {
            const QJsonObject a = adapters[int(i)].toObject();
            QCOMPARE(QString::fromStdString(r.adapterScores[i].position.site), a["site"].toString());
            QCOMPARE(r.adapterScores[i].score, a["score"].toDouble());
            QCOMPARE(bool(r.sharing.pruned[i]), a["pruned"].toBool());
            QCOMPARE(r.sharing.servedBy[i] >= 0, a.contains("served_by"));
        }
        QCOMPARE(r.testAccuracy, out["test_accuracy"].toDouble());
        QCOMPARE(r.referenceTestAccuracy, out["unpruned_test_accuracy"].toDouble());
        QCOMPARE(r.prunedValidationAccuracy, out["pruned_validation_accuracy"].toDouble());
        QCOMPARE(r.predictions.size(), size_t(48));
    }

    // The folder holds each kept LoRA once, the frozen ones, and which module each shared one
    // serves; merged into the base it has the accuracy the run reported.
    void writesAPeftFolderThatMergesToTheSameModel()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("pear"), merged = dir.filePath("merged");
        const QJsonObject run = pear({"--prune", "0.5", "--epochs", "1", "-o", out});
        QCOMPARE(run["output"].toString(), out);
        QFile configFile(out + "/adapter_config.json");
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        const QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
        const QJsonObject shared = config["sculpt_shared"].toObject();
        QCOMPARE(shared.size(), 4);
        for (const QJsonValue &v : run["adapters"].toArray()) {
            const QJsonObject a = v.toObject();
            if (a.contains("served_by"))
                QCOMPARE(shared[a["site"].toString()].toObject()["adapter"].toString(), a["served_by"].toString());
        }
        const CliRun merging = runCli({"merge", out, "-o", merged});
        QVERIFY2(merging.exitCode == 0, merging.err.constData());
        const double accuracy = testAccuracy(merged);
        // A merged weight rounds differently from W·x + B·A·x: an argmax may flip on an image.
        QVERIFY2(std::abs(accuracy - run["test_accuracy"].toDouble()) <= kSameFashionAccuracy,
                 qPrintable(QString("%1 vs %2").arg(accuracy).arg(run["test_accuracy"].toDouble())));
    }

    void refusesBadRequestsInOneLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        QTest::newRow("rule") << QStringList{"--prune", "0.5", "--share", "sideways"} << "unknown share rule 'sideways'";
        QTest::newRow("fraction") << QStringList{"--prune", "1.5"} << "--prune";
        QTest::newRow("both") << QStringList{"--prune", "0.5", "--share", "depth", "--no-share"} << "give one";
        QTest::newRow("adapter") << QStringList{"--prune", "0.5", "--adapter", "prefix"} << "unknown adapter 'prefix'";
        QTest::newRow("warm-up") << QStringList{"--prune", "0.5", "--warmup", "0"} << "--warmup";
        QTest::newRow("bottleneck folder") << QStringList{"--prune", "0.5", "--adapter", "bottleneck", "-o",
                                                          QDir::tempPath() + "/sculpt-pear-never"}
                                           << "bottleneck adapter";
    }

    void refusesBadRequestsInOneLine()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString file = dir.path() + "/runs.h5";
        const CliRun run = runCli(QStringList{"pear", kVit, "--task", "t3", "--workspace", file} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(QString(run.err).contains(says), run.err.constData());
        QCOMPARE(QString(run.err).trimmed().count('\n'), 0);
        QVERIFY(!QFile::exists(file)); // nothing trained, nothing kept
    }

    void answersHelp()
    {
        const CliRun run = runCli({"pear", "--help"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("--no-checkpoint"));
    }
};

QTEST_GUILESS_MAIN(TestCliPear)
#include "test_cli_pear.moc"
