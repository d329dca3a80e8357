// The spectra's thread team: every chunk of a phase runs exactly once whoever takes it,
// phases follow one another, and all members agree on rank 0's view of a flag.

#include "analysis/team.h"

#include <QtTest>
#include <atomic>
#include <vector>

using namespace sculpt;

class TestTeam : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyChunkRunsOnceAndPhasesDoNotOverlap()
    {
        for (int threads : {1, 2, 4}) {
            const int phases = 50, count = 37;
            std::vector<std::atomic<int>> runs(size_t(phases) * count), done(static_cast<size_t>(phases));
            std::atomic<int> overlapping{0}, sizeSeen{0};
            runTeam(threads, [&](TeamMember &team) {
                if (team.rank() == 0)
                    sizeSeen = team.size();
                for (int p = 0; p < phases; ++p)
                    team.share(count, [&](int i) {
                        // A chunk of phase p must never start before phase p − 1 is done.
                        if (p > 0 && done[size_t(p - 1)].load() != count)
                            ++overlapping;
                        ++runs[size_t(p) * count + size_t(i)];
                        ++done[size_t(p)];
                    });
            });
            QCOMPARE(sizeSeen.load(), threads);
            QCOMPARE(overlapping.load(), 0);
            for (const auto &r : runs)
                QCOMPARE(r.load(), 1);
        }
    }

    void membersAgreeOnRankZerosFlag()
    {
        std::atomic<int> agreed{0};
        runTeam(3, [&](TeamMember &team) {
            for (int round = 0; round < 20; ++round)
                if (team.agree(team.rank() == 0 ? round % 2 == 1 : round % 2 == 0) == (round % 2 == 1))
                    ++agreed;
        });
        QCOMPARE(agreed.load(), 3 * 20);
    }
};

QTEST_GUILESS_MAIN(TestTeam)
#include "test_team.moc"
