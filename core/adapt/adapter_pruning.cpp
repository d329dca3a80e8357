#include "adapt/adapter_pruning.h"

#include "adapt/registry.h"

namespace sculpt {
namespace {

Registry<AdapterPruning> &registry()
{
    static Registry<AdapterPruning> methods;
    return methods;
}

} // namespace

void registerAdapterPruning(std::unique_ptr<AdapterPruning> method) { registry().add(std::move(method)); }
const AdapterPruning *findAdapterPruning(const std::string &name) { return registry().find(name); }
std::vector<const AdapterPruning *> adapterPrunings() { return registry().all(); }

} // namespace sculpt
