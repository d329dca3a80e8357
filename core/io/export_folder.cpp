#include "io/export_folder.h"

#include "io/error.h"
#include "io/leftovers.h"
#include "io/writable.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace sculpt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char *kManifest = ".sculpt-export.json";
constexpr uint64_t kMaxManifestBytes = 1 << 20;

struct Written {
    uint64_t bytes = 0;
    int64_t modifiedNs = 0;
};

Written describe(const fs::path &file)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        throw FileError(file.string(), std::strerror(errno));
    return {uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// The files the manifest says Sculpt wrote; nothing when there is no readable manifest.
std::optional<std::map<std::string, Written>> readManifest(const fs::path &folder)
{
    const fs::path path = folder / kManifest;
    std::error_code error;
    if (!fs::is_regular_file(path, error) || fs::file_size(path, error) > kMaxManifestBytes)
        return std::nullopt;
    std::ifstream in(path);
    const json manifest = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array())
        return std::nullopt;
    std::map<std::string, Written> files;
    for (const json &f : manifest["files"]) {
        if (!f.is_object() || !f.value("name", json()).is_string() || !f.value("bytes", json()).is_number_unsigned() ||
            !f.value("modified_ns", json()).is_number_integer())
            return std::nullopt;
        files[f["name"].get<std::string>()] = {f["bytes"].get<uint64_t>(), f["modified_ns"].get<int64_t>()};
    }
    return files;
}

std::string listed(const std::vector<std::string> &names)
{
    std::string text;
    for (size_t i = 0; i < names.size() && i < 5; ++i)
        text += (i ? ", " : "") + names[i];
    if (names.size() > 5)
        text += " and " + std::to_string(names.size() - 5) + " more";
    return text;
}

// Throws unless everything in the existing `folder` is a file Sculpt wrote there, unchanged.
void checkReplaceable(const fs::path &folder)
{
    const auto manifest = readManifest(folder);
    if (!manifest)
        throw FileError(folder.string(), "exists and is not a folder Sculpt exported (no " + std::string(kManifest) +
                                             "): not replaced; choose another folder");
    std::vector<std::string> foreign, changed;
    std::error_code error;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name == kManifest)
            continue;
        const auto written = manifest->find(name);
        if (written == manifest->end() || !it->is_regular_file()) {
            foreign.push_back(name);
            continue;
        }
        const Written now = describe(it->path());
        if (now.bytes != written->second.bytes || now.modifiedNs != written->second.modifiedNs)
            changed.push_back(name);
    }
    if (error)
        throw FileError(folder.string(), "cannot list it: " + error.message());
    std::sort(foreign.begin(), foreign.end());
    std::sort(changed.begin(), changed.end());
    if (!foreign.empty())
        throw FileError(folder.string(), "holds files Sculpt did not write (" + listed(foreign) +
                                             "): not replaced; move them or choose another folder");
    if (!changed.empty())
        throw FileError(folder.string(), "holds files changed since Sculpt wrote them (" + listed(changed) +
                                             "): not replaced; choose another folder");
}

void fsyncPath(const fs::path &path, int flags)
{
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        throw FileError(path.string(), std::string("cannot open to flush it: ") + std::strerror(errno));
    const int status = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (status != 0)
        throw FileError(path.string(), std::string("fsync failed: ") + std::strerror(error));
}

void writeManifest(const fs::path &folder)
{
    json files = json::array();
    std::vector<fs::path> entries;
    for (const auto &entry : fs::directory_iterator(folder))
        entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path &file : entries) {
        if (!fs::is_regular_file(file))
            throw FileError(file.string(), "an export holds files only");
        fsyncPath(file, O_RDONLY);
        const Written w = describe(file);
        files.push_back({{"name", file.filename().string()}, {"bytes", w.bytes}, {"modified_ns", w.modifiedNs}});
    }
    const fs::path manifest = folder / kManifest;
    {
        std::ofstream out(manifest);
        out << json{{"written_by", "sculpt"}, {"files", files}}.dump(2) << "\n";
        if (!out.flush())
            throw FileError(manifest.string(), "cannot write it");
    }
    fsyncPath(manifest, O_RDONLY);
    fsyncPath(folder, O_RDONLY | O_DIRECTORY);
}

fs::path normalised(const std::string &folder)
{
    if (folder.empty())
        throw FileError("\"\"", "an export folder needs a name");
    fs::path path = fs::absolute(fs::path(folder)).lexically_normal();
    if (!path.has_filename()) // "out/"
        path = path.parent_path();
    return path;
}

} // namespace

void ExportFolder::checkWritable(const std::string &folder)
{
    const fs::path path = normalised(folder);
    std::error_code error;
    const fs::file_status status = fs::symlink_status(path, error);
    if (status.type() == fs::file_type::not_found) {
        checkCanCreate(path.string());
        return;
    }
    if (error)
        throw FileError(path.string(), error.message());
    if (status.type() != fs::file_type::directory)
        throw FileError(path.string(), "exists and is not a folder: not replaced");
    checkReplaceable(path);
    checkCanCreate(path.string());
}

ExportFolder::ExportFolder(const std::string &folder)
{
    const fs::path path = normalised(folder);
    target_ = path.string();
    recoverLeftovers(target_);
    checkWritable(target_);
    temporary_ = inProgressName(target_, "partial");
    std::error_code error;
    fs::create_directories(temporary_, error);
    if (error)
        throw FileError(target_, "cannot create " + temporary_ + ": " + error.message());
}

ExportFolder::~ExportFolder()
{
    if (committed_)
        return;
    std::error_code ignored;
    fs::remove_all(temporary_, ignored);
}

std::string ExportFolder::file(const std::string &name) const { return (fs::path(temporary_) / name).string(); }

void ExportFolder::commit()
{
    checkWritable(target_);
    writeManifest(temporary_);
    std::error_code error;
    const bool replacing = fs::exists(fs::symlink_status(target_, error));
    const std::string old = inProgressName(target_, "old");
    if (replacing) {
        fs::rename(target_, old, error);
        if (error)
            throw FileError(target_, "cannot move the earlier export aside: " + error.message());
    }
    fs::rename(temporary_, target_, error);
    if (error) {
        const std::string why = error.message();
        if (replacing)
            fs::rename(old, target_, error);
        throw FileError(target_, "cannot put the export in place: " + why);
    }
    committed_ = true;
    if (replacing)
        fs::remove_all(old, error);
    try {
        fsyncPath(fs::path(target_).parent_path(), O_RDONLY | O_DIRECTORY);
    } catch (const FileError &) {
        // the folder is in place; only the durability of the rename is not confirmed
    }
}

} // namespace sculpt
