// The Adaptation tab in the real window on the bundled demo, fashion-vit, and task t3 (Debian's
// Fashion-MNIST, always installed): Analyse ▸ Adapt… runs as a job whose curve grows epoch by
// epoch, ends as a row with the starting model's and the result's predictions side by side
// (mistakes counted against the real labels); Mask heads… runs HEAT from the Heads tab's
// settings and writes the pruned model; reopening the model lists both runs again and shows
// the latest scores in the Heads tab. The dialogs carry their requests.

#include "adapt_dialog.h"
#include "adaptation_controller.h"
#include "adaptation_view.h"
#include "background_job.h"
#include "data/image_task.h"
#include "demo_model.h"
#include "head_score_controller.h"
#include "head_score_dialog.h"
#include "head_score_map.h"
#include "main_window.h"
#include "screenshot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QSpinBox>
#include <QTabWidget>
#include <qcustomplot.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

namespace {

// How many of `predictions` differ from t3's first test labels.
int mistakes(const std::vector<int64_t> &predictions, const ImageTask &task)
{
    int wrong = 0;
    for (size_t i = 0; i < predictions.size(); ++i)
        wrong += predictions[i] != int64_t(task.testLabels[i]);
    return wrong;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestWindowAdapt : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        test::isolateSettings();
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void adaptMaskAndReopen()
    {
        QTemporaryDir dir;
        const ImageTask t3 = loadTask("t3", dir.path().toStdString());
        {
            MainWindow window;
            QVERIFY(showAndOpen(window, dir, demoModelPath()));
            QAction *adapt = menuAction(window, "Adapt…");
            QVERIFY2(adapt && adapt->isEnabled(), "Adapt is offered on the demo ViT");
            AdaptationView *view = window.adaptationView();

            AdaptRequest request;
            request.task = "t3";
            request.method = "linear";
            request.epochs = 2;
            BackgroundJob *job = window.adaptation()->startAdapt(request);
            QVERIFY(job);
            // Each epoch's log line comes after its point: the curve has grown by then.
            QList<int> drawnAtEpoch;
            connect(job, &BackgroundJob::logged, this, [&](const QString &line) {
                if (line.contains(QLatin1String("  epoch "))) // after the time stamp
                    drawnAtEpoch << view->curvePointCount();
            });
            QVERIFY(waitForEnd(job, 120000) && job->state() == BackgroundJob::State::Finished);
            QCOMPARE(drawnAtEpoch, QList<int>({1, 2}));
            QCOMPARE(window.views()->currentWidget(), static_cast<QWidget *>(view));
            QTRY_COMPARE(view->runCount(), 1);
            const AdaptationRecord *adapted = view->selectedRun();
            QVERIFY(adapted);
            QCOMPARE(adapted->command, std::string("adapt"));
            QCOMPARE(adapted->curve.size(), size_t(2));
            QCOMPARE(view->curvePointCount(), 2);
            QCOMPARE(view->gridImageCount(AdaptationView::Before), int(AdaptationRecord::kPreviewImages));
            QCOMPARE(view->gridImageCount(AdaptationView::After), int(AdaptationRecord::kPreviewImages));
            QCOMPARE(view->gridMistakes(AdaptationView::Before), mistakes(adapted->referencePredictions, t3));
            QCOMPARE(view->gridMistakes(AdaptationView::After), mistakes(adapted->predictions, t3));
            QVERIFY2(view->gridHeader(AdaptationView::After).contains(accuracyText(adapted->testAccuracy)),
                     qPrintable(view->gridHeader(AdaptationView::After)));
            QVERIFY2(adapted->testAccuracy > 0.7, "a linear probe on fashion-vit's own data set");
            screenshot(window, "62-adaptation.png");

            // HEAT from the Heads tab's settings: half the heads, ranked per layer.
            window.headScoreMap()->setMaskFraction(0.5);
            window.headScoreMap()->setPerLayer(true);
            HeadScoreRequest heat;
            heat.task = "t3";
            heat.strategy = "gate";
            heat.epochs = 1;
            heat.mask = window.headScoreMap()->maskFraction();
            heat.perLayer = window.headScoreMap()->perLayer();
            heat.output = dir.filePath("pruned").toStdString();
            job = waitForEnd(window.headScores()->startScoring(heat), 120000);
            QVERIFY(job && job->state() == BackgroundJob::State::Finished);
            QTRY_COMPARE(view->runCount(), 2);
            QCOMPARE(view->selectedRun()->command, std::string("heat"));
            QCOMPARE(view->curvePointCount(), 2);
            QVERIFY(view->maskLine()->visible());
            QTRY_COMPARE(window.views()->currentWidget(), static_cast<QWidget *>(window.headScoreMap()));
            QCOMPARE(window.headScoreMap()->scores().values, view->selectedRun()->scores.values);
            QCOMPARE(window.headScoreMap()->maskedHeads(), view->selectedRun()->masked);
            int pruned = 0;
            for (const auto &heads : readJson(dir.filePath("pruned/config.json"))["pruned_heads"].toObject())
                pruned += int(heads.toArray().size());
            QCOMPARE(pruned, 8); // two of each layer's four
        }

        // Reopened: both runs listed again, the heat run's scores in the Heads tab.
        MainWindow again;
        again.setWorkspaceFolder(dir.filePath("workspaces"));
        QVERIFY(openAndWait(again, demoModelPath()));
        QTRY_COMPARE(again.adaptationView()->runCount(), 2);
        QTRY_COMPARE(again.headScoreMap()->scores().values.size(), size_t(16));
        QCOMPARE(again.headScoreMap()->maskedHeads().size(), size_t(8));
        QVERIFY(again.headScoreMap()->perLayer());
    }

    void theMaskDialogCarriesTheRequest()
    {
        HeadScoreRequest shown;
        shown.task = "t3";
        shown.strategy = "activations";
        shown.mask = 0.25;
        shown.perLayer = true;
        HeadScoreDialog dialog("fashion-vit", {"weights", "activations", "gate"}, shown);
        HeadScoreRequest r = dialog.request();
        QCOMPARE(r.mask, 0.25);
        QVERIFY(r.perLayer);
        QVERIFY(r.output.empty());
        for (QSpinBox *box : dialog.findChildren<QSpinBox *>())
            if (box->suffix() == QLatin1String(" %"))
                box->setValue(50);
        dialog.findChild<QCheckBox *>()->setChecked(false);
        r = dialog.request();
        QCOMPARE(r.mask, 0.5);
        QVERIFY(!r.perLayer);

        shown.mask = -1; // scoring only: no mask fields
        HeadScoreDialog scoring("fashion-vit", {"gate"}, shown);
        QVERIFY(!scoring.findChild<QCheckBox *>());
        QCOMPARE(scoring.request().mask, -1.0);
    }

    void theAdaptDialogCarriesTheRequest()
    {
        AdaptRequest shown;
        shown.task = "t2";
        shown.method = "full";
        shown.epochs = 3;
        shown.learningRate = 1e-3;
        shown.seed = 7;
        shown.dataRoot = "/data";
        shown.output = "/tmp/out";
        const std::vector<AdapterKindInfo> kinds{{"lora", "LoRA on q and v", {"rank", "alpha", "roles"}, true},
                                                 {"bottleneck", "Bottleneck", {"rank", "scale"}, false},
                                                 {"lily", "Lily", {"rank", "alpha", "roles", "experts"}, true}};
        AdaptDialog dialog("fashion-vit", kinds, shown);
        AdaptRequest r = dialog.request();
        QCOMPARE(r.task, std::string("t2"));
        QCOMPARE(r.method, std::string("full"));
        QCOMPARE(r.epochs, 3);
        QCOMPARE(r.learningRate, 1e-3);
        QCOMPARE(r.seed, uint64_t(7));
        QCOMPARE(r.dataRoot, std::string("/data"));
        QCOMPARE(r.output, std::string("/tmp/out"));
        // A folder of IDX files typed (or browsed) in place of a named task is the task.
        shown.task = "/data/kmnist";
        QCOMPARE(AdaptDialog("fashion-vit", kinds, shown).request().task, std::string("/data/kmnist"));
        // Bottleneck adapters have no folder form: the folder is not asked for.
        QComboBox *method = nullptr;
        for (QComboBox *box : dialog.findChildren<QComboBox *>())
            if (box->findData(QStringLiteral("bottleneck")) >= 0)
                method = box;
        QVERIFY(method);
        method->setCurrentIndex(method->findData(QStringLiteral("bottleneck")));
        r = dialog.request();
        QCOMPARE(r.method, std::string("bottleneck"));
        QVERIFY(r.output.empty());
        // The experts field is asked for by the kinds that read it: Lily's, not the bottleneck's.
        QSpinBox *experts = nullptr;
        for (QSpinBox *box : dialog.findChildren<QSpinBox *>())
            if (box->value() == int(shown.experts) && box->maximum() == 64)
                experts = box;
        QVERIFY(experts);
        QVERIFY(!experts->isEnabled());
        method->setCurrentIndex(method->findData(QStringLiteral("lily")));
        QVERIFY(experts->isEnabled());
        experts->setValue(3);
        r = dialog.request();
        QCOMPARE(r.method, std::string("lily"));
        QCOMPARE(r.experts, int64_t(3));
        QCOMPARE(r.output, std::string("/tmp/out")); // Lily's folder form: asked for again
    }
};

QTEST_MAIN(TestWindowAdapt)
#include "test_window_adapt.moc"
