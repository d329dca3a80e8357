// Pear in the real window on the bundled demo, fashion-vit, and task t3 (Debian's
// Fashion-MNIST, always installed): Analyse ▸ Prune adapters… runs as a job of the Adaptation
// tab (the curve marks where pruning happened), and the Adapters tab's bar chart shows every
// adapter's score with the pruned ones linked to the adapters that serve them; reopening the
// model shows the run again. A Lily run's routers show in the heatmap under the chart. The
// dialog carries its request.

#include "adaptation_controller.h"
#include "adaptation_view.h"
#include "adapter_importance_chart.h"
#include "adapter_pruning_controller.h"
#include "background_job.h"
#include "expert_routing_map.h"
#include "demo_model.h"
#include "main_window.h"
#include "prune_adapters_dialog.h"
#include "screenshot.h"
#include "test_settings.h"
#include "window_driving.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSpinBox>
#include <QTabWidget>
#include <qcustomplot.h>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

class TestWindowPear : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        test::isolateSettings();
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (packaging/setup.sh installs it)");
    }

    void pruneShareAndReopen()
    {
        QTemporaryDir dir;
        {
            MainWindow window;
            QVERIFY(showAndOpen(window, dir, demoModelPath()));
            QAction *prune = menuAction(window, "Prune adapters…");
            QVERIFY2(prune && prune->isEnabled(), "Prune adapters is offered on the demo ViT");
            PruneAdaptersRequest request;
            request.task = "t3";
            request.warmup = 1;
            request.epochs = 1;
            request.prune = 0.5;
            BackgroundJob *job = waitForEnd(window.adapterPruning()->startPruning(request), 120000);
            QVERIFY(job && job->state() == BackgroundJob::State::Finished);
            AdaptationView *view = window.adaptationView();
            QTRY_COMPARE(view->runCount(), 1);
            const AdaptationRecord *run = view->selectedRun();
            QCOMPARE(run->command, std::string("pear"));
            QCOMPARE(view->curvePointCount(), 2);
            QVERIFY(view->maskLine()->visible()); // pruned after the warm-up
            QTRY_COMPARE(window.views()->currentWidget(), window.adapterChart()->parentWidget());
            AdapterImportanceChart *chart = window.adapterChart();
            QCOMPARE(chart->scores().size(), size_t(8));
            QCOMPARE(chart->fraction(), 0.5);
            QCOMPARE(chart->prunedPositions().size(), size_t(4));
            size_t served = 0;
            for (int64_t s : run->sharing.servedBy)
                served += s >= 0;
            QCOMPARE(served, size_t(4)); // by depth, every pruned q or v has a kept one of its shape
            QCOMPARE(chart->links().size(), served);

            // Lily's routers show under the chart, for a Lily run of any command.
            AdaptRequest lily;
            lily.task = "t3";
            lily.method = "lily";
            lily.experts = 3;
            lily.epochs = 1;
            job = waitForEnd(window.adaptation()->startAdapt(lily), 120000);
            QVERIFY(job && job->state() == BackgroundJob::State::Finished);
            QTRY_COMPARE(view->runCount(), 2);
            QTRY_COMPARE(window.routingMap()->routing().rows.size(), size_t(8));
            QCOMPARE(window.routingMap()->routing().experts, int64_t(3));
            QCOMPARE(window.routingMap()->routing().weights, view->selectedRun()->routing.weights);
            QCOMPARE(chart->scores().size(), size_t(8)); // the pear run's bars stay
            window.views()->setCurrentWidget(chart->parentWidget());
            screenshot(window, "65-pear-adapters.png");
        }
        MainWindow again;
        again.setWorkspaceFolder(dir.filePath("workspaces"));
        QVERIFY(openAndWait(again, demoModelPath()));
        QTRY_COMPARE(again.adaptationView()->runCount(), 2);
        QTRY_COMPARE(again.adapterChart()->scores().size(), size_t(8));
        QCOMPARE(again.routingMap()->routing().rows.size(), size_t(8));
        QCOMPARE(again.adapterChart()->prunedPositions().size(), size_t(4));
        QCOMPARE(again.adapterChart()->links().size(), size_t(4));
    }

    void theDialogCarriesTheRequest()
    {
        PruneAdaptersRequest shown;
        shown.task = "t2";
        shown.adapter = "lora";
        shown.prune = 0.75;
        shown.share = "output";
        shown.knowledgeCheckpoint = false;
        shown.warmup = 3;
        shown.epochs = 4;
        const std::vector<AdapterKindInfo> kinds{{"lora", "LoRA", {"rank", "alpha", "roles"}},
                                                 {"lily", "Lily", {"rank", "alpha", "roles", "experts"}}};
        PruneAdaptersDialog dialog("fashion-vit", kinds, {{"pear", {"depth", "output"}}}, shown);
        PruneAdaptersRequest r = dialog.request();
        QCOMPARE(r.task, std::string("t2"));
        QCOMPARE(r.method, std::string("pear"));
        QCOMPARE(r.prune, 0.75);
        QCOMPARE(r.share, std::string("output"));
        QVERIFY(!r.knowledgeCheckpoint);
        QCOMPARE(r.warmup, 3);
        QCOMPARE(r.epochs, 4);
        QComboBox *share = nullptr;
        for (QComboBox *box : dialog.findChildren<QComboBox *>())
            if (box->findData(QStringLiteral("none")) >= 0)
                share = box;
        QVERIFY(share);
        QCOMPARE(share->count(), 3); // depth, output, none
        share->setCurrentIndex(share->findData(QStringLiteral("none")));
        dialog.findChild<QCheckBox *>()->setChecked(true);
        r = dialog.request();
        QCOMPARE(r.share, std::string("none"));
        QVERIFY(r.knowledgeCheckpoint);
    }
};

QTEST_MAIN(TestWindowPear)
#include "test_window_pear.moc"
