#include "lily/lily_kind.h"

#include "adapt/adapter_kinds.h"
#include "lily/lily_adapter.h"
#include "lily/lily_peft_form.h"

namespace sculpt {
namespace {

class LilyKind : public AdapterKind {
public:
    std::string name() const override { return "lily"; }
    std::string title() const override { return "Lily: per-layer projectors, model-wide experts"; }
    std::vector<std::string> settings() const override { return {"rank", "alpha", "roles", "experts"}; }
    std::vector<torch::Tensor> attach(Model &model, const AdapterSpec &spec) const override
    {
        LilySpec lily;
        lily.rank = spec.rank;
        lily.experts = spec.experts;
        lily.alpha = spec.alpha;
        lily.roles = spec.roles;
        return attachLily(model, lily);
    }
    const PeftForm *peftForm() const override { return &lilyPeftForm(); }
};

} // namespace

void registerLilyAdapter() { registerAdapterKind(std::make_unique<LilyKind>()); }

} // namespace sculpt
