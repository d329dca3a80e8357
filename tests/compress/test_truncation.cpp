// Weighted truncation, the step every SVD baseline shares: in the norm it is given, it must
// be the best rank-k approximation (Eckart–Young for diag(r)·W·T), and undoing the weights
// must approximate W itself.

#include "compress/calibration.h"
#include "compress/truncation.h"

#include <QtTest>

using namespace sculpt;

namespace {

torch::Tensor product(const Truncation &t) { return torch::matmul(t.factors.a, t.factors.b).to(torch::kFloat64); }

// ‖diag(r)·E·T‖_F for the error E.
double weightedError(const torch::Tensor &error, const Weighting &w)
{
    torch::Tensor m = error.to(torch::kFloat64);
    if (w.rows.defined())
        m = m * w.rows.to(torch::kFloat64).unsqueeze(1);
    if (w.input.defined())
        m = w.input.dim() == 1 ? m * w.input.to(torch::kFloat64) : torch::matmul(m, w.input.to(torch::kFloat64));
    return m.norm().item<double>();
}

// The Eckart–Young optimum: the energy of the dropped σ of the weighted matrix.
double bestError(const Truncation &t, int64_t k)
{
    double e = 0;
    for (size_t i = size_t(k); i < t.singularValues.size(); ++i)
        e += double(t.singularValues[i]) * t.singularValues[i];
    return std::sqrt(e);
}

} // namespace

class TestTruncation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void plainTruncationIsEckartYoung()
    {
        const torch::Tensor w = torch::randn({40, 24});
        const Truncation t = truncate(w, 8);
        QCOMPARE(t.factors.a.sizes().vec(), std::vector<int64_t>({40, 8}));
        QCOMPARE(t.factors.b.sizes().vec(), std::vector<int64_t>({8, 24}));
        QCOMPARE(t.singularValues.size(), size_t(24));
        QVERIFY(std::is_sorted(t.singularValues.rbegin(), t.singularValues.rend()));
        const double error = (w.to(torch::kFloat64) - product(t)).norm().item<double>();
        QVERIFY(std::abs(error - bestError(t, 8)) < 1e-4 * bestError(t, 8));
    }

    void fullRankIsExact()
    {
        const torch::Tensor w = torch::randn({12, 20});
        const Weighting w8{torch::rand({12}) + 0.5, torch::rand({20}) + 0.5};
        QVERIFY((w.to(torch::kFloat64) - product(truncate(w, 12, w8))).abs().max().item<double>() < 1e-4);
    }

    void weightedTruncationIsOptimalInItsNorm_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("row weights (FWSVD)") << "rows";
        QTest::newRow("diagonal input scaling (ASVD)") << "diagonal";
        QTest::newRow("triangular whitening (SVD-LLM)") << "triangular";
    }
    void weightedTruncationIsOptimalInItsNorm()
    {
        QFETCH(QString, kind);
        const torch::Tensor w = torch::randn({48, 32});
        Weighting weighting;
        if (kind == "rows")
            weighting.rows = torch::rand({48}) * 3 + 0.1;
        else if (kind == "diagonal")
            weighting.input = torch::rand({32}) * 3 + 0.1;
        else {
            const torch::Tensor x = torch::randn({500, 32}, torch::kFloat64) * (torch::rand({32}, torch::kFloat64) * 4);
            weighting.input = choleskyWhitening(torch::matmul(x.t(), x));
        }
        const int64_t k = 10;
        const Truncation weighted = truncate(w, k, weighting);
        const double error = weightedError(w.to(torch::kFloat64) - product(weighted), weighting);
        QVERIFY2(std::abs(error - bestError(weighted, k)) < 1e-3 * bestError(weighted, k),
                 qPrintable(QString("%1 vs %2").arg(error).arg(bestError(weighted, k))));
        // And strictly better in that norm than ignoring the weights.
        const double plain = weightedError(w.to(torch::kFloat64) - product(truncate(w, k)), weighting);
        QVERIFY2(error < plain, qPrintable(QString("%1 vs plain %2").arg(error).arg(plain)));
    }

    void whiteningSurvivesASingularCovariance()
    {
        // Feature 3 never fires: XᵀX is singular and needs the jitter.
        torch::Tensor x = torch::randn({200, 6}, torch::kFloat64);
        x.select(1, 3).zero_();
        const torch::Tensor gram = torch::matmul(x.t(), x);
        const torch::Tensor s = choleskyWhitening(gram);
        QVERIFY(torch::allclose(s, s.tril()));
        QVERIFY((torch::matmul(s, s.t()) - gram).abs().max().item<double>() < 1e-3 * gram.diagonal().mean().item<double>());
        QVERIFY(s.diagonal().min().item<double>() > 0);
    }

    void rankOutsideTheSpectrumIsRefused()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, truncate(torch::randn({4, 3}), 4));
    }
};

QTEST_APPLESS_MAIN(TestTruncation)
#include "test_truncation.moc"
