#pragma once
// A real one-node Slurm cluster of a test's own, for sbatch, squeue and scancel to run true jobs
// on: munged, slurmctld and slurmd started as root in a scratch folder, on free ports. Nothing is
// shared with the system's daemons (Debian's /run/munge, /etc/slurm) nor with another fixture,
// and the destructor leaves nothing of the cluster running.

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace sculpt::test {

struct SlurmCommand {
    int exitCode; // -1 when it crashed, hung or could not start
    QByteArray out;
    QByteArray err;
};

class SlurmCluster {
public:
    // The cluster's files go to folder/slurm; jobs may write anywhere else in the folder.
    explicit SlurmCluster(const QString &folder) : folder_(folder), dir_(QDir(folder).filePath("slurm")) {}
    ~SlurmCluster() { stop(); }
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    // Once, before anything else; false with a one-line reason, and nothing left running.
    bool start(QString *why)
    {
        if (launch(why))
            return true;
        stop();
        return false;
    }

    // What a client of this cluster runs in: sbatch, squeue, scancel, sculpt-cli.
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_CONF", confPath());
        return env;
    }

    QString confPath() const { return path("slurm.conf"); }
    QString partition() const { return "debug"; }

    // A Slurm client (sinfo, sbatch, squeue, scancel, scontrol) asking this cluster.
    SlurmCommand run(const QString &program, const QStringList &args, int timeoutMs = 10000) const
    {
        QProcess client;
        client.setProcessEnvironment(environment());
        client.start(executable(program), args);
        if (!client.waitForFinished(timeoutMs)) {
            client.kill();
            client.waitForFinished();
            return {-1, {}, (program + ": " + client.errorString()).toUtf8()};
        }
        return {client.exitStatus() == QProcess::NormalExit ? client.exitCode() : -1,
                client.readAllStandardOutput(), client.readAllStandardError()};
    }

private:
    struct Daemon {
        QString name;
        std::unique_ptr<QProcess> process;
    };

    static constexpr int kStartMs = 10000;

    QString folder_;
    QString dir_;
    std::vector<Daemon> daemons_; // in the order they started

    QString path(const QString &name) const { return QDir(dir_).filePath(name); }

    // A root shell's PATH may lack the sbin folders the daemons are in.
    static QString executable(const QString &name)
    {
        const QString found = QStandardPaths::findExecutable(name);
        return found.isEmpty() ? QStandardPaths::findExecutable(name, {"/usr/sbin", "/sbin"}) : found;
    }

    // Without an event loop only a wait notices that a child has ended.
    static bool exited(QProcess &process)
    {
        return process.state() == QProcess::NotRunning || process.waitForFinished(0);
    }

    static bool fail(QString *why, const QString &reason)
    {
        if (why)
            *why = reason;
        return false;
    }

    static QString shortHostName()
    {
        char name[256] = {};
        ::gethostname(name, sizeof name - 1);
        return QString::fromLocal8Bit(name).section('.', 0, 0);
    }

    // Both sockets stay bound until both are known, so the two ports differ; the kernel picks
    // each at random among the free ones, so fixtures side by side do not meet either.
    static std::vector<int> freePorts(int count)
    {
        std::vector<int> sockets;
        std::vector<int> ports;
        for (int i = 0; i < count; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0)
                break;
            sockets.push_back(fd);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_ANY);
            socklen_t size = sizeof address;
            if (::bind(fd, reinterpret_cast<sockaddr *>(&address), size) != 0 ||
                ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &size) != 0)
                break;
            ports.push_back(ntohs(address.sin_port));
        }
        for (const int fd : sockets)
            ::close(fd);
        return ports;
    }

    QString logTail(const QString &name) const
    {
        QFile log(path(name + ".stderr"));
        if (!log.open(QIODevice::ReadOnly))
            return name + " wrote nothing";
        const QStringList lines = QString::fromUtf8(log.readAll()).split('\n', Qt::SkipEmptyParts);
        return name + " said: " + lines.mid(std::max<qsizetype>(0, lines.size() - 3)).join(" / ");
    }

    bool launch(QString *why)
    {
        if (::geteuid() != 0)
            return fail(why, "Slurm's daemons need root (slurmd runs each job as its submitter)");
        for (const char *name : {"munged", "slurmctld", "slurmd", "sinfo", "sbatch", "squeue", "scancel"})
            if (executable(name).isEmpty())
                return fail(why, QString("%1 is not installed (packaging/setup.sh installs it)").arg(name));

        // A folder left by an earlier run (a crash, a reused path) would hand slurmctld old jobs.
        QDir dir(dir_);
        if (!dir.removeRecursively() || !dir.mkpath("state") || !dir.mkpath("spool"))
            return fail(why, "cannot make " + dir_);
        // munged refuses a socket in a folder that not everyone may pass through.
        if (::chmod(QFile::encodeName(folder_).constData(), 0711) != 0 ||
            ::chmod(QFile::encodeName(dir_).constData(), 0711) != 0)
            return fail(why, "cannot open " + dir_ + " for munged's socket");
        const QString socket = path("munge.socket");
        if (QFile::encodeName(socket).size() >= qsizetype(sizeof(sockaddr_un::sun_path)))
            return fail(why, socket + " is too long for a socket's path");

        QFile random("/dev/urandom");
        QFile key(path("munge.key"));
        if (!random.open(QIODevice::ReadOnly) || !key.open(QIODevice::WriteOnly) ||
            key.write(random.read(1024)) != 1024)
            return fail(why, "cannot write " + key.fileName());
        key.close();
        // munged refuses a key that anyone but its owner can read.
        key.setPermissions(QFileDevice::ReadOwner);

        const std::vector<int> ports = freePorts(2);
        if (ports.size() != 2)
            return fail(why, "no free TCP port for slurmctld and slurmd");
        if (!writeConf(ports[0], ports[1], socket))
            return fail(why, "cannot write " + confPath());

        // In the foreground munged logs to stderr only: no --log-file.
        if (!startDaemon("munged",
                         {"--foreground", "--socket=" + socket, "--key-file=" + key.fileName(),
                          "--pid-file=" + path("munged.pid"), "--seed-file=" + path("munged.seed")},
                         why) ||
            !awaitReady([&] { return QFile::exists(socket); }, "munged made no socket", "munged", why))
            return false;
        return startDaemon("slurmctld", {"-D", "-f", confPath()}, why) &&
               startDaemon("slurmd", {"-D", "-f", confPath()}, why) &&
               awaitReady([&] { return nodeState() == "idle"; }, "the node did not come up idle", "slurmd", why);
    }

    bool writeConf(int controllerPort, int nodePort, const QString &socket) const
    {
        const QString host = shortHostName();
        const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
        // slurmd drains a node that claims more memory than it has.
        const long memoryMiB = ::sysconf(_SC_AVPHYS_PAGES) * ::sysconf(_SC_PAGESIZE) / (1024 * 1024) * 9 / 10;
        QFile conf(confPath());
        if (!conf.open(QIODevice::WriteOnly))
            return false;
        // 127.0.0.1: the daemons talk over loopback, whether the host name resolves or not.
        // AuthInfo's socket serves the daemons and every client alike. batch_sched_delay=0: a
        // job array's next tasks start as soon as a core frees, not up to 3 s later. KillWait:
        // scancel's SIGKILL follows its SIGTERM after 2 s, not 30. DefMemPerCPU: a job that names
        // no memory takes its share, not the whole node, so jobs still run side by side.
        const QString text = QString(R"(ClusterName=sculpt
SlurmctldHost=%1(127.0.0.1)
SlurmctldPort=%2
SlurmdPort=%3
AuthType=auth/munge
AuthInfo=socket=%4
SlurmUser=root
StateSaveLocation=%5/state
SlurmdSpoolDir=%5/spool
SlurmctldPidFile=%5/slurmctld.pid
SlurmdPidFile=%5/slurmd.pid
SlurmctldLogFile=%5/slurmctld.log
SlurmdLogFile=%5/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=%8
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SlurmctldTimeout=10
SlurmdTimeout=10
KillWait=2
NodeName=%1 NodeAddr=127.0.0.1 CPUs=%6 RealMemory=%7 State=UNKNOWN
PartitionName=%9 Nodes=ALL Default=YES MaxTime=INFINITE State=UP
)")
                                 .arg(host)
                                 .arg(controllerPort)
                                 .arg(nodePort)
                                 .arg(socket, dir_)
                                 .arg(cpus)
                                 .arg(memoryMiB)
                                 .arg(memoryMiB / cpus)
                                 .arg(partition());
        return conf.write(text.toUtf8()) == text.toUtf8().size();
    }

    bool startDaemon(const QString &name, const QStringList &args, QString *why)
    {
        auto process = std::make_unique<QProcess>();
        process->setProgram(executable(name));
        process->setArguments(args);
        process->setProcessEnvironment(environment());
        process->setWorkingDirectory(dir_);
        // Also what a daemon says before it opens its log file: a failure quotes this.
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->setStandardOutputFile(path(name + ".stderr"));
        // A test killed outright (a crash, ctest's timeout) runs no destructor: the kernel
        // ends its daemons then.
        process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        process->start();
        if (!process->waitForStarted(kStartMs))
            return fail(why, name + " did not start: " + process->errorString());
        daemons_.push_back({name, std::move(process)});
        return true;
    }

    // Polls ready() until it holds, failing early when a daemon has died and quoting the log of
    // the one to blame when time runs out.
    bool awaitReady(const std::function<bool()> &ready, const QString &lapse, const QString &blame, QString *why)
    {
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            for (const Daemon &daemon : daemons_)
                if (exited(*daemon.process))
                    return fail(why, daemon.name + " exited: " + logTail(daemon.name));
            if (ready())
                return true;
            if (clock.elapsed() > kStartMs)
                return fail(why, QString("%1 within %2 s: %3").arg(lapse).arg(kStartMs / 1000).arg(logTail(blame)));
            QThread::msleep(100);
        }
    }

    QString nodeState() const { return QString::fromUtf8(run("sinfo", {"-h", "-o", "%T"}).out).trimmed(); }

    bool controllerRunning() const
    {
        return std::any_of(daemons_.begin(), daemons_.end(), [](const Daemon &daemon) {
            return daemon.name == "slurmctld" && !exited(*daemon.process);
        });
    }

    void stop()
    {
        if (controllerRunning()) {
            // Jobs end as scancel ends them (SIGTERM, then SIGKILL), not cut off with slurmd.
            run("scancel", {"--partition=" + partition()});
            QElapsedTimer clock;
            clock.start();
            while (clock.elapsed() < kStartMs &&
                   !run("squeue", {"-h", "-t", "CONFIGURING,RUNNING,COMPLETING", "-o", "%i"}).out.trimmed().isEmpty())
                QThread::msleep(100);
        }
        // slurmd, slurmctld, then munged: each talks to the next until it ends.
        for (auto daemon = daemons_.rbegin(); daemon != daemons_.rend(); ++daemon) {
            daemon->process->terminate();
            if (!daemon->process->waitForFinished(5000)) {
                daemon->process->kill();
                daemon->process->waitForFinished(5000);
            }
        }
        daemons_.clear();
        killStragglers();
    }

    // A job's slurmstepd is a daemon of its own and outlives slurmd; it, its tasks and anything
    // else started in environment() carry this cluster's SLURM_CONF.
    void killStragglers() const
    {
        const QByteArray mark = "SLURM_CONF=" + QFile::encodeName(confPath());
        for (const QString &entry : QDir("/proc").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            bool isPid = false;
            const pid_t pid = entry.toInt(&isPid);
            QFile environ("/proc/" + entry + "/environ");
            if (isPid && pid != ::getpid() && environ.open(QIODevice::ReadOnly) &&
                environ.readAll().split('\0').contains(mark))
                ::kill(pid, SIGKILL);
        }
    }
};

} // namespace sculpt::test
