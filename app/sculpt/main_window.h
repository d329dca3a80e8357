#pragma once
#include <QFutureWatcher>
#include <QMainWindow>
#include <memory>

class QLabel;

namespace sculpt {

class ModelTree;
struct OpenedModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens on the thread pool; the tree is replaced only when the new model opened,
    // so a bad file costs nothing but a message.
    void openModel(const QString &path);

    ModelTree *modelTree() const { return tree_; }
    QString currentPath() const { return currentPath_; }
    QString lastError() const { return lastError_; }

Q_SIGNALS:
    void modelOpened(const QString &path);
    void openFailed(const QString &message);

private:
    void chooseFile();
    void chooseFolder();
    void onOpenFinished();

    ModelTree *tree_;
    QLabel *summary_;
    QFutureWatcher<std::shared_ptr<OpenedModel>> watcher_;
    std::shared_ptr<OpenedModel> model_;
    QString currentPath_;
    QString lastError_;
};

} // namespace sculpt
