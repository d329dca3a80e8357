// The Linear layer every projection runs through: a low-rank layer built from an exact
// factorisation computes what the dense layer computes.

#include "runtime/linear.h"

#include <QtTest>
#include <torch/torch.h>

using namespace sculpt;

class TestLinear : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lowRankFromAnExactFactorisationMatchesDense()
    {
        torch::manual_seed(1);
        // Rank 6 by construction, so six singular triplets reproduce it exactly.
        const torch::Tensor w = torch::randn({24, 6}).matmul(torch::randn({6, 40}));
        const torch::Tensor bias = torch::randn({24});
        const auto [u, s, vh] = torch::linalg::svd(w, /*full_matrices=*/false, c10::nullopt);
        const torch::Tensor a = u.narrow(1, 0, 6), scale = s.narrow(0, 0, 6), b = vh.narrow(0, 0, 6);
        const torch::Tensor x = torch::randn({3, 5, 40}); // any leading dimensions

        const Linear dense = Linear::dense(w, bias);
        const Linear scaled = Linear::lowRank(a, b, scale, bias);
        const Linear folded = Linear::lowRank(a * scale, b, std::nullopt, bias); // s folded into A
        QVERIFY(!dense.isLowRank() && scaled.isLowRank());
        QCOMPARE(scaled.inFeatures(), 40);
        QCOMPARE(scaled.outFeatures(), 24);
        const torch::Tensor expected = dense(x);
        QCOMPARE(expected.sizes().vec(), (std::vector<int64_t>{3, 5, 24}));
        QVERIFY(torch::allclose(scaled(x), expected, 1e-4, 1e-4));
        QVERIFY(torch::allclose(folded(x), expected, 1e-4, 1e-4));
    }

    void shapesAreChecked()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Linear::dense(torch::zeros({4})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Linear::dense(torch::zeros({4, 3}), torch::zeros({3})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Linear::lowRank(torch::zeros({4, 2}), torch::zeros({3, 5})));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 Linear::lowRank(torch::zeros({4, 2}), torch::zeros({2, 5}), torch::zeros({3})));
    }
};

QTEST_GUILESS_MAIN(TestLinear)
#include "test_linear.moc"
