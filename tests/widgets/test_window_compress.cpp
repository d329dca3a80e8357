// Compress ▸ in the real window on stories260K: SVD-LLM through the dialog, a short SoCo whose
// loss curve grows one point per step, a cancelled pass that leaves nothing, and an export
// that reopens as a model. Screenshots go to <build>/tests/screenshots.

#include "analysis/content_hash.h"
#include "background_job.h"
#include "compress_dialog.h"
#include "compression_controller.h"
#include "compression_view.h"
#include "export_dialog.h"
#include "io/checkpoint.h"
#include "io/formats.h"
#include "jobs_panel.h"
#include "loss_curve.h"
#include "main_window.h"
#include "model_tree.h"
#include "runtime/generate.h"
#include "runtime/language_model.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "screenshot.h"
#include "side_by_side_controller.h"
#include "side_by_side_view.h"
#include "spectrum_plot.h"
#include "test_files.h"
#include "test_settings.h"
#include "window_driving.h"
#include "workspace/workspace.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <qcustomplot.h>

using namespace sculpt;
using namespace sculpt::test;

namespace {

struct Stories {
    QString model, text;
};

// A short SoCo: the three stages in a few seconds.
PassRequest quickSoco(const QString &text, long coarse = 20)
{
    PassRequest r;
    r.method = "soco";
    r.ratio = 0.4;
    r.calibrationFile = text.toStdString();
    r.calibrationCount = 8;
    r.settings = {
        {"coarse_steps", double(coarse)}, {"refine_steps", 20}, {"sparsify_steps", 10}, {"batches_per_step", 2}};
    return r;
}

std::vector<PassRecord> storedPasses(MainWindow &window, const QString &model)
{
    const QString path = window.workspacePath(model);
    if (!QFileInfo::exists(path))
        return {};
    const auto checkpoint = openCheckpoint(model.toStdString());
    return Workspace::open(path.toStdString(), {checkpoint->path(), modelFingerprint(*checkpoint)}).passes();
}

double directPerplexity(const LanguageModel &model, const Stories &s, long documents)
{
    QFile file(s.text);
    file.open(QIODevice::ReadOnly);
    const QByteArray text = file.readAll();
    const auto tokenizer = openTokenizer(QFileInfo(s.model).dir().filePath("tok512.bin").toStdString());
    return perplexity(model, *tokenizer, {text.constData(), size_t(text.size())}, documents).perplexity();
}

// The prompt and what `model` adds to it, as sculpt-cli generate would print it.
QString directGeneration(const LanguageModel &model, const Stories &s, const std::string &prompt,
                         const GenerateOptions &options)
{
    const auto tokenizer = openTokenizer(QFileInfo(s.model).dir().filePath("tok512.bin").toStdString());
    std::vector<int32_t> tokens = tokenizer->encode(prompt, true);
    GenerateOptions stopping = options;
    stopping.stop = textEnds(*tokenizer);
    const std::vector<int32_t> added = generate(model, tokens, stopping).tokens;
    tokens.insert(tokens.end(), added.begin(), added.end());
    return QString::fromStdString(tokenizer->decode(tokens));
}

// Computes the open model's exact spectra and selects `tensor`, on the Spectrum tab.
void showSpectrum(MainWindow &window, const QString &tensor)
{
    BackgroundJob *spectra = waitForEnd(window.startSpectra());
    QVERIFY(spectra && spectra->state() == BackgroundJob::State::Finished);
    window.views()->setCurrentWidget(window.spectrumPlot());
    window.modelTree()->selectTensor(tensor);
    QCOMPARE(window.spectrumPlot()->spectra().size(), size_t(1));
}

QStringList legendNames(const QCustomPlot &plot)
{
    QStringList names;
    for (int i = 0; i < plot.legend->itemCount(); ++i)
        if (auto *item = qobject_cast<QCPPlottableLegendItem *>(plot.legend->item(i)))
            names << item->plottable()->name();
    return names;
}

QString fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray bytes = f.readAll();
    const auto *data = reinterpret_cast<const std::byte *>(bytes.constData());
    return QString::fromStdString(contentHash({data, size_t(bytes.size())}));
}

} // namespace

#define SCULPT_REQUIRE_STORIES(var)                                                                  \
    SCULPT_REQUIRE_SHARED(model_, "stories260K/stories260K.bin");                                     \
    SCULPT_REQUIRE_SHARED(text_, "tinystories_valid_sample/tinystories_val.txt");                    \
    const Stories var{model_, text_};

class TestWindowCompress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { test::isolateSettings(); }

    void svdLlmThroughTheDialogThenExport()
    {
        SCULPT_REQUIRE_STORIES(s);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, s.model));

        QAction *compress = menuAction(window, "Compress…");
        QVERIFY(compress && compress->isEnabled());
        QAction *exportAction = menuAction(window, "Export compressed model…");
        QVERIFY(exportAction && !exportAction->isEnabled()); // nothing compressed yet
        compress->trigger();
        auto *dialog = window.findChild<CompressDialog *>("compressDialog");
        QVERIFY(dialog && dialog->isVisible());
        QCOMPARE(dialog->method()->count(), 5);
        dialog->setMethod("soco");
        // The pass's settings, with their defaults and their meaning as tooltips.
        auto *coarse = qobject_cast<QLineEdit *>(dialog->setting("coarse_steps"));
        QVERIFY(coarse);
        QCOMPARE(coarse->text(), QString("150"));
        QVERIFY2(coarse->toolTip().contains("stage 1") && coarse->toolTip().contains("default 150"),
                 qPrintable(coarse->toolTip()));
        dialog->setMethod("svd");
        QVERIFY(!dialog->setting("coarse_steps"));
        QVERIFY(!dialog->calibrationFile()->isEnabled() || !dialog->calibrationFile()->parentWidget()->isEnabled());
        dialog->setMethod("svd-llm");
        QVERIFY(dialog->setting("jitter"));
        QVERIFY(!dialog->okButton()->isEnabled()); // no calibration text yet
        dialog->calibrationFile()->setText(s.text);
        dialog->calibrationCount()->setValue(8);
        dialog->ratio()->setValue(40);
        QVERIFY(dialog->okButton()->isEnabled());
        qobject_cast<QLineEdit *>(dialog->setting("jitter"))->setText("not a number");
        QVERIFY(!dialog->okButton()->isEnabled());
        qobject_cast<QLineEdit *>(dialog->setting("jitter"))->setText("1e-6");
        QVERIFY(dialog->okButton()->isEnabled());
        screenshot(*dialog, "40-compress-dialog.png");
        dialog->okButton()->click();

        BackgroundJob *job = window.jobsPanel()->jobs().constFirst();
        QCOMPARE(job->title(), QString("Compress stories260K.bin with svd-llm (40.0\u00a0% removed)"));
        QCOMPARE(window.views()->currentWidget(), window.compressionView());
        QVERIFY(!compress->isEnabled() || !job->isRunning()); // one pass at a time
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Finished);

        CompressionView *view = window.compressionView();
        QCOMPARE(view->records().size(), size_t(1));
        QCOMPARE(view->current(), 0);
        const PassRecord r = view->records()[0]; // a copy: the view's list is replaced as passes come and go
        QCOMPARE(r.summary.method, std::string("svd-llm"));
        QVERIFY2(r.summary.ratio >= 0.4 && r.summary.ratio < 0.45, qPrintable(QString::number(r.summary.ratio)));
        QVERIFY(r.summary.parametersAfter < r.summary.parametersBefore);
        QCOMPARE(r.summary.spectrumOf, std::string("W·S"));
        QCOMPARE(r.calibrationCount, 8L);
        QCOMPARE(r.calibration, std::string("text"));
        QCOMPARE(r.settings.at("jitter"), 1e-6);
        QVERIFY(r.log.empty());
        QCOMPARE(r.data.size(), size_t(2));
        QCOMPARE(r.data[0].role, std::string("calibration"));
        QCOMPARE(r.data[1].path, QFileInfo(s.model).dir().filePath("tok512.bin").toStdString()); // found beside it
        QVERIFY2(job->summary().startsWith(QStringLiteral("%1\u00a0% of the targeted parameters removed")
                                               .arg(100 * r.summary.ratio, 0, 'f', 1)),
                 qPrintable(job->summary()));
        QCOMPARE(view->lossCurve()->pointCount(), 0);
        QVERIFY(view->summaryText().contains("σ of W·S"));
        QVERIFY(view->summaryText().contains("Not exported"));
        QVERIFY(exportAction->isEnabled());
        screenshot(window, "41-svd-llm-done.png");

        // On the spectrum plot: σ of W·S beside W's own, the top k marked kept, the rank drawn.
        const QString upProj = "model.layers.0.mlp.up_proj.weight"; // 172 × 64
        showSpectrum(window, upProj);
        SpectrumPlot *plot = window.spectrumPlot();
        QVERIFY(plot->passOverlay().has_value());
        const CompressedLayer &layer = plot->passOverlay()->layer;
        QCOMPARE(layer.name, std::string("model.layers.0.mlp.up_proj"));
        QCOMPARE(layer.rank, int64_t(27)); // ⌊0.6 · 172 · 64 / 236⌋
        QCOMPARE(plot->keptGraph()->dataCount(), 27);
        QCOMPARE(plot->prunedGraph()->dataCount(), 64 - 27);
        QCOMPARE(plot->keptGraph()->data()->at(0)->value, double(layer.singularValues[0]));
        QVERIFY(!plot->gainsGraph());
        QVERIFY(plot->passRankTag()->visible());
        QCOMPARE(plot->passRankTag()->text(), QString("svd-llm 40.0 % keeps k = 27"));
        QVERIFY(legendNames(*plot->plot()).contains("σ of W·S, kept — svd-llm 40.0 %"));
        QVERIFY(legendNames(*plot->plot()).contains(upProj)); // W's own spectrum, named as ever
        screenshot(window, "45-svd-llm-rank-on-spectrum.png");
        window.modelTree()->selectTensor("model.norm.weight"); // not a matrix the pass compressed
        QVERIFY(!plot->passOverlay());
        QVERIFY(!plot->passRankTag()->visible());

        // Exported through the dialog: the folder appears, reopens, and the list says where it went.
        exportAction->trigger();
        auto *exporter = window.findChild<ExportDialog *>("exportDialog");
        QVERIFY(exporter && exporter->isVisible());
        QCOMPARE(exporter->folderField()->text(), QFileInfo(s.model).dir().filePath("stories260K-svd-llm-40"));
        const QString folder = dir.filePath("exported");
        exporter->folderField()->setText(folder);
        QCOMPARE(exporter->format(), ExportFormat::Factorized);
        exporter->okButton()->click();
        BackgroundJob *exported = waitForEnd(window.jobsPanel()->jobs().constFirst());
        QVERIFY(exported);
        QCOMPARE(exported->state(), BackgroundJob::State::Finished);
        QTRY_COMPARE(view->records()[0].exportPath, folder.toStdString());
        QCOMPARE(view->records()[0].exportFormat, std::string("factorized"));
        QCOMPARE(view->list()->topLevelItem(0)->text(CompressionView::Exported), QString("exported"));
        QVERIFY(QFileInfo(folder + "/model.safetensors").isFile());
        QVERIFY(QFileInfo(folder + "/tok512.bin").isFile());
        // Side by side: the sizes, every layer's rank, perplexity on the same documents and
        // generations from the same prompt and seed, each as the runtime gives them directly.
        QVERIFY(view->compareButton()->isEnabled());
        view->compareButton()->click();
        SideBySideView *side = window.sideBySideView();
        QCOMPARE(window.views()->currentWidget(), side);
        QCOMPARE(side->factText(SideBySideView::Parameters, SideBySideView::Original), QLocale().toString(260032));
        QCOMPARE(side->factText(SideBySideView::Parameters, SideBySideView::Compressed),
                 QLocale().toString(qlonglong(r.summary.parametersAfter)));
        const qint64 exportedBytes = QFileInfo(folder + "/model.safetensors").size();
        QVERIFY2(side->factText(SideBySideView::WeightsFile, SideBySideView::Compressed)
                     .startsWith(QLocale().formattedDataSize(exportedBytes) + " ("),
                 qPrintable(side->factText(SideBySideView::WeightsFile, SideBySideView::Compressed)));
        QCOMPARE(side->factText(SideBySideView::Measured, SideBySideView::Compressed), QString("—"));
        QCOMPARE(side->ranks()->rowCount(), 35);
        const auto upRow = side->ranks()->findItems("model.layers.0.mlp.up_proj", Qt::MatchExactly);
        QCOMPARE(upRow.size(), 1);
        QCOMPARE(side->ranks()->item(upRow[0]->row(), SideBySideView::Shape)->text(), QString("172 × 64"));
        QCOMPARE(side->ranks()->item(upRow[0]->row(), SideBySideView::Rank)->text(), QString("27"));
        QVERIFY(side->note().isEmpty());
        QVERIFY(!side->measureButton()->isEnabled()); // no text chosen yet
        side->textFile()->setText(s.text);
        side->documents()->setValue(5);
        side->measureButton()->click();
        BackgroundJob *measured = waitForEnd(window.jobsPanel()->jobs().constFirst());
        QVERIFY(measured);
        QCOMPARE(measured->state(), BackgroundJob::State::Finished);
        const auto original = LanguageModel::load(*openCheckpoint(s.model.toStdString()));
        const LanguageModel &compressed = *window.compression()->currentModel()->languageModel();
        const double before = directPerplexity(*original, s, 5), after = directPerplexity(compressed, s, 5);
        QTRY_COMPARE(side->factText(SideBySideView::Measured, SideBySideView::Original), QString::number(before, 'f', 3));
        QCOMPARE(side->factText(SideBySideView::Measured, SideBySideView::Compressed), QString::number(after, 'f', 3));
        QVERIFY2(after > before, qPrintable(QString("%1 → %2").arg(before).arg(after)));

        side->prompt()->setText("Once upon a time, a little dog");
        side->seed()->setValue(7);
        side->temperature()->setValue(0.8);
        side->maxTokens()->setValue(24);
        side->generateButton()->click();
        BackgroundJob *generated = waitForEnd(window.jobsPanel()->jobs().constFirst());
        QVERIFY(generated);
        QCOMPARE(generated->state(), BackgroundJob::State::Finished);
        GenerateOptions options;
        options.maxTokens = 24;
        options.temperature = 0.8;
        options.seed = 7;
        QTRY_COMPARE(side->generation(SideBySideView::Original)->toPlainText(),
                     directGeneration(*original, s, "Once upon a time, a little dog", options));
        QCOMPARE(side->generation(SideBySideView::Compressed)->toPlainText(),
                 directGeneration(compressed, s, "Once upon a time, a little dog", options));
        screenshot(window, "46-side-by-side.png");

        // The workspace has the pass and where it went.
        std::vector<PassRecord> stored = storedPasses(window, s.model);
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].id, std::string("000001"));
        QCOMPARE(stored[0].exportPath, folder.toStdString());
        QCOMPARE(stored[0].summary.ratio, r.summary.ratio);
        QCOMPARE(stored[0].summary.layers.size(), size_t(35));
        QCOMPARE(stored[0].evaluations.size(), size_t(2));
        QCOMPARE(stored[0].evaluations[1].value, after);
        QCOMPARE(stored[0].evaluations[1].settings.at("model"), std::string("compressed"));

        QVERIFY(openAndWait(window, folder));
        QCOMPARE(window.currentPath(), folder);
        QVERIFY(window.modelTree()->tensorItem("model.layers.0.self_attn.q_proj.weight_a"));
        QVERIFY(menuAction(window, "Compress…")->isEnabled()); // an exported model can be compressed again
        QVERIFY(window.compressionView()->records().empty()); // another model, other passes

        // Reopened, the original shows its pass again, from the workspace: it can no longer be
        // exported (the compressed model is not kept), but what it was stays.
        QVERIFY(openAndWait(window, s.model));
        QTRY_COMPARE(view->records().size(), size_t(1));
        QTRY_VERIFY(window.jobsPanel()->jobs().constFirst()->summary().endsWith("; 1 compression pass"));
        QCOMPARE(view->records()[0].exportPath, folder.toStdString());
        QCOMPARE(view->current(), 0);
        QVERIFY(view->summaryText().contains("Exported (factorized) to " + folder));
        QVERIFY(!exportAction->isEnabled());
        // Side by side it runs from the export, with the perplexities measured before.
        QCOMPARE(side->factText(SideBySideView::Measured, SideBySideView::Compressed), QString::number(after, 'f', 3));
        QVERIFY(side->note().isEmpty());
        QVERIFY(side->generateButton()->isEnabled());
        BackgroundJob *again = window.sideBySide()->startGeneration();
        QVERIFY(waitForEnd(again));
        QCOMPARE(again->state(), BackgroundJob::State::Finished);
        QVERIFY(again->log().join('\n').contains("loading the compressed model from " + folder));
        QTRY_VERIFY(
            side->generation(SideBySideView::Compressed)->toPlainText().startsWith("Once upon a time, a little dog"));
    }

    void socoLossCurveGrowsStepByStep()
    {
        SCULPT_REQUIRE_STORIES(s);
        QTemporaryDir dir;
        MainWindow window;
        window.setWorkspaceFolder(dir.filePath("workspaces"));
        window.resize(1400, 900);
        window.show();
        QVERIFY(openAndWait(window, s.model));
        BackgroundJob *job = window.compression()->startCompression(quickSoco(s.text));
        QVERIFY(job);
        QVERIFY(!window.compression()->startCompression(quickSoco(s.text))); // one at a time
        CompressionView *view = window.compressionView();
        QVERIFY(view->isLive());
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Finished);
        QVERIFY(!view->isLive());
        QCOMPARE(view->records().size(), size_t(1));
        const PassRecord r = view->records()[0]; // a copy: the view's list is replaced as passes come and go
        QCOMPARE(r.log.size(), size_t(50));
        QCOMPARE(r.settings.at("coarse_steps"), 20.0);
        QCOMPARE(r.settings.at("ratio_weight"), 20.0); // a default, recorded too
        // One point per step, the ratio beside the loss; the stages marked where they begin.
        LossCurve *curve = view->lossCurve();
        QCOMPARE(curve->pointCount(), 50);
        QCOMPARE(curve->graph("kl")->dataCount(), 50);
        QCOMPARE(curve->graph("ratio")->dataCount(), 50);
        QCOMPARE(curve->graph("ratio")->data()->at(49)->value, 100 * r.summary.ratio);
        QCOMPARE(curve->graph("loss")->data()->at(0)->key, 1.0);
        QCOMPARE(curve->graph("loss")->data()->at(0)->value, r.log[0].value("loss"));
        QVERIFY(curve->readout().startsWith("step 50 of 50 · sparsify"));
        QVERIFY(r.summary.ratio >= 0.4 && r.summary.ratio < 0.42);
        screenshot(window, "43-soco-done.png");

        // On the spectrum plot, the learned gains over σ of W·S, kept and pruned components
        // marked; a matrix where SoCo pruned a component σ order would keep is the telling one.
        const CompressedLayer *shown = &r.summary.layers[0];
        for (const CompressedLayer &l : r.summary.layers)
            for (size_t i = 1; i < l.gains.size(); ++i)
                if (l.gains[i - 1] == 0 && l.gains[i] > 0)
                    shown = &l;
        showSpectrum(window, QString::fromStdString(shown->name) + ".weight");
        SpectrumPlot *plot = window.spectrumPlot();
        QVERIFY(plot->passOverlay().has_value());
        QCOMPARE(plot->passOverlay()->matrix, QString("W·S"));
        QCPGraph *gains = plot->gainsGraph();
        QVERIFY(gains);
        QCOMPARE(gains->dataCount(), int(shown->gains.size()));
        for (int i = 0; i < gains->dataCount(); ++i)
            QCOMPARE(gains->data()->at(i)->value, double(shown->gains[size_t(i)]));
        QCOMPARE(gains->valueAxis(), plot->plot()->yAxis2);
        QVERIFY(plot->plot()->yAxis2->visible());
        QCOMPARE(plot->keptGraph()->dataCount(), int(shown->rank));
        QCOMPARE(plot->keptGraph()->dataCount() + plot->prunedGraph()->dataCount(), int(shown->singularValues.size()));
        for (const QCPGraphData &point : *plot->prunedGraph()->data())
            QCOMPARE(shown->gains[size_t(point.key) - 1], 0.0f);
        QVERIFY(!plot->passRankTag()->visible()); // SoCo keeps no prefix: the markers say which
        QVERIFY(legendNames(*plot->plot()).contains("learned gain g(s), right axis"));
        screenshot(window, "45-soco-gains-on-spectrum.png");
        plot->setView(SpectrumPlot::View::Energy); // W's energy alone
        QVERIFY(!plot->gainsGraph() && !plot->keptGraph());
        plot->setView(SpectrumPlot::View::LogY);

        // Stored, and shown again with its curve when the model is reopened.
        const std::vector<PassRecord> stored = storedPasses(window, s.model);
        QCOMPARE(stored.size(), size_t(1));
        QCOMPARE(stored[0].log.size(), size_t(50));
        QCOMPARE(stored[0].log[49].counts, r.log[49].counts);
        QCOMPARE(stored[0].summary.layers[3].gains, r.summary.layers[3].gains);
        const std::string id = view->records()[0].id;
        QCOMPARE(id, std::string("000001"));
        QVERIFY(openAndWait(window, s.model));
        QTRY_COMPARE(view->records().size(), size_t(1));
        QCOMPARE(view->records()[0].id, id);
        QCOMPARE(view->current(), 0);
        QCOMPARE(curve->pointCount(), 50);
        QCOMPARE(curve->graph("ratio")->data()->at(49)->value, 100 * r.summary.ratio);
        QVERIFY(!window.compression()->hasCompressedModel());
        screenshot(window, "44-soco-reopened.png");
        // Neither in memory nor exported: side by side, sizes and ranks only.
        SideBySideView *side = window.sideBySideView();
        QVERIFY(side->note().contains("no longer in memory"));
        side->textFile()->setText(s.text);
        QVERIFY(!side->measureButton()->isEnabled() && !side->generateButton()->isEnabled());
        QVERIFY(!window.sideBySide()->startGeneration());
        QCOMPARE(side->ranks()->rowCount(), 35);
        QCOMPARE(side->ranks()->item(3, SideBySideView::Rank)->text(), QString::number(r.summary.layers[3].rank));
        // … and its gains on the spectrum, from the workspace.
        window.views()->setCurrentWidget(window.spectrumPlot());
        window.modelTree()->selectTensor(QString::fromStdString(shown->name) + ".weight");
        QVERIFY(plot->gainsGraph());
        QCOMPARE(plot->gainsGraph()->dataCount(), int(shown->gains.size()));
    }

    void cancellingLeavesNothing()
    {
        SCULPT_REQUIRE_STORIES(s);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, s.model));
        const QString before = fileHash(s.model);
        BackgroundJob *job = window.compression()->startCompression(quickSoco(s.text, 100000));
        QVERIFY(job);
        // The curve grows while the pass runs, with the progress and the time left in the jobs panel.
        LossCurve *curve = window.compressionView()->lossCurve();
        QTRY_VERIFY_WITH_TIMEOUT(curve->pointCount() >= 2, 30000);
        QVERIFY(job->isRunning());
        QTRY_VERIFY(job->progress().total == 100030);
        QVERIFY(job->secondsLeft() > 0);
        QVERIFY2(curve->readout().contains(" of 100030 · coarse · loss "), qPrintable(curve->readout()));
        screenshot(window, "42-soco-running.png");
        QVERIFY(window.jobsPanel()->cancelSelected() == job);
        QVERIFY(waitForEnd(job));
        QCOMPARE(job->state(), BackgroundJob::State::Cancelled);
        QVERIFY(!window.compressionView()->isLive());
        QVERIFY(window.compressionView()->records().empty());
        QVERIFY(!window.compression()->exportAction()->isEnabled());
        QCOMPARE(window.currentPath(), s.model);
        QCOMPARE(fileHash(s.model), before);
        QVERIFY(!QFileInfo::exists(dir.filePath("workspaces")));
        // … and the next pass runs.
        QVERIFY(menuAction(window, "Compress…")->isEnabled());
    }

    void badRequestFailsInOneLine()
    {
        SCULPT_REQUIRE_STORIES(s);
        QTemporaryDir dir;
        MainWindow window;
        QVERIFY(showAndOpen(window, dir, s.model));
        PassRequest request = quickSoco(s.text);
        request.settings["no_such_setting"] = 1;
        BackgroundJob *job = waitForEnd(window.compression()->startCompression(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QCOMPARE(job->summary(), QString("soco has no setting 'no_such_setting'"));
        request = quickSoco(dir.filePath("missing.txt"));
        job = waitForEnd(window.compression()->startCompression(request));
        QVERIFY(job);
        QCOMPARE(job->state(), BackgroundJob::State::Failed);
        QVERIFY2(job->summary().startsWith(dir.filePath("missing.txt") + ": ") && !job->summary().contains('\n'),
                 qPrintable(job->summary()));
        QVERIFY(window.compressionView()->records().empty());
    }
};

QTEST_MAIN(TestWindowCompress)
#include "test_window_compress.moc"
