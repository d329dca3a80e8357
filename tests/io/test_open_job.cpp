// Opening a sharded model is a job: it reports each shard and stops when cancelled.

#include "io/formats.h"
#include "io/safetensors.h"
#include "test_files.h"

#include <QTemporaryDir>

using namespace sculpt;

namespace {

// Three one-tensor shards and their index; returns the index path.
QString writeShardedModel(const QTemporaryDir &dir)
{
    static const std::vector<float> values{1, 2, 3, 4};
    QString map;
    for (int i = 1; i <= 3; ++i) {
        const QString shard = QStringLiteral("model-%1-of-3.safetensors").arg(i);
        const std::string name = "layers." + std::to_string(i) + ".weight";
        writeSafetensors(dir.filePath(shard).toStdString(), {{name, DType::F32, {2, 2}, std::as_bytes(std::span(values))}});
        map += QStringLiteral("%1\"%2\": \"%3\"").arg(i > 1 ? "," : "", QString::fromStdString(name), shard);
    }
    const QString index = dir.filePath("model.safetensors.index.json");
    test::writeFile(index, QStringLiteral("{\"weight_map\": {%1}}").arg(map).toUtf8());
    return index;
}

} // namespace

class TestOpenJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reportsEveryShard()
    {
        QTemporaryDir dir;
        const QString index = writeShardedModel(dir);
        std::vector<Progress> reports;
        const JobContext job([&](const Progress &p) { reports.push_back(p); }, nullptr);
        const auto model = openCheckpoint(index.toStdString(), job);
        QCOMPARE(model->tensors().size(), size_t(3));
        QCOMPARE(reports.size(), size_t(4));
        for (long i = 0; i < 4; ++i) {
            QCOMPARE(reports[size_t(i)].done, i);
            QCOMPARE(reports[size_t(i)].total, 3L);
        }
        QCOMPARE(reports[1].message, std::string("opening model-2-of-3.safetensors"));
    }

    void stopsWhenCancelled()
    {
        QTemporaryDir dir;
        const QString index = writeShardedModel(dir);
        std::atomic<bool> cancel{false};
        long reports = 0;
        // Cancel as the second shard starts, the way a Cancel button would mid-open.
        const JobContext job(
            [&](const Progress &p) {
                ++reports;
                if (p.done == 1)
                    cancel = true;
            },
            &cancel);
        QVERIFY_THROWS_EXCEPTION(Cancelled, openCheckpoint(index.toStdString(), job));
        QCOMPARE(reports, 2L);
    }
};

QTEST_APPLESS_MAIN(TestOpenJob)
#include "test_open_job.moc"
