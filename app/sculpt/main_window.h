#pragma once
#include <QFutureWatcher>
#include <QMainWindow>
#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;

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

    // Asks a running open to stop; the current model stays.
    void cancelOpen();

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
    void showProgress(long done, long total, const QString &message);

    ModelTree *tree_;
    QLabel *summary_;
    QProgressBar *progress_;
    QPushButton *cancel_;
    std::shared_ptr<std::atomic<bool>> cancelRequested_;
    QFutureWatcher<std::shared_ptr<OpenedModel>> watcher_;
    std::shared_ptr<OpenedModel> model_;
    QString currentPath_;
    QString lastError_;
};

} // namespace sculpt
