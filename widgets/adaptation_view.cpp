#include "adaptation_view.h"

#include "adaptation_curve.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sculpt {
namespace {

QString text(const std::string &s) { return QString::fromStdString(s); }

// The method with what sets it apart: the adapter's rank, for a run that scored heads the
// strategy and how many heads went, for one that pruned adapters how many and what served them.
QString methodText(const AdaptationRecord &run)
{
    QString method = text(run.method);
    if (run.method != "linear" && run.method != "full" && run.method != "none" && run.rank > 0)
        method += AdaptationView::tr(" r %1").arg(run.rank);
    if (!run.adapterScores.empty()) {
        const AdapterSharing &s = run.sharing;
        return method + AdaptationView::tr(" · %1\u00a0% pruned · %2%3")
                            .arg(QString::number(100 * s.fraction, 'g', 3),
                                 s.rule == "none" ? AdaptationView::tr("no sharing")
                                                  : AdaptationView::tr("shared by %1").arg(text(s.rule)),
                                 s.knowledgeCheckpoint ? AdaptationView::tr(" · knowledge checkpoint") : QString());
    }
    if (run.scores.values.empty())
        return method;
    method += QStringLiteral(" · ") + text(run.scores.strategy);
    if (run.mask >= 0)
        method += AdaptationView::tr(" · %1\u00a0% masked%2")
                      .arg(QString::number(100 * run.mask, 'g', 3),
                           run.perLayer ? AdaptationView::tr(" per layer") : QString());
    return method;
}

QTableWidgetItem *cell(const QString &value, bool number = false)
{
    auto *item = new QTableWidgetItem(value);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

AdaptationView::AdaptationView(QWidget *parent)
    : QWidget(parent),
      hint_(new QLabel(tr("Analyse ▸ Adapt… or Head scores… fine-tune this model on an image task."))),
      table_(new QTableWidget(0, ColumnCount)), curve_(new AdaptationCurve), grid_(new PredictionGrid)
{
    hint_->setWordWrap(true);
    hint_->setForegroundRole(QPalette::PlaceholderText);
    table_->setHorizontalHeaderLabels({tr("Date"), tr("Command"), tr("Task"), tr("Method"), tr("Epochs"),
                                       tr("Trainable"), tr("Validation"), tr("Test")});
    table_->horizontalHeaderItem(Trainable)->setToolTip(tr("Parameters (tensor elements) the method trained"));
    table_->horizontalHeaderItem(Validation)->setToolTip(tr("Validation accuracy of the model scored or trained"));
    table_->horizontalHeaderItem(Test)->setToolTip(tr("Test accuracy of the final model; — when not measured"));
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(table_, &QTableWidget::itemSelectionChanged, this, &AdaptationView::onSelectionChanged);

    auto *scroll = new QScrollArea;
    scroll->setWidget(grid_);
    scroll->setWidgetResizable(true);
    auto *lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(curve_);
    lower->addWidget(scroll);
    // Halves: by their size hints the curve would take most and push the result's column out of sight.
    lower->setStretchFactor(0, 1);
    lower->setStretchFactor(1, 1);
    lower->setSizes({curve_->sizeHint().width(), curve_->sizeHint().width()});
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(hint_);
    layout->addWidget(split, 1);
    showNothing();
}

void AdaptationView::setRuns(std::vector<AdaptationRecord> runs)
{
    runs_ = std::move(runs);
    {
        const QSignalBlocker block(table_); // the rows change, not the user's choice
        table_->setRowCount(0);
        for (const AdaptationRecord &run : runs_)
            appendRow(run);
    }
    hint_->setVisible(runs_.empty());
    if (!live_)
        showNothing();
}

void AdaptationView::addRun(const AdaptationRecord &run)
{
    runs_.push_back(run);
    {
        const QSignalBlocker block(table_);
        appendRow(run);
    }
    hint_->hide();
    table_->selectRow(int(runs_.size()) - 1);
    table_->scrollToBottom();
}

void AdaptationView::clear()
{
    live_ = false;
    setRuns({});
}

const AdaptationRecord *AdaptationView::selectedRun() const
{
    const QList<QTableWidgetItem *> chosen = table_->selectedItems();
    return chosen.isEmpty() ? nullptr : &runs_[size_t(chosen.front()->row())];
}

void AdaptationView::startLive(const QString &title, int64_t epochs, int64_t maskedFrom)
{
    {
        const QSignalBlocker block(table_);
        table_->clearSelection();
    }
    grid_->showRun(nullptr);
    curve_->start(title, epochs, maskedFrom);
    live_ = true;
}

void AdaptationView::addEpoch(const AdaptationEpoch &epoch)
{
    // The curve shows a stored run now: the live epochs would land on its curve.
    if (live_)
        curve_->addEpoch(epoch);
}

void AdaptationView::setTestImageSource(TestImages source)
{
    grid_->setTestImageSource(std::move(source));
    if (const AdaptationRecord *run = selectedRun())
        grid_->showRun(run);
}

void AdaptationView::appendRow(const AdaptationRecord &run)
{
    const int row = table_->rowCount();
    table_->insertRow(row);
    const QDateTime date = QDateTime::fromString(text(run.date), Qt::ISODate);
    const QString when = QLocale().toString(date.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm"));
    table_->setItem(row, Date, cell(date.isValid() ? when : text(run.date)));
    table_->setItem(row, Command, cell(text(run.command)));
    table_->setItem(row, Task, cell(text(run.task)));
    table_->setItem(row, Method, cell(methodText(run)));
    table_->setItem(row, Epochs, cell(QString::number(run.epochs), true));
    table_->setItem(row, Trainable, cell(QLocale().toString(qlonglong(run.trainable)), true));
    table_->setItem(row, Validation, cell(accuracyText(run.validationAccuracy), true));
    table_->setItem(row, Test, cell(accuracyText(run.testAccuracy), true));
}

void AdaptationView::onSelectionChanged()
{
    const AdaptationRecord *run = selectedRun();
    if (!run) {
        if (!live_)
            showNothing();
        return;
    }
    live_ = false;
    showRun(*run);
    Q_EMIT runSelected(*run);
}

void AdaptationView::showRun(const AdaptationRecord &run)
{
    const int64_t last = run.curve.empty() ? run.epochs : run.curve.back().epoch;
    curve_->start(QStringLiteral("%1 · %2 · %3").arg(text(run.command), text(run.task), methodText(run)), last,
                  run.changedAfter,
                  run.epochs == 0 ? tr("No training: the heads were scored on the model as it was.")
                                  : tr("This run kept no training curve."));
    for (const AdaptationEpoch &epoch : run.curve)
        curve_->addEpoch(epoch);
    grid_->showRun(&run);
}

void AdaptationView::showNothing()
{
    curve_->start({}, 0, 0,
                  runs_.empty() ? tr("A run's training curve shows here.") : tr("Choose a run to see its curve."));
    grid_->showRun(nullptr);
}

QString AdaptationView::hint() const { return hint_->isHidden() ? QString() : hint_->text(); }
int AdaptationView::curvePointCount() const { return curve_->pointCount(); }
QCPGraph *AdaptationView::lossGraph() const { return curve_->lossGraph(); }
QCPGraph *AdaptationView::accuracyGraph() const { return curve_->accuracyGraph(); }
QCPItemStraightLine *AdaptationView::maskLine() const { return curve_->maskLine(); }
QString AdaptationView::curveTitle() const { return curve_->title(); }
int AdaptationView::gridImageCount(Side side) const { return grid_->imageCount(side); }
int AdaptationView::gridMistakes(Side side) const { return grid_->mistakes(side); }
QString AdaptationView::gridHeader(Side side) const { return grid_->header(side); }
QString AdaptationView::gridNote() const { return grid_->note(); }

} // namespace sculpt
