#include "diff_view.h"

#include "io/checkpoint.h"
#include "plot_style.h"
#include "table_csv.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>
#include <map>

namespace sculpt {
namespace {

// "[4096, 11008]", as every listing writes a shape.
QString shapeOf(const std::vector<int64_t> &shape) { return QString::fromStdString(shapeText(shape)); }

// A number cell that sorts as a number; empty when there is no such number.
QStandardItem *numberItem(double value, bool known = true)
{
    auto *item = new QStandardItem;
    if (known && std::isfinite(value))
        item->setData(value, Qt::DisplayRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

const std::vector<double> &sideOf(const TensorDiff &pair, int side)
{
    return side == 0 ? pair.spectrumA : side == 1 ? pair.spectrumB : pair.differenceSpectrum;
}

} // namespace

DiffView::DiffView(QWidget *parent)
    : PlotWidget(parent), summary_(new QLabel), measureChoice_(new QComboBox), spectra_(new DiffSpectra),
      table_(new QTableView), model_(new QStandardItemModel(this)), sorted_(new QSortFilterProxyModel(this)),
      unmatched_(new QLabel)
{
    setAcceptDrops(true);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    unmatched_->setWordWrap(true);
    unmatched_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    measureChoice_->addItems({tr("Relative distance ‖A−B‖/‖A‖"), tr("Cosine similarity"), tr("Stable rank of A−B"),
                              tr("Subspace overlap (mean cos² of principal angles)")});
    connect(measureChoice_, &QComboBox::currentIndexChanged, this, [this](int i) { setMeasure(Measure(i)); });

    plot()->xAxis->setLabel(tr("block"));
    plot()->legend->setVisible(true);
    plot()->setMinimumHeight(220);
    connect(plot(), &QCustomPlot::mousePress, this, [this](QMouseEvent *event) { pressedAt_ = event->position(); });
    connect(plot(), &QCustomPlot::mouseRelease, this, [this](QMouseEvent *event) {
        if (event->button() != Qt::LeftButton || QLineF(pressedAt_, event->position()).length() > kClickSlopPixels)
            return; // a drag pans; only a click chooses
        if (const QString tensor = tensorAt(event->position()); !tensor.isEmpty())
            chooseTensor(tensor);
    });

    model_->setColumnCount(Columns);
    model_->setHorizontalHeaderLabels({tr("Tensor"), tr("Block"), tr("Role"), tr("Shape"), tr("‖A−B‖/‖A‖"), tr("Cosine"),
                                       tr("Max |A−B|"), tr("Stable rank of A−B"), tr("Subspace overlap")});
    sorted_->setSourceModel(model_);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setTextElideMode(Qt::ElideLeft);
    table_->verticalHeader()->setVisible(false);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            chooseTensor(sorted_->index(current.row(), Name).data(Qt::UserRole).toString());
    });
    auto *exportButton = new QPushButton(tr("Export CSV…"));
    connect(exportButton, &QPushButton::clicked, this, &DiffView::exportCsvRequested);

    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Measure:")));
    controls->addWidget(measureChoice_);
    controls->addStretch();
    controls->addWidget(exportButton);
    auto *plots = new QSplitter(Qt::Horizontal);
    plots->addWidget(plot());
    plots->addWidget(spectra_);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    auto *parts = new QSplitter(Qt::Vertical);
    parts->addWidget(plots);
    parts->addWidget(table_);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addLayout(controls);
    layout->addWidget(parts, 1);
    layout->addWidget(unmatched_);
    showDiff({}, {});
}

QString DiffView::summary() const { return summary_->text(); }

void DiffView::showDiff(const DiffRecord &record, const QString &nameA)
{
    record_ = record;
    chosen_.clear();
    const ModelDiff &d = record.diff;
    summary_->setText(record.otherPath.empty()
                          ? tr("File ▸ Compare with… (or drop a checkpoint here) compares the open model with another "
                               "checkpoint tensor by tensor: a fine-tune, a merged adapter, a compressed export.")
                          : tr("A %1 · B %2 — %3 tensors compared, %4 only in A, %5 only in B, %6 of another shape "
                               "(compared %7)")
                                .arg(nameA, QString::fromStdString(record.otherPath))
                                .arg(d.tensors.size())
                                .arg(d.onlyInA.size())
                                .arg(d.onlyInB.size())
                                .arg(d.reshaped.size())
                                .arg(QString::fromStdString(record.date)));
    QStringList unmatched;
    for (const DiffMismatch &m : d.onlyInA)
        unmatched << tr("only in A: %1 %2").arg(QString::fromStdString(m.a.name), shapeOf(m.a.shape));
    for (const DiffMismatch &m : d.onlyInB)
        unmatched << tr("only in B: %1 %2").arg(QString::fromStdString(m.b.name), shapeOf(m.b.shape));
    for (const DiffMismatch &m : d.reshaped)
        unmatched << tr("another shape: %1 %2 in A, %3 in B")
                         .arg(QString::fromStdString(m.a.name), shapeOf(m.a.shape), shapeOf(m.b.shape));
    unmatched_->setText(unmatched.join(QLatin1Char('\n')));
    unmatched_->setVisible(!unmatched.isEmpty());
    fillTable();
    plotMeasure();
    spectra_->showPair(nullptr);
    if (!d.tensors.empty())
        chooseTensor(sorted_->index(0, Name).data(Qt::UserRole).toString()); // the heaviest change
}

void DiffView::fillTable()
{
    model_->removeRows(0, model_->rowCount());
    for (const TensorDiff &t : record_.diff.tensors) {
        const bool spectra = !t.differenceSpectrum.empty();
        auto *name = new QStandardItem(QString::fromStdString(t.a.name) + (t.b.factorized ? QStringLiteral(" (A·B)") : QString()));
        name->setData(QString::fromStdString(t.a.name), Qt::UserRole);
        name->setToolTip(QString::fromStdString(t.b.name));
        auto *block = new QStandardItem;
        if (t.block >= 0)
            block->setData(t.block, Qt::DisplayRole);
        model_->appendRow({name, block, new QStandardItem(QString::fromLatin1(roleName(t.role).data())),
                           new QStandardItem(shapeOf(t.a.shape)), numberItem(t.relativeDistance), numberItem(t.cosine),
                           numberItem(t.maxAbsDifference), numberItem(t.stableRank, spectra),
                           numberItem(t.subspaceOverlap, spectra && t.subspaceK > 0)});
    }
    table_->sortByColumn(Distance, Qt::DescendingOrder); // the heaviest changes first
    table_->resizeColumnsToContents();
}

double DiffView::valueOf(const TensorDiff &t) const
{
    switch (measure_) {
    case Measure::RelativeDistance:
        return t.relativeDistance;
    case Measure::Cosine:
        return t.cosine;
    case Measure::StableRank:
        return t.differenceSpectrum.empty() ? NAN : t.stableRank;
    case Measure::SubspaceOverlap:
        return t.differenceSpectrum.empty() || t.subspaceK == 0 ? NAN : t.subspaceOverlap;
    }
    return NAN;
}

void DiffView::setMeasure(Measure measure)
{
    measure_ = measure;
    if (measureChoice_->currentIndex() != int(measure))
        measureChoice_->setCurrentIndex(int(measure));
    plotMeasure();
}

void DiffView::plotMeasure()
{
    plot()->clearGraphs();
    series_.clear();
    std::map<int, std::vector<const TensorDiff *>> roles; // the legend in the inventory's role order
    for (const TensorDiff &t : record_.diff.tensors)
        if (t.block >= 0 && std::isfinite(valueOf(t))) // what lies outside the blocks is in the table
            roles[int(t.role)].push_back(&t);
    for (const auto &[role, pairs] : roles) {
        DepthSeries s{QString::fromLatin1(roleName(sculpt::Role(role)).data()), plot()->addGraph(), {}};
        s.graph->setName(s.role);
        s.graph->setLineStyle(QCPGraph::lsLine);
        for (const TensorDiff *t : pairs) {
            s.graph->addData(t->block, valueOf(*t));
            s.tensors << QString::fromStdString(t->a.name);
        }
        series_.push_back(std::move(s));
    }
    plot()->yAxis->setLabel(measureChoice_->currentText());
    plot()->rescaleAxes();
    plot()->xAxis->scaleRange(1.1);
    plot()->yAxis->scaleRange(1.15);
    applyPalette();
    plot()->replot();
}

QStringList DiffView::roles() const { return rolesOf(series_); }

QCPGraph *DiffView::series(const QString &role) const { return graphOf(series_, role); }

QString DiffView::tensorAt(QPointF pixel) const { return tensorNear(*plot(), series_, pixel); }

void DiffView::chooseTensor(const QString &name)
{
    if (name == chosen_)
        return;
    const auto &tensors = record_.diff.tensors;
    const auto pair = std::find_if(tensors.begin(), tensors.end(),
                                   [&](const TensorDiff &t) { return QString::fromStdString(t.a.name) == name; });
    if (pair == tensors.end())
        return;
    chosen_ = name;
    spectra_->showPair(&*pair);
    for (int row = 0; row < sorted_->rowCount(); ++row)
        if (sorted_->index(row, Name).data(Qt::UserRole).toString() == name) {
            table_->selectRow(row);
            break;
        }
    Q_EMIT tensorChosen(name);
}

bool DiffView::exportCsv(const QString &path, QString *error) const
{
    return saveTableCsv(*sorted_, Qt::DisplayRole, path, error);
}

void DiffView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void DiffView::dropEvent(QDropEvent *event)
{
    const QString path = event->mimeData()->urls().first().toLocalFile();
    if (QFileInfo::exists(path)) {
        event->acceptProposedAction();
        Q_EMIT compareRequested(path);
    }
}

void DiffView::colourContent(const QPalette &)
{
    for (size_t i = 0; i < series_.size(); ++i) {
        series_[i].graph->setPen(QPen(seriesColour(i), 1.5));
        series_[i].graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColour(i), 6));
    }
}

DiffSpectra::DiffSpectra(QWidget *parent) : PlotWidget(parent)
{
    for (const QString &name : {tr("A"), tr("B"), tr("A − B")})
        plot()->addGraph()->setName(name);
    plot()->legend->setVisible(true);
    plot()->xAxis->setLabel(tr("index"));
    plot()->yAxis->setLabel(tr("singular value"));
    setLogScale(*plot()->yAxis, true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot());
    applyPalette();
}

QCPGraph *DiffSpectra::graphOf(int side) const { return plot()->graph(side); }

void DiffSpectra::showPair(const TensorDiff *pair)
{
    for (int side = 0; side < 3; ++side) {
        QVector<double> index, values;
        if (pair)
            for (size_t i = 0; i < sideOf(*pair, side).size(); ++i)
                if (const double v = sideOf(*pair, side)[i]; v > 0) { // a log scale has no zero
                    index << double(i + 1);
                    values << v;
                }
        graphOf(side)->setData(index, values, true);
    }
    plot()->xAxis->setLabel(pair ? tr("index — %1").arg(QString::fromStdString(pair->a.name)) : tr("index"));
    plot()->rescaleAxes();
    plot()->replot();
}

void DiffSpectra::colourContent(const QPalette &)
{
    for (int side = 0; side < 3; ++side)
        graphOf(side)->setPen(QPen(seriesColour(size_t(side)), side == 2 ? 2.0 : 1.2, side == 1 ? Qt::DashLine : Qt::SolidLine));
}

} // namespace sculpt
