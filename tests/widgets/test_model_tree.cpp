// The inventory tree and the window that fills it from a background open.

#include "io/formats.h"
#include "main_window.h"
#include "model/inventory.h"
#include "model_tree.h"
#include "test_files.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace sculpt;

class TestModelTree : public QObject {
    Q_OBJECT
private Q_SLOTS:
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
