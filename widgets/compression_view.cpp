#include "compression_view.h"

#include "loss_curve.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTextDocument>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace sculpt {
namespace {

constexpr int kLiveRow = -1; // the item data of the running pass's row

QString percent(double fraction) { return QStringLiteral("%1\u00a0%").arg(100 * fraction, 0, 'f', 1); }

QString count(int64_t n) { return QLocale().toString(qlonglong(n)); }

QString noteFor(const PassRecord &record)
{
    return record.log.empty() ? QObject::tr("%1 does not train: it has no loss curve.")
                                    .arg(QString::fromStdString(record.summary.method))
                              : QString();
}

} // namespace

CompressionView::CompressionView(QWidget *parent)
    : QWidget(parent), list_(new QTreeWidget), curve_(new LossCurve), summary_(new QLabel),
      export_(new QPushButton(tr("&Export…"))), compare_(new QPushButton(tr("Side by &side…")))
{
    list_->setColumnCount(ColumnCount);
    list_->setHeaderLabels({tr("Method"), tr("Target"), tr("Removed"), tr("Parameters"), tr("Seconds"), tr("Exported")});
    list_->headerItem()->setToolTip(Achieved, tr("Share of the targeted matrices' parameters removed"));
    list_->setRootIsDecorated(false);
    list_->setUniformRowHeights(true);
    list_->setSelectionMode(QAbstractItemView::SingleSelection);
    list_->header()->setStretchLastSection(true);
    list_->setObjectName(QStringLiteral("passResults"));
    connect(list_, &QTreeWidget::currentItemChanged, this, [this] {
        showCurrent();
        Q_EMIT currentChanged(current());
    });

    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::RichText);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    export_->setToolTip(tr("Write the compressed model as a Hugging Face folder: two factors per compressed layer, "
                           "or the products under the original names"));
    compare_->setToolTip(tr("The original and the compressed model side by side: sizes, perplexity, ranks and "
                            "generations"));
    connect(export_, &QPushButton::clicked, this, &CompressionView::exportRequested);
    connect(compare_, &QPushButton::clicked, this, &CompressionView::compareRequested);
    setExportEnabled(false);
    setCompareEnabled(false);

    auto *details = new QWidget;
    auto *detailsLayout = new QVBoxLayout(details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(curve_, 1);
    detailsLayout->addWidget(summary_);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(compare_);
    buttons->addWidget(export_);
    detailsLayout->addLayout(buttons);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(list_);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    rebuildList(-1);
}

QString CompressionView::passName(const PassRecord &record)
{
    return QStringLiteral("%1 %2").arg(QString::fromStdString(record.summary.method), percent(record.summary.targetRatio));
}

void CompressionView::setRecords(std::vector<PassRecord> records)
{
    // The same record is the one with the same id, or (not saved yet) the same date and method.
    const int before = current();
    int select = -1;
    if (before >= 0) {
        const PassRecord &was = records_[size_t(before)];
        for (size_t i = 0; i < records.size(); ++i)
            if (records[i].id == was.id && records[i].date == was.date && records[i].summary.method == was.summary.method)
                select = int(i);
    }
    records_ = std::move(records);
    rebuildList(select);
}

void CompressionView::rebuildList(int select)
{
    const QSignalBlocker block(list_);
    list_->clear();
    if (live_) {
        auto *item = new QTreeWidgetItem(list_);
        item->setText(Method, liveMethod_);
        item->setText(Target, percent(liveTarget_));
        item->setText(Achieved, tr("running…"));
        item->setData(Method, Qt::UserRole, kLiveRow);
    }
    for (int i = int(records_.size()) - 1; i >= 0; --i) { // newest first
        const PassRecord &r = records_[size_t(i)];
        auto *item = new QTreeWidgetItem(list_);
        item->setText(Method, QString::fromStdString(r.summary.method));
        item->setText(Target, percent(r.summary.targetRatio));
        item->setText(Achieved, percent(r.summary.ratio));
        item->setText(Parameters, tr("%1 → %2").arg(count(r.summary.parametersBefore), count(r.summary.parametersAfter)));
        item->setText(Seconds, QString::number(r.summary.seconds, 'f', 1));
        const QString exported = QString::fromStdString(r.exportPath);
        item->setText(Exported, exported.isEmpty() ? tr("—") : QFileInfo(exported).fileName());
        item->setToolTip(Exported, QString::fromStdString(r.exportPath));
        for (int c : {Target, Achieved, Parameters, Seconds})
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(Method, Qt::UserRole, i);
        if (i == select || (select < 0 && !live_ && i == int(records_.size()) - 1))
            list_->setCurrentItem(item);
    }
    if (live_)
        list_->setCurrentItem(list_->topLevelItem(0));
    for (int c = 0; c < ColumnCount - 1; ++c)
        list_->resizeColumnToContents(c);
    showCurrent();
}

int CompressionView::current() const
{
    const QTreeWidgetItem *item = list_->currentItem();
    return item ? item->data(Method, Qt::UserRole).toInt() : -1;
}

void CompressionView::setCurrent(int index)
{
    for (int row = 0; row < list_->topLevelItemCount(); ++row)
        if (list_->topLevelItem(row)->data(Method, Qt::UserRole).toInt() == index)
            list_->setCurrentItem(list_->topLevelItem(row));
}

void CompressionView::startLive(const QString &method, double targetRatio)
{
    live_ = true;
    liveMethod_ = method;
    liveTarget_ = targetRatio;
    liveLog_.clear();
    rebuildList(-1);
    Q_EMIT currentChanged(current());
}

void CompressionView::addLiveStep(const TrainingStep &step)
{
    if (!live_)
        return;
    liveLog_.push_back(step);
    const QTreeWidgetItem *item = list_->currentItem();
    if (item && item->data(Method, Qt::UserRole).toInt() == kLiveRow) {
        curve_->addStep(step);
        const double ratio = step.value("ratio");
        summary_->setText(std::isnan(ratio) ? tr("<b>%1</b> running, step %2 of %3 (target %4)")
                                                  .arg(liveMethod_.toHtmlEscaped())
                                                  .arg(step.step)
                                                  .arg(step.steps)
                                                  .arg(percent(liveTarget_))
                                            : tr("<b>%1</b> running, step %2 of %3: %4 removed so far (target %5)")
                                                  .arg(liveMethod_.toHtmlEscaped())
                                                  .arg(step.step)
                                                  .arg(step.steps)
                                                  .arg(percent(ratio), percent(liveTarget_)));
    }
}

void CompressionView::endLive()
{
    if (!live_)
        return;
    live_ = false;
    liveLog_.clear();
    rebuildList(-1);
    Q_EMIT currentChanged(current());
}

void CompressionView::setExportEnabled(bool enabled) { export_->setEnabled(enabled); }
void CompressionView::setCompareEnabled(bool enabled) { compare_->setEnabled(enabled); }

QString CompressionView::summaryText() const
{
    QTextDocument document;
    document.setHtml(summary_->text());
    return document.toPlainText();
}

void CompressionView::showCurrent()
{
    const QTreeWidgetItem *item = list_->currentItem();
    if (!item) {
        curve_->start(0, records_.empty() ? tr("Compress ▸ Compress… runs a pass; its results are listed above.")
                                          : tr("Choose a pass above."));
        summary_->setText(tr("No compression pass chosen."));
        return;
    }
    const int index = item->data(Method, Qt::UserRole).toInt();
    if (index == kLiveRow) {
        curve_->showLog(liveLog_, liveTarget_, tr("%1: preparing (the loss shows from the first step)").arg(liveMethod_));
        summary_->setText(
            tr("<b>%1</b> running: target %2 removed").arg(liveMethod_.toHtmlEscaped(), percent(liveTarget_)));
        return;
    }
    const PassRecord &r = records_[size_t(index)];
    curve_->showLog(r.log, r.summary.targetRatio, noteFor(r));
    summary_->setText(describe(r));
}

QString CompressionView::describe(const PassRecord &r) const
{
    const CompressionSummary &s = r.summary;
    int64_t lowest = 0, highest = 0, dense = 0;
    for (size_t i = 0; i < s.layers.size(); ++i) {
        const CompressedLayer &l = s.layers[i];
        lowest = i == 0 ? l.rank : std::min(lowest, l.rank);
        highest = std::max(highest, l.rank);
        dense += l.dense;
    }
    QString text = tr("<b>%1</b>: %2 of the targeted parameters removed (target %3), %4 of the whole model · "
                      "%5 → %6 parameters · %7 s")
                       .arg(QString::fromStdString(s.method).toHtmlEscaped(), percent(s.ratio), percent(s.targetRatio),
                            percent(s.modelRatio()), count(s.parametersBefore), count(s.parametersAfter))
                       .arg(s.seconds, 0, 'f', 1);
    if (!s.layers.empty())
        text += tr("<br>%n matrices, ranks %1–%2", nullptr, int(s.layers.size())).arg(lowest).arg(highest);
    if (dense > 0)
        text += tr(", %n left dense", nullptr, int(dense));
    if (s.parametersAdded > 0)
        text += tr("<br>%1 parameters added").arg(count(s.parametersAdded));
    if (s.decoderMacsBefore > 0)
        text += tr(" · decoder %1 → %2 GFLOPs per answer")
                    .arg(2e-9 * s.decoderMacsBefore, 0, 'f', 4)
                    .arg(2e-9 * s.decoderMacsAfter, 0, 'f', 4);
    if (!s.spectrumOf.empty())
        text += tr(" · σ of %1").arg(QString::fromStdString(s.spectrumOf).toHtmlEscaped());
    if (r.calibration == "images")
        text += tr(" · %n calibration images", nullptr, int(r.calibrationCount));
    else if (r.calibration == "image questions")
        text += tr(" · %n calibration image questions", nullptr, int(r.calibrationCount));
    else if (r.calibrationCount > 0)
        text += tr(" · %n calibration documents", nullptr, int(r.calibrationCount));
    if (!r.log.empty())
        text += tr(" · %n training steps", nullptr, int(r.log.size()));
    text += r.exportPath.empty() ? tr("<br>Not exported.")
                                 : tr("<br>Exported (%1) to %2")
                                       .arg(QString::fromStdString(r.exportFormat).toHtmlEscaped(),
                                            QDir::toNativeSeparators(QString::fromStdString(r.exportPath)).toHtmlEscaped());
    return text;
}

} // namespace sculpt
