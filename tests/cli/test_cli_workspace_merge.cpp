// `sculpt-cli spectra --shard K/N` into workspace parts and `sculpt-cli workspace merge` joining
// them, as a job array's tasks and the user at home will run them: three shards merged give the
// unsharded run's workspace spectrum by spectrum; merging again skips everything; a part of
// another model, a damaged or a missing one is refused and the workspace kept byte for byte;
// more shards than matrices; a randomized shard keeps its method; bad arguments are one line.

#include "cli_runner.h"
#include "test_files.h"

#include "analysis/content_hash.h"
#include "analysis/spectra_job.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "model/inventory.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <set>

using sculpt::test::checkRefused;
using sculpt::test::CliRun;
using sculpt::test::runCli;

namespace {

const QString kModel = QStringLiteral(SCULPT_MODELS_DIR "/fortunes-llama");
const QString kOtherModel = QStringLiteral(SCULPT_MODELS_DIR "/fashion-vit");
constexpr int kShards = 3;

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject jsonOf(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

std::set<QString> tensorNames(const QJsonObject &spectraJson)
{
    std::set<QString> names;
    for (const auto &t : spectraJson["tensors"].toArray())
        names.insert(t.toObject()["name"].toString());
    return names;
}

} // namespace

class TestCliWorkspaceMerge : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::unique_ptr<sculpt::Checkpoint> checkpoint_;
    sculpt::ModelIdentity identity_;
    QJsonObject whole_;                     // the unsharded run's --json
    std::vector<QJsonObject> shards_;       // each shard's --json
    QString part(int k) const { return dir_.filePath(QString("part-%1.h5").arg(k)); }
    QStringList parts() const
    {
        QStringList list;
        for (int k = 1; k <= kShards; ++k)
            list << part(k);
        return list;
    }
    sculpt::Workspace open(const QString &path) const { return sculpt::Workspace::open(path.toStdString(), identity_); }
    std::string hashOf(const std::string &tensor) const
    {
        return sculpt::contentHash(checkpoint_->bytes(checkpoint_->at(tensor)));
    }

private Q_SLOTS:
    // One unsharded exact run and the same as three shards, for the tests below to compare.
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        checkpoint_ = sculpt::openCheckpoint(kModel.toStdString());
        identity_ = {kModel.toStdString(), sculpt::modelFingerprint(*checkpoint_)};
        const CliRun whole =
            runCli({"spectra", kModel, "--exact", "--json", "--workspace", dir_.filePath("whole.h5")});
        QVERIFY2(whole.exitCode == 0, whole.err.constData());
        whole_ = jsonOf(whole);
        for (int k = 1; k <= kShards; ++k) {
            const CliRun run = runCli({"spectra", kModel, "--exact", "--json", "--shard", QString("%1/%2").arg(k).arg(kShards),
                                       "--workspace", part(k)});
            QVERIFY2(run.exitCode == 0, run.err.constData());
            shards_.push_back(jsonOf(run));
        }
    }

    void shardsSplitTheMatricesOnce()
    {
        std::set<QString> seen;
        for (int k = 1; k <= kShards; ++k) {
            const QJsonObject &shard = shards_[size_t(k) - 1];
            QCOMPARE(shard["shard"].toObject()["index"].toInt(), k);
            QCOMPARE(shard["shard"].toObject()["count"].toInt(), kShards);
            QCOMPARE(shard["workspace"].toString(), part(k));
            QVERIFY(shard["skipped"].toArray().isEmpty()); // the norms are no shard's
            const std::set<QString> names = tensorNames(shard);
            QVERIFY(!names.empty());
            for (const QString &name : names)
                QVERIFY2(seen.insert(name).second, qPrintable(name + " is in two shards"));
            QCOMPARE(open(part(k)).tensors().size(), names.size());
        }
        QCOMPARE(seen, tensorNames(whole_));
        QVERIFY(!whole_["skipped"].toArray().isEmpty());
    }

    void mergedPartsAreTheUnshardedWorkspace()
    {
        const QString merged = dir_.filePath("merged.h5");
        const CliRun run = runCli(QStringList{"workspace", "merge", merged} + parts() + QStringList{"--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject report = jsonOf(run);
        QCOMPARE(report["workspace"].toString(), merged);
        QCOMPARE(size_t(report["added"].toInt()), tensorNames(whole_).size());
        QCOMPARE(report["skipped"].toInt(), 0);
        QCOMPARE(report["replaced"].toInt(), 0);
        const QJsonArray perPart = report["parts"].toArray();
        QCOMPARE(perPart.size(), kShards);
        for (int k = 1; k <= kShards; ++k) {
            const QJsonObject p = perPart[k - 1].toObject();
            QCOMPARE(p["path"].toString(), part(k));
            QCOMPARE(size_t(p["added"].toInt()), tensorNames(shards_[size_t(k) - 1]).size());
            QVERIFY(p["not_merged"].toObject().isEmpty());
        }

        const sculpt::Workspace expected = open(dir_.filePath("whole.h5"));
        const sculpt::Workspace got = open(merged);
        QCOMPARE(got.tensors(), expected.tensors());
        for (const std::string &tensor : expected.tensors()) {
            const std::string hash = hashOf(tensor);
            QCOMPARE(got.methods(tensor, hash), std::vector<std::string>{"exact"});
            const auto a = expected.spectrum(tensor, "exact", hash);
            const auto b = got.spectrum(tensor, "exact", hash);
            QVERIFY2(a && b, tensor.c_str());
            QCOMPARE(b->contentHash, a->contentHash);
            QCOMPARE(b->rows, a->rows);
            QCOMPARE(b->cols, a->cols);
            QVERIFY2(b->singularValues == a->singularValues, tensor.c_str()); // exact: the same numbers
            QCOMPARE(b->metrics.stableRank, a->metrics.stableRank);
            QCOMPARE(b->metrics.rank90, a->metrics.rank90);
        }
    }

    void mergingAgainSkipsEverything()
    {
        const QString merged = dir_.filePath("merged.h5");
        QVERIFY(QFileInfo::exists(merged));
        const size_t before = open(merged).tensors().size();
        const QByteArray bytes = contents(merged);
        const CliRun json = runCli(QStringList{"workspace", "merge", merged} + parts() + QStringList{"--json"});
        QVERIFY2(json.exitCode == 0, json.err.constData());
        QCOMPARE(jsonOf(json)["added"].toInt(), 0);
        QCOMPARE(size_t(jsonOf(json)["skipped"].toInt()), before);
        const CliRun text = runCli(QStringList{"workspace", "merge", merged, part(1)});
        QVERIFY2(text.exitCode == 0, text.err.constData());
        QVERIFY2(text.out.contains(": 0 spectra added"), text.out.constData());
        QCOMPARE(open(merged).tensors().size(), before);
        QCOMPARE(contents(merged), bytes); // nothing new: not rewritten
    }

    // Evaluations and passes (a cluster job's results) come along once: a second merge knows
    // them by what they were, when they finished and how long they ran.
    void recordsComeAlongOnce()
    {
        QTemporaryDir scratch;
        const QString withRecords = scratch.filePath("with-records.h5");
        QVERIFY(QFile::copy(part(1), withRecords));
        sculpt::Workspace edited = open(withRecords);
        sculpt::Evaluation evaluation;
        evaluation.metric = "perplexity";
        evaluation.value = 12.5;
        evaluation.date = "2026-12-05T10:00:00Z";
        evaluation.seconds = 3.25;
        edited.putEvaluation(evaluation);
        evaluation.value = 13.5; // a second measurement, a second later
        evaluation.date = "2026-12-05T10:00:01Z";
        edited.putEvaluation(evaluation);
        sculpt::PassRecord pass;
        pass.summary.method = "svd";
        pass.summary.targetRatio = 0.3;
        pass.date = "2026-12-05T10:01:00Z";
        pass.summary.seconds = 1.5;
        edited.putPass(pass);
        edited.save();

        const QString merged = scratch.filePath("merged.h5");
        const CliRun json = runCli({"workspace", "merge", merged, withRecords, "--json"});
        QVERIFY2(json.exitCode == 0, json.err.constData());
        QCOMPARE(jsonOf(json)["records_added"].toInt(), 3);
        const sculpt::Workspace once = open(merged);
        QCOMPARE(once.evaluations().size(), size_t(2));
        QCOMPARE(once.evaluations()[1].value, 13.5);
        QCOMPARE(once.passes().size(), size_t(1));
        QCOMPARE(once.passes()[0].summary.targetRatio, 0.3);
        const QByteArray bytes = contents(merged);

        const CliRun again = runCli({"workspace", "merge", merged, withRecords});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY2(again.out.contains("0 records (evaluations, passes, runs) added, 3 there already"), again.out.constData());
        QCOMPARE(contents(merged), bytes);
    }

    void partOfAnotherModelIsRefused()
    {
        const QString other = dir_.filePath("other-model.h5");
        const CliRun made = runCli({"spectra", kOtherModel, "--shard", "1/2", "--workspace", other, "--match", "query"});
        QVERIFY2(made.exitCode == 0, made.err.constData());

        const QString merged = dir_.filePath("merged.h5");
        QVERIFY(QFileInfo::exists(merged));
        const QByteArray before = contents(merged);
        checkRefused(runCli({"workspace", "merge", merged, part(1), other}), other);
        QCOMPARE(contents(merged), before);

        // A new workspace belongs to its first part's model: a later part of another is refused.
        const QString fresh = dir_.filePath("fresh.h5");
        checkRefused(runCli({"workspace", "merge", fresh, other, part(1)}), part(1));
        QVERIFY(!QFileInfo::exists(fresh));
    }

    void damagedPartIsRefused_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("truncated") << "truncated";
        QTest::newRow("text") << "text";
        QTest::newRow("missing") << "missing";
        QTest::newRow("folder") << "folder";
    }
    void damagedPartIsRefused()
    {
        QFETCH(QString, kind);
        QTemporaryDir scratch;
        const QString bad = scratch.filePath("bad.h5");
        if (kind == "truncated") {
            const QByteArray whole = contents(part(2));
            sculpt::test::writeFile(bad, whole.left(whole.size() / 2));
        } else if (kind == "text") {
            sculpt::test::writeFile(bad, "not a workspace\n");
        } else if (kind == "folder") {
            QVERIFY(QDir().mkpath(bad));
        }
        const QString merged = dir_.filePath("merged.h5");
        QVERIFY(QFileInfo::exists(merged));
        const QByteArray before = contents(merged);
        checkRefused(runCli({"workspace", "merge", merged, part(1), bad}), bad);
        QCOMPARE(contents(merged), before);
    }

    // More shards than the match selects matrices: the last shard is empty, and its part says so.
    void shardWithoutMatrices()
    {
        const QString match = "layers\\.0\\.self_attn\\.[qk]_proj";
        QTemporaryDir scratch;
        const QString empty = scratch.filePath("part-3-of-3.h5");
        const CliRun run = runCli({"spectra", kModel, "--shard", "3/3", "--workspace", empty, "--match", match, "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(jsonOf(run)["tensors"].toArray().isEmpty());
        QVERIFY(QFileInfo::exists(empty)); // the task ran: its part exists, empty
        QVERIFY(open(empty).tensors().empty());
        for (const char *k : {"1/3", "2/3"}) {
            const CliRun one = runCli({"spectra", kModel, "--shard", k, "--workspace", scratch.filePath("p.h5"), "--match",
                                       match, "--json"});
            QCOMPARE(jsonOf(one)["tensors"].toArray().size(), 1);
        }
        const CliRun merge = runCli({"workspace", "merge", scratch.filePath("ws.h5"), empty, "--json"});
        QVERIFY2(merge.exitCode == 0, merge.err.constData());
        QCOMPARE(jsonOf(merge)["added"].toInt(), 0);
    }

    // A randomized shard computes the same matrices under its own method, as the core deals them.
    void randomizedShardKeepsItsMethod()
    {
        const std::string match = "layers\\.1\\.";
        QTemporaryDir scratch;
        const QString partFile = scratch.filePath("top4.h5");
        const CliRun run = runCli({"spectra", kModel, "--topk", "4", "--shard", "2/3", "--workspace", partFile,
                                   "--match", QString::fromStdString(match), "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto dealt = sculpt::shardOf(sculpt::spectraMatrices(sculpt::buildInventory(*checkpoint_), match), {2, 3});
        const std::set<std::string> expected(dealt.matrices.begin(), dealt.matrices.end());
        const sculpt::Workspace saved = open(partFile);
        const std::vector<std::string> tensors = saved.tensors();
        QCOMPARE(std::set<std::string>(tensors.begin(), tensors.end()), expected);
        for (const std::string &tensor : tensors)
            QCOMPARE(saved.methods(tensor, hashOf(tensor)), std::vector<std::string>{"top4"});
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        for (const char *shard : {"0/4", "5/4", "x", "3", "-1/4", "1/4x", "1/99999999999"})
            QTest::addRow("--shard %s", shard) << QStringList{"spectra", "MODEL", "--shard", shard, "--workspace", "PART"}
                                               << shard;
        QTest::newRow("--shard, no --workspace") << QStringList{"spectra", "MODEL", "--shard", "1/4"} << "--workspace";
        QTest::newRow("no subcommand") << QStringList{"workspace"} << "usage";
        QTest::newRow("unknown subcommand") << QStringList{"workspace", "split", "WS", "PART"} << "usage";
        QTest::newRow("no part") << QStringList{"workspace", "merge", "WS"} << "usage";
        QTest::newRow("unknown option") << QStringList{"workspace", "merge", "--yaml", "WS", "PART"} << "--yaml";
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        QTemporaryDir scratch;
        args.replaceInStrings("MODEL", kModel);
        args.replaceInStrings("PART", part(1));
        args.replaceInStrings("WS", scratch.filePath("ws.h5"));
        checkRefused(runCli(args), mentions);
        QVERIFY(!QFileInfo::exists(scratch.filePath("ws.h5")));
    }

    void answersHelp()
    {
        const CliRun run = runCli({"workspace", "merge", "--help"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains("sculpt-cli workspace merge WORKSPACE PART..."), run.out.constData());
        const CliRun spectra = runCli({"spectra", "--help"});
        QVERIFY2(spectra.out.contains("--shard K/N --workspace PART_FILE"), spectra.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliWorkspaceMerge)
#include "test_cli_workspace_merge.moc"
