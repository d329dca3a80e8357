// The inventory tree (filter, multi-select, parameters) and the window that fills it from a
// background open.

#include "demo_model.h"
#include "filter_box.h"
#include "io/formats.h"
#include "main_window.h"
#include "model/inventory.h"
#include "model_tree.h"
#include "small_model.h"
#include "test_files.h"
#include "test_settings.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace sculpt;

class TestModelTree : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { test::isolateSettings(); }

    void treeGroupsTensorsByBlock()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = openCheckpoint(path.toStdString());
        ModelTree tree;
        tree.showModel(*model, buildInventory(*model));
        QCOMPARE(tree.topLevelItemCount(), 6); // outside blocks + 5 blocks
        QCOMPARE(tree.topLevelItem(0)->text(ModelTree::Name), QString("outside blocks"));
        QTreeWidgetItem *block2 = tree.topLevelItem(3);
        QCOMPARE(block2->text(ModelTree::Name), QString("block 2"));
        QCOMPARE(block2->childCount(), 9);
        QTreeWidgetItem *q = block2->child(1);
        QCOMPARE(q->text(ModelTree::Name), QString("model.layers.2.self_attn.q_proj.weight"));
        QCOMPARE(q->text(ModelTree::Role), QString("q"));
        QCOMPARE(q->text(ModelTree::DType), QString("F32"));
        QCOMPARE(q->text(ModelTree::Shape), QString("[64, 64]"));
        QCOMPARE(q->text(ModelTree::Matrix), QString("64 × 64"));
        QCOMPARE(q->text(ModelTree::Parameters), QLocale().toString(4096));
    }

    void filterTakesASubstringOrARegex()
    {
        QTemporaryDir dir;
        const auto model = openCheckpoint(test::writeTinyLlama(dir.path()).toStdString());
        ModelTree tree;
        tree.showModel(*model, buildInventory(*model));
        FilterBox box;
        connect(&box, &FilterBox::filterChanged, &tree, &ModelTree::setFilter);
        QCOMPARE(tree.visibleTensorCount(), 19);

        box.setText("Q_PROJ"); // substring, any case
        QCOMPARE(tree.visibleTensorCount(), 2);
        QVERIFY(tree.topLevelItem(0)->isHidden()); // "outside blocks" has no q_proj

        box.setText("/layers\\.1\\..*(gate|up)_proj");
        QCOMPARE(tree.visibleTensorCount(), 2);

        box.setText("/layers.(1"); // invalid: flagged, the last valid filter stays
        QVERIFY(!box.isValid());
        QVERIFY(box.toolTip().startsWith("Invalid regular expression"));
        QCOMPARE(tree.visibleTensorCount(), 2);

        box.setText("layers.(1"); // the same text as a substring is literal
        QVERIFY(box.isValid());
        QCOMPARE(tree.visibleTensorCount(), 0);

        box.clear();
        QCOMPARE(tree.visibleTensorCount(), 19);
    }

    void selectionTakesTensorsAndWholeBlocks()
    {
        QTemporaryDir dir;
        const auto model = openCheckpoint(test::writeTinyLlama(dir.path()).toStdString());
        ModelTree tree;
        tree.showModel(*model, buildInventory(*model));
        QSignalSpy changed(&tree, &ModelTree::tensorSelectionChanged);
        QTreeWidgetItem *block1 = tree.topLevelItem(2);
        QCOMPARE(block1->text(ModelTree::Name), QString("block 1"));
        // Block totals count every stored value: 4·48² + 3·48·128 + 48.
        QCOMPARE(block1->text(ModelTree::Parameters), QLocale().toString(4 * 48 * 48 + 3 * 48 * 128 + 48));

        tree.tensorItem("lm_head.weight")->setSelected(true);
        block1->setSelected(true);
        const QStringList selected = tree.selectedTensors();
        QCOMPARE(selected.size(), 1 + 8);
        QCOMPARE(selected.first(), QString("lm_head.weight")); // tree order: outside blocks first
        QVERIFY(selected.contains("model.layers.1.self_attn.q_proj.weight"));
        QVERIFY(!changed.isEmpty());
        QCOMPARE(changed.last().first().toStringList(), selected);

        tree.setFilter(QRegularExpression("proj")); // a block stands for its visible tensors
        tree.tensorItem("lm_head.weight")->setSelected(false);
        QCOMPARE(tree.selectedTensors().size(), 7);
    }

    void selectTensorsChoosesExactlyThose()
    {
        QTemporaryDir dir;
        const auto model = openCheckpoint(test::writeTinyLlama(dir.path()).toStdString());
        ModelTree tree;
        tree.showModel(*model, buildInventory(*model));
        tree.collapseAll();
        tree.selectTensor("lm_head.weight");
        QSignalSpy changed(&tree, &ModelTree::tensorSelectionChanged);
        const QStringList chosen{"model.layers.1.self_attn.v_proj.weight", "model.layers.0.self_attn.q_proj.weight"};
        tree.selectTensors(chosen + QStringList{"no.such.tensor"});
        QCOMPARE(changed.size(), 1); // once, not once per tensor
        QCOMPARE(changed.first().first().toStringList(), QStringList({chosen[1], chosen[0]})); // tree order
        QCOMPARE(tree.selectedTensors(), QStringList({chosen[1], chosen[0]}));
        QVERIFY(tree.tensorItem(chosen[0])->parent()->isExpanded());
        QVERIFY(tree.tensorItem(chosen[1])->parent()->isExpanded());
        QCOMPARE(tree.currentItem(), tree.tensorItem(chosen[0]));
    }

    void bundledDemoOpens()
    {
        // Always runs: the demo is part of the repository, not of ../shared.
        const QString demo = demoModelPath();
        QVERIFY2(!demo.isEmpty(), "resources/models/fashion-vit is missing");
        MainWindow window;
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        window.openModel(demo);
        QVERIFY(opened.wait(10000));
        QVERIFY(window.lastError().isEmpty());
        QCOMPARE(window.modelTree()->topLevelItemCount(), 5); // outside blocks + 4 blocks
        QVERIFY(window.windowTitle().contains(QStringLiteral("fashion-vit")));
    }

    void windowOpensInTheBackgroundAndKeepsTheModelOnABadFile()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        MainWindow window;
        window.show();
        QSignalSpy opened(&window, &MainWindow::modelOpened);
        window.openModel(path);
        QVERIFY(opened.wait(10000));
        QCOMPARE(window.modelTree()->topLevelItemCount(), 6);
        QCOMPARE(window.currentPath(), path);

        QTemporaryDir dir;
        const QString bad = dir.filePath("broken.safetensors");
        test::writeFile(bad, QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f{", 9));
        QSignalSpy failed(&window, &MainWindow::openFailed);
        window.openModel(bad);
        QVERIFY(failed.wait(10000));
        QVERIFY2(window.lastError().contains(bad), qPrintable(window.lastError()));
        QCOMPARE(window.modelTree()->topLevelItemCount(), 6); // nothing lost
        QCOMPARE(window.currentPath(), path);
    }
};

QTEST_MAIN(TestModelTree)
#include "test_model_tree.moc"
