// The layer overview: one series per role across depth, a click on a point chooses its
// tensor, the metrics table sorts (unknowns last, names in numeric order) and exports CSV.

#include "analysis/metrics.h"
#include "layer_overview.h"
#include "metrics_table.h"
#include "model/inventory.h"
#include "screenshot.h"

#include <QComboBox>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <qcustomplot.h>

using namespace sculpt;
using namespace sculpt::test;

namespace {

constexpr int kBlocks = 12;
const char *const kRoles[] = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};

std::string tensorName(int block, const std::string &projection)
{
    const bool attention = projection.size() == 6; // q_proj … o_proj
    return "model.layers." + std::to_string(block) + (attention ? ".self_attn." : ".mlp.") + projection + ".weight";
}

// A LLaMA-like inventory, 12 blocks of seven 32×32 matrices and an embedding outside them,
// stored as sharded checkpoints often are: names in text order (layers.10 before layers.2).
ModelInventory inventory()
{
    ModelInventory inv;
    inv.architecture = Architecture::Llama;
    inv.weights.push_back({"model.embed_tokens.weight", -1, Role::Embed, {64, 32}, false, MatrixShape{64, 32}});
    const Role roles[] = {Role::Q, Role::K, Role::V, Role::O, Role::Gate, Role::Up, Role::Down};
    std::vector<std::pair<std::string, Weight>> named;
    for (int b = 0; b < kBlocks; ++b)
        for (int r = 0; r < 7; ++r) {
            const std::string name = tensorName(b, kRoles[r]);
            named.push_back({name, {name, b, roles[r], {32, 32}, false, MatrixShape{32, 32}}});
        }
    std::sort(named.begin(), named.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (auto &entry : named)
        inv.weights.push_back(entry.second);
    return inv;
}

// σ_i = i^(−decay): steeper spectra for deeper blocks, so every metric changes with depth.
TensorSpectrum spectrum(const Weight &w)
{
    TensorSpectrum s;
    s.name = w.name;
    s.method = "exact";
    s.rows = w.matrix->rows;
    s.cols = w.matrix->cols;
    const double decay = 0.3 + 0.05 * std::max(w.block, 0) + 0.01 * int(w.role);
    double energy = 0;
    for (int i = 1; i <= 32; ++i) {
        s.singularValues.push_back(std::pow(double(i), -decay));
        energy += s.singularValues.back() * s.singularValues.back();
    }
    s.metrics = computeMetrics(s.singularValues, s.rows, s.cols, energy, true);
    return s;
}

struct Overview {
    ModelInventory inv = inventory();
    LayerOverview view;

    Overview()
    {
        view.resize(900, 700);
        view.show();
        view.showModel(inv);
        for (const Weight &w : inv.weights)
            view.showSpectrum(spectrum(w));
    }
};

QStringList column(const QAbstractItemModel &model, int column)
{
    QStringList cells;
    for (int r = 0; r < model.rowCount(); ++r)
        cells << model.index(r, column).data().toString();
    return cells;
}

} // namespace

class TestLayerOverview : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneSeriesPerRoleAcrossDepth()
    {
        Overview o;
        QTRY_COMPARE(o.view.roles(), (QStringList{"q", "k", "v", "o", "gate", "up", "down"}));
        for (const QString &role : o.view.roles()) {
            const auto data = o.view.series(role)->data();
            QCOMPARE(data->size(), kBlocks); // the embedding has no depth: not plotted
            for (int b = 0; b < kBlocks; ++b)
                QCOMPARE(data->at(b)->key, double(b)); // by depth, whatever the checkpoint's order
        }
        // Alpha by default; each point is its tensor's fitted exponent.
        const TensorSpectrum q3 = spectrum({tensorName(3, "q_proj"), 3, Role::Q, {32, 32}, false, MatrixShape{32, 32}});
        QCOMPARE(o.view.series("q")->data()->at(3)->value, q3.metrics.alpha.alpha);
        o.view.setSelectedTensors({QString::fromStdString(tensorName(3, "q_proj"))});
        screenshot(o.view, "30-layer-overview-alpha.png");

        o.view.setMetric(LayerOverview::Metric::StableRank);
        QCOMPARE(o.view.series("q")->data()->at(3)->value, q3.metrics.stableRank);
        QCOMPARE(o.view.plot()->yAxis->label(), QString("stable rank"));

        // Energy at the target compression: the rank that saves 60 %, read off the energy curve.
        o.view.setMetric(LayerOverview::Metric::EnergyAtRatio);
        o.view.setTargetRatio(0.6);
        QTRY_COMPARE(o.view.plot()->yAxis->label(), QString("energy kept at 60 % compression"));
        const long k = rankForCompression(32, 32, 0.6);
        QCOMPARE(k, 6L); // 1 − 6·64/1024 = 0.625 ≥ 0.6; rank 7 would save 0.5625
        const double energy = q3.metrics.frobeniusNorm * q3.metrics.frobeniusNorm;
        QCOMPARE(o.view.series("q")->data()->at(3)->value, energyCurve(q3.singularValues, energy)[size_t(k - 1)]);
        screenshot(o.view, "31-layer-overview-energy.png");
    }

    void clickingAPointChoosesItsTensor()
    {
        Overview o;
        QTRY_VERIFY(o.view.series("down"));
        QCustomPlot *plot = o.view.plot();
        plot->replot();
        const auto point = o.view.series("down")->data()->at(7);
        const QPoint pixel(int(std::lround(plot->xAxis->coordToPixel(point->key))),
                           int(std::lround(plot->yAxis->coordToPixel(point->value))));
        QSignalSpy chosen(&o.view, &LayerOverview::tensorChosen);
        QTest::mouseMove(plot, pixel);
        QVERIFY2(o.view.hoverText().startsWith(QString::fromStdString(tensorName(7, "down_proj")) + " · block 7 · down"),
                 qPrintable(o.view.hoverText()));
        QTest::mouseClick(plot, Qt::LeftButton, {}, pixel);
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.at(0).at(0).toString(), QString::fromStdString(tensorName(7, "down_proj")));

        // Far from every point a click chooses nothing.
        QTest::mouseClick(plot, Qt::LeftButton, {}, plot->axisRect()->topLeft() + QPoint(2, 2));
        QCOMPARE(chosen.size(), 1);

        // A row of the table chooses too, and choosing elsewhere selects the row.
        o.view.setSelectedTensors({QString::fromStdString(tensorName(2, "v_proj"))});
        QCOMPARE(chosen.size(), 1); // not reported back
        const QModelIndexList rows = o.view.table()->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0].data().toString(), QString::fromStdString(tensorName(2, "v_proj")));
        const QModelIndex other = o.view.sortedMetrics()->index(0, MetricsTableModel::Name);
        o.view.table()->selectionModel()->setCurrentIndex(other, QItemSelectionModel::ClearAndSelect);
        QCOMPARE(chosen.size(), 2);
        QCOMPARE(chosen.at(1).at(0).toString(), other.data().toString());
    }

    void tableSortsByAnyColumnWithUnknownsLast()
    {
        Overview o;
        QAbstractItemModel &table = *o.view.sortedMetrics();
        QCOMPARE(table.rowCount(), 1 + kBlocks * 7);
        // Every header explains its metric.
        for (int c = 0; c < MetricsTableModel::ColumnCount; ++c)
            QVERIFY(!table.headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
        QVERIFY(table.headerData(MetricsTableModel::StableRank, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .startsWith("‖W‖_F²/σ_max²"));

        // Names sort as a researcher reads them: layers.2 before layers.10.
        o.view.table()->sortByColumn(MetricsTableModel::Name, Qt::AscendingOrder);
        const QStringList names = column(table, MetricsTableModel::Name);
        QVERIFY(names.indexOf(QString::fromStdString(tensorName(2, "q_proj"))) <
                names.indexOf(QString::fromStdString(tensorName(10, "q_proj"))));

        // Numbers by value, both ways; the embedding (no block) stays last either way.
        for (const auto order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            o.view.table()->sortByColumn(MetricsTableModel::Block, order);
            QCOMPARE(table.index(table.rowCount() - 1, MetricsTableModel::Name).data().toString(),
                     QString("model.embed_tokens.weight"));
        }
        o.view.table()->sortByColumn(MetricsTableModel::Alpha, Qt::DescendingOrder);
        double previous = std::numeric_limits<double>::infinity();
        for (int r = 0; r < table.rowCount(); ++r) {
            const QVariant alpha = table.index(r, MetricsTableModel::Alpha).data(MetricsTableModel::SortRole);
            if (!alpha.isValid())
                continue;
            QVERIFY(alpha.toDouble() <= previous);
            previous = alpha.toDouble();
        }
        QVERIFY(o.view.table()->horizontalHeader()->isSortIndicatorShown());
    }

    void csvHoldsTheTableInItsOrderAtFullPrecision()
    {
        Overview o;
        o.view.table()->sortByColumn(MetricsTableModel::StableRank, Qt::AscendingOrder);
        QTemporaryDir dir;
        const QString path = dir.filePath("metrics.csv");
        QVERIFY(o.view.exportCsv(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split("\r\n", Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 1 + kBlocks * 7);
        QCOMPARE(lines[0], QString("name,block,role,shape,spectral_norm,stable_rank,effective_rank,rank_90,rank_95,"
                                   "rank_99,breakeven_rank,alpha,alpha_xmin,alpha_ks"));
        const QStringList first = lines[1].split(',');
        QCOMPARE(first[0], o.view.sortedMetrics()->index(0, MetricsTableModel::Name).data().toString());
        const auto &row = o.view.metricsModel()->rowsOfModel()[size_t(o.view.metricsModel()->rowOf(first[0]))];
        QCOMPARE(first[MetricsTableModel::StableRank], QString::number(row.spectrum->metrics.stableRank, 'g', 9));
        QCOMPARE(first[MetricsTableModel::Shape], QString("32x32"));
        QCOMPARE(first[MetricsTableModel::Rank90], QString::number(row.spectrum->metrics.rank90));
        // The embedding: no block, an empty cell.
        const QString embedding = lines.filter("model.embed_tokens.weight").constFirst();
        QVERIFY2(embedding.startsWith("model.embed_tokens.weight,,embed,64x32,"), qPrintable(embedding));

        QVERIFY(!o.view.exportCsv(dir.filePath("no/such/folder/metrics.csv")));
    }
};

QTEST_MAIN(TestLayerOverview)
#include "test_layer_overview.moc"
