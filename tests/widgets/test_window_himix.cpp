// Compress ▸ on a vision-language model in the real window: a tiny random-weight LLaVA folder
// (tests/reference/llava_reference.py, the bundled fortunes tokenizer beside it) offers the
// himix conversion, which takes images with questions instead of text and no ratio; a short
// run is stored with its loss per step, the parameters it added and the decoder's GFLOPs.

#include "../runtime/llama2c_reference.h"
#include "background_job.h"
#include "compress_dialog.h"
#include "compression_view.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>

using namespace sculpt;
using namespace sculpt::test;

class TestWindowHimix : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void convertsThroughTheDialog()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        const QString model = dir.filePath("llava");
        QVERIFY(QDir(dir.path()).mkdir("llava"));
        runReference({"make", model, "old", "clip", "5", "vocab=1025"});
        QVERIFY(QFile::copy(SCULPT_MODELS_DIR "/fortunes-llama/tokenizer.model", model + "/tokenizer.model"));
        QJsonArray entries;
        for (int i = 0; i < 2; ++i) {
            const QString name = QString("photo%1.png").arg(i);
            runReference({"image", dir.filePath(name), QString::number(i + 1)});
            entries.append(QJsonObject{
                {"image", name},
                {"conversations", QJsonArray{QJsonObject{{"from", "human"}, {"value", "<image>\nWhat is it?"}},
                                             QJsonObject{{"from", "gpt"}, {"value", i ? "a bag" : "a shoe"}}}}});
        }
        const QString questions = dir.filePath("questions.json");
        QFile file(questions);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(entries).toJson());
        file.close();

        MainWindow window;
        QVERIFY(showAndOpen(window, dir, model));
        QAction *compress = menuAction(window, "Compress…");
        QVERIFY(compress && compress->isEnabled());
        compress->trigger();
        auto *dialog = window.findChild<CompressDialog *>("compressDialog");
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->method()->count(), 6); // the five SVD passes and himix
        dialog->setMethod("himix");
        QVERIFY(!dialog->ratio()->isEnabled());
        QLabel *label = nullptr; // the calibration row's, which names what it takes
        for (QFormLayout *form : dialog->findChildren<QFormLayout *>())
            if (QWidget *l = form->labelForField(dialog->calibrationFile()->parentWidget()))
                label = qobject_cast<QLabel *>(l);
        QVERIFY(label && label->text().contains("Image questions"));
        dialog->calibrationFile()->setText(questions);
        qobject_cast<QLineEdit *>(dialog->setting("steps"))->setText("3");
        QVERIFY(dialog->okButton()->isEnabled());
        dialog->okButton()->click();

        BackgroundJob *job = window.jobsPanel()->jobs().constFirst();
        QCOMPARE(job->title(), QString("Convert llava with himix"));
        QVERIFY(waitForEnd(job, 120000));
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary()));
        QVERIFY2(job->summary().contains("GFLOPs per answer"), qPrintable(job->summary()));
        CompressionView *view = window.compressionView();
        QCOMPARE(view->records().size(), size_t(1));
        const PassRecord r = view->records()[0];
        QCOMPARE(r.summary.method, std::string("himix"));
        QCOMPARE(r.calibration, std::string("image questions"));
        QCOMPARE(r.log.size(), size_t(3));
        QVERIFY(r.summary.parametersAdded > 0);
        QVERIFY(r.summary.decoderMacsAfter < r.summary.decoderMacsBefore);
        QVERIFY2(view->summaryText().contains("parameters added"), qPrintable(view->summaryText()));
    }
};

QTEST_MAIN(TestWindowHimix)
#include "test_window_himix.moc"
