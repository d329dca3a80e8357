// File ▸ Compare with… in the real window, on the bundled fortunes-llama and its own svd export
// (made here by sculpt-cli compress): the Diff tab fills with every pair, the heaviest change
// first and chosen, its three spectra drawn; a click on the overview chooses a pair; the table
// exports as CSV; reopening the model shows the diff again, and asking again reads it back; a
// dropped checkpoint is compared; two families cannot be, in one line.

#include "demo_model.h"
#include "diff_controller.h"
#include "diff_view.h"
#include "jobs_panel.h"
#include "main_window.h"
#include "test_settings.h"
#include "window_driving.h"

#include <qcustomplot.h>

#include <QMimeData>
#include <QProcess>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

namespace {

QString demoLlama() { return QDir::cleanPath(demoModelPath() + "/../fortunes-llama"); }

} // namespace

class TestWindowDiff : public QObject {
    Q_OBJECT
    QTemporaryDir scratch_;
    QString export_;

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        QVERIFY(scratch_.isValid());
        export_ = scratch_.filePath("fortunes-svd");
        QProcess compress;
        compress.start(SCULPT_CLI_PATH, {"compress", demoLlama(), "--method", "svd", "--ratio", "0.3", "-o", export_,
                                         "--workspace", scratch_.filePath("cli.h5")});
        QVERIFY(compress.waitForFinished(120000) && compress.exitCode() == 0);
    }

    void compareFillsTheDiffTab()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        QAction *compare = menuAction(window, "Compare with…");
        QVERIFY(compare && compare->isEnabled());
        BackgroundJob *job = waitForEnd(window.diff()->compareWith(export_));
        QVERIFY(job);
        QVERIFY2(job->state() == BackgroundJob::State::Finished, qPrintable(job->summary() + "\n" + job->log().join('\n')));
        DiffView *view = window.diffView();
        QTRY_COMPARE(view->table()->model()->rowCount(), 38);
        QVERIFY2(view->summary().contains("38 tensors compared, 0 only in A"), qPrintable(view->summary()));

        // The heaviest change first, and chosen: its spectra drawn, the difference's among them.
        const QAbstractItemModel *table = view->table()->model();
        const double first = table->index(0, DiffView::Distance).data().toDouble();
        for (int row = 1; row < table->rowCount(); ++row)
            QVERIFY(table->index(row, DiffView::Distance).data().toDouble() <= first);
        QCOMPARE(view->chosenTensor(), table->index(0, DiffView::Name).data(Qt::UserRole).toString());
        for (int side = 0; side < 3; ++side)
            QVERIFY(!view->spectra()->graphOf(side)->data()->isEmpty());

        // One series per compressed role across the four blocks; a click on a point chooses it.
        QCOMPARE(view->roles().size(), 8); // q k v o gate up down, and the norms
        QCPGraph *down = view->series("down");
        QVERIFY(down && down->data()->size() == 4);
        view->plot()->replot();
        const QPointF point(view->plot()->xAxis->coordToPixel(down->data()->at(2)->key),
                            view->plot()->yAxis->coordToPixel(down->data()->at(2)->value));
        QCOMPARE(view->tensorAt(point), QString("model.layers.2.mlp.down_proj.weight"));
        QTest::mouseClick(view->plot(), Qt::LeftButton, {}, point.toPoint());
        QCOMPARE(view->chosenTensor(), QString("model.layers.2.mlp.down_proj.weight"));
        QCOMPARE(view->table()->currentIndex().siblingAtColumn(DiffView::Name).data(Qt::UserRole).toString(),
                 view->chosenTensor());

        const QString csv = dir.filePath("diff.csv");
        QVERIFY(view->exportCsv(csv));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), 39);
    }

    // Kept in the model's workspace: reopening shows it, and the same comparison is read back.
    void reopeningShowsItAgain()
    {
        QTemporaryDir dir;
        {
            MainWindow window;
            QVERIFY(showAndOpen(window, dir, demoLlama()));
            BackgroundJob *job = waitForEnd(window.diff()->compareWith(export_));
            QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        }
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        QTRY_COMPARE(window.diffView()->table()->model()->rowCount(), 38);
        BackgroundJob *again = waitForEnd(window.diff()->compareWith(export_));
        QVERIFY(again && again->state() == BackgroundJob::State::Finished);
        QVERIFY2(again->log().join('\n').contains("read back"), qPrintable(again->log().join('\n')));
    }

    void droppedCheckpointIsCompared()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(export_)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, {});
        QApplication::sendEvent(window.diffView(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, {});
        QApplication::sendEvent(window.diffView(), &drop);
        QVERIFY(!window.jobsPanel()->jobs().isEmpty());
        BackgroundJob *job = waitForEnd(window.jobsPanel()->jobs().first());
        QVERIFY(job && job->state() == BackgroundJob::State::Finished);
        QTRY_COMPARE(window.diffView()->table()->model()->rowCount(), 38);
    }

    void otherFamilyFailsInOneLine()
    {
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, demoLlama()));
        BackgroundJob *job = waitForEnd(window.diff()->compareWith(demoModelPath())); // the demo ViT
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().contains("different families") && !job->summary().contains('\n'),
                 qPrintable(job->summary()));
        QCOMPARE(window.diffView()->table()->model()->rowCount(), 0);
        QVERIFY(window.diffView()->summary().contains("Compare with")); // still how to start one
    }
};

QTEST_MAIN(TestWindowDiff)
#include "test_window_diff.moc"
