#include "evaluation_table.h"

#include "table_columns.h"
#include "table_csv.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QPalette>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

namespace sculpt {
namespace {

const TableColumn kColumns[EvaluationTableModel::ColumnCount] = {
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Metric"), "metric",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "What was measured: perplexity on a text, or top-1 accuracy on an image set.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Value"), "value",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "Perplexity: exp of the mean negative log-likelihood per predicted token (lower is better). Accuracy: the share of images whose top-1 class is their label.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Data"), "data",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "The file measured on; the tooltip lists every file used with its size and content hash.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Counted"), "count",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "How many tokens were predicted, or images classified.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Settings"), "settings",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "Limits the measurement ran with: the first documents or images only.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Date"), "date",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "When it finished (local time; UTC in the CSV).")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Duration"), "seconds",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "How long it ran, loading the model included.")},
    {QT_TRANSLATE_NOOP("EvaluationTableModel", "Weights"), "weights_hash",
     QT_TRANSLATE_NOOP("EvaluationTableModel", "A hash of every tensor as measured; greyed rows were measured on other weights than the open ones.")},
};

QString text(const std::string &s) { return QString::fromStdString(s); }

QString duration(double seconds)
{
    if (seconds < 60)
        return QObject::tr("%1 s").arg(seconds, 0, 'f', seconds < 10 ? 2 : 1);
    const long s = std::lround(seconds);
    if (s < 3600)
        return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

QString value(const Evaluation &e)
{
    if (std::isnan(e.value))
        return QStringLiteral("—");
    if (e.inPercent())
        return QStringLiteral("%1\u00a0%").arg(100 * e.value, 0, 'f', 2);
    return QString::number(e.value, 'f', 3);
}

QString settings(const Evaluation &e, const QString &equals, const QString &separator)
{
    QStringList parts;
    for (const auto &[name, setting] : e.settings)
        parts << text(name) + equals + text(setting);
    return parts.join(separator);
}

QString dataTooltip(const Evaluation &e)
{
    QStringList lines;
    for (const DataFile &file : e.data)
        lines << QObject::tr("%1: %2 (%3 bytes, xxh3 %4)")
                     .arg(text(file.role), text(file.path), QLocale().toString(qlonglong(file.bytes)), text(file.contentHash));
    return lines.join(QLatin1Char('\n'));
}

QDateTime dateOf(const Evaluation &e) { return QDateTime::fromString(text(e.date), Qt::ISODate); }

} // namespace

EvaluationTableModel::EvaluationTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void EvaluationTableModel::setEvaluations(std::vector<Evaluation> evaluations)
{
    beginResetModel();
    rows_ = std::move(evaluations);
    endResetModel();
}

void EvaluationTableModel::addEvaluation(Evaluation evaluation)
{
    const int row = int(rows_.size());
    beginInsertRows({}, row, row);
    rows_.push_back(std::move(evaluation));
    endInsertRows();
}

void EvaluationTableModel::setCurrentWeights(const QString &hash)
{
    currentWeights_ = hash;
    if (!rows_.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

bool EvaluationTableModel::isStale(int row) const
{
    return !currentWeights_.isEmpty() && text(rows_[size_t(row)].modelHash) != currentWeights_;
}

int EvaluationTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

int EvaluationTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant EvaluationTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Evaluation &e = rows_[size_t(index.row())];
    if (role == Qt::ForegroundRole && isStale(index.row()))
        return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
    if (role == Qt::ToolTipRole && isStale(index.row()) && index.column() != Data)
        return tr("Measured on other weights of this model (hash %1; the open ones hash to %2)")
            .arg(text(e.modelHash), currentWeights_);
    switch (index.column()) {
    case Metric:
        if (role == Qt::DisplayRole || role == SortRole || role == CsvRole)
            return text(e.metric);
        break;
    case Value:
        if (role == Qt::DisplayRole)
            return value(e);
        if (role == SortRole)
            return e.value;
        if (role == CsvRole)
            return QString::number(e.value, 'g', 10);
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::ToolTipRole && e.inPercent() && e.details.count("correct"))
            return tr("%1 of %2 %3 correct")
                .arg(qlonglong(e.details.at("correct")))
                .arg(e.count)
                .arg(QString::fromStdString(e.counted));
        if (role == Qt::ToolTipRole && e.details.count("mean_nll"))
            return tr("mean NLL %1 nats per token").arg(e.details.at("mean_nll"), 0, 'f', 6);
        break;
    case Data:
        if (role == Qt::DisplayRole || role == SortRole)
            return e.data.empty() ? QString() : QFileInfo(text(e.data.front().path)).fileName();
        if (role == Qt::ToolTipRole)
            return dataTooltip(e);
        if (role == CsvRole) {
            QStringList files;
            for (const DataFile &file : e.data)
                files << text(file.role) + QLatin1Char('=') + text(file.path);
            return files.join(QLatin1Char(';'));
        }
        break;
    case Count:
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1 %2").arg(QLocale().toString(qlonglong(e.count)), text(e.counted));
        if (role == SortRole)
            return qlonglong(e.count);
        if (role == CsvRole)
            return QString::number(e.count);
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Settings:
        if (role == Qt::DisplayRole || role == SortRole)
            return e.settings.empty() ? tr("all") : settings(e, QStringLiteral(" "), QStringLiteral(", "));
        if (role == CsvRole)
            return settings(e, QStringLiteral("="), QStringLiteral(";"));
        break;
    case Date:
        if (role == Qt::DisplayRole)
            return QLocale().toString(dateOf(e).toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (role == SortRole)
            return dateOf(e);
        if (role == CsvRole)
            return text(e.date);
        break;
    case Duration:
        if (role == Qt::DisplayRole)
            return duration(e.seconds);
        if (role == SortRole)
            return e.seconds;
        if (role == CsvRole)
            return QString::number(e.seconds, 'f', 3);
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Weights:
        if (role == Qt::DisplayRole)
            return text(e.modelHash).left(8);
        if (role == SortRole || role == CsvRole || role == Qt::ToolTipRole)
            return text(e.modelHash);
        if (role == Qt::FontRole) {
            QFont mono(QStringLiteral("monospace"));
            mono.setStyleHint(QFont::Monospace);
            return mono;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant EvaluationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    return columnHeader(kColumns[section], staticMetaObject.className(), role, CsvRole);
}

EvaluationTable::EvaluationTable(QWidget *parent)
    : QWidget(parent), model_(new EvaluationTableModel(this)), sorted_(new QSortFilterProxyModel(this)),
      view_(new QTableView)
{
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(EvaluationTableModel::SortRole);
    sorted_->setDynamicSortFilter(true); // a result arriving takes its place at once
    view_->setModel(sorted_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(EvaluationTableModel::Date, Qt::DescendingOrder);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setWordWrap(false);
    view_->verticalHeader()->setVisible(false);
    view_->horizontalHeader()->setStretchLastSection(true);
    connect(model_, &QAbstractItemModel::rowsInserted, view_, &QTableView::resizeColumnsToContents);
    connect(model_, &QAbstractItemModel::modelReset, view_, &QTableView::resizeColumnsToContents);

    auto *exportButton = new QPushButton(tr("Export CSV…"));
    exportButton->setToolTip(tr("Save the table as CSV, in the order shown, with full paths and precision"));
    connect(exportButton, &QPushButton::clicked, this, &EvaluationTable::exportCsvRequested);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(exportButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view_);
    layout->addLayout(buttons);
}

QString EvaluationTable::shownText(int row, int column) const { return sorted_->index(row, column).data().toString(); }

bool EvaluationTable::exportCsv(const QString &path, QString *error) const
{
    return saveTableCsv(*sorted_, EvaluationTableModel::CsvRole, path, error);
}

} // namespace sculpt
