#include "commands.h"
#include "usage.h"

#include "io/checkpoint.h"
#include "io/error.h"
#include "io/formats.h"
#include "model/inventory.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace sculpt::cli {
namespace {

std::string withCommas(uint64_t n)
{
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(static_cast<size_t>(i), ",");
    return digits;
}

std::string humanBytes(uint64_t bytes)
{
    const char *units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = static_cast<double>(bytes);
    int unit = 0;
    while (v >= 1000.0 && unit < 4) {
        v /= 1000.0;
        ++unit;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.2f %s", v, units[unit]);
    return buffer;
}

nlohmann::ordered_json asJson(const Checkpoint &checkpoint, const ModelInventory &inventory)
{
    nlohmann::ordered_json out;
    out["path"] = checkpoint.path();
    out["format"] = checkpoint.format();
    out["architecture"] = std::string(architectureName(inventory.architecture));
    out["parameters"] = checkpoint.parameterCount();
    out["parameters_by_dtype"] = checkpoint.parametersByDType();
    out["bytes"] = checkpoint.tensorBytes();
    out["blocks"] = inventory.blocks().size();
    out["metadata"] = checkpoint.metadata();
    auto &tensors = out["tensors"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < inventory.weights.size(); ++i) {
        const Weight &w = inventory.weights[i];
        const TensorInfo &t = checkpoint.tensors()[i];
        nlohmann::ordered_json entry;
        entry["name"] = w.name;
        entry["dtype"] = std::string(dtypeName(t.dtype));
        entry["shape"] = w.shape;
        entry["block"] = w.block >= 0 ? nlohmann::ordered_json(w.block) : nlohmann::ordered_json();
        entry["role"] = std::string(roleName(w.role));
        entry["matrix"] = w.matrix ? nlohmann::ordered_json({w.matrix->rows, w.matrix->cols}) : nlohmann::ordered_json();
        if (w.transposed)
            entry["stored_transposed"] = true;
        if (!t.tiedTo.empty())
            entry["tied_to"] = t.tiedTo;
        tensors.push_back(std::move(entry));
    }
    return out;
}

void printText(const Checkpoint &checkpoint, const ModelInventory &inventory)
{
    std::cout << checkpoint.path() << "\n"
              << "  format        " << checkpoint.format() << "\n"
              << "  architecture  " << architectureName(inventory.architecture) << "\n"
              << "  parameters    " << withCommas(checkpoint.parameterCount()) << " (";
    bool first = true;
    for (const auto &[dtype, n] : checkpoint.parametersByDType()) {
        std::cout << (first ? "" : ", ") << dtype << " " << withCommas(n);
        first = false;
    }
    std::cout << ")\n"
              << "  bytes         " << humanBytes(checkpoint.tensorBytes()) << "\n"
              << "  tensors       " << checkpoint.tensors().size() << " in " << inventory.blocks().size()
              << " blocks\n";

    std::map<int, std::vector<size_t>> byBlock;
    for (size_t i = 0; i < inventory.weights.size(); ++i)
        byBlock[inventory.weights[i].block].push_back(i);
    for (const auto &[block, indices] : byBlock) {
        std::cout << "\n" << (block < 0 ? std::string("outside blocks") : "block " + std::to_string(block)) << "\n";
        for (size_t i : indices) {
            const Weight &w = inventory.weights[i];
            const TensorInfo &t = checkpoint.tensors()[i];
            std::printf("  %-52s %-5s %-7s %-16s%s\n", w.name.c_str(), std::string(roleName(w.role)).c_str(),
                        std::string(dtypeName(t.dtype)).c_str(), shapeText(w.shape).c_str(),
                        t.tiedTo.empty() ? "" : (" tied to " + t.tiedTo).c_str());
        }
    }
}

} // namespace

int inspect(const std::vector<std::string> &args)
{
    std::string path;
    bool json = false;
    for (const auto &arg : args) {
        if (arg == "--json") {
            json = true;
        } else if (arg.starts_with("-")) {
            std::cerr << "sculpt-cli inspect: unknown option '" << arg << "'\n";
            return kBadInput;
        } else if (path.empty()) {
            path = arg;
        } else {
            std::cerr << "sculpt-cli inspect: one PATH only (got '" << path << "' and '" << arg << "')\n";
            return kBadInput;
        }
    }
    if (path.empty()) {
        std::cerr << usageOf("inspect");
        return kBadInput;
    }
    try {
        const auto checkpoint = openCheckpoint(path);
        const auto inventory = buildInventory(*checkpoint);
        if (json)
            std::cout << asJson(*checkpoint, inventory).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        else
            printText(*checkpoint, inventory);
    } catch (const FileError &e) {
        std::cerr << "sculpt-cli: " << e.what() << "\n";
        return kBadInput;
    } catch (const std::exception &e) { // out of memory and the like: still one line, no crash
        std::cerr << "sculpt-cli: " << path << ": " << e.what() << "\n";
        return kFailed;
    }
    return kOk;
}

} // namespace sculpt::cli
