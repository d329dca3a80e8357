#include "runtime/model_kind.h"

#include "model/architecture.h"

namespace sculpt {

const std::vector<FamilyClaim> &familyClaims()
{
    static const std::vector<FamilyClaim> claims{
        // First, so a model whose sidecar says it is a ViT is one whatever its names say. Each
        // kind's first family is the one a load of that kind falls back on.
        {"vit", ModelKind::Vision,
         [](const Checkpoint &c, const ModelOptions &o) {
             return !o.sidecar.empty() || detectArchitecture(c) == Architecture::Vit;
         }},
        {"llama", ModelKind::Language,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Llama; }},
        {"gpt2", ModelKind::Language,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Gpt2; }},
        {"llava", ModelKind::Language,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Llava; },
         /*readsImages=*/true},
        {"layout", ModelKind::Layout,
         [](const Checkpoint &c, const ModelOptions &) { return detectArchitecture(c) == Architecture::Layout; }},
    };
    return claims;
}

const FamilyClaim *claimingFamily(const Checkpoint &checkpoint, const ModelOptions &options)
{
    for (const FamilyClaim &f : familyClaims())
        if (f.claims(checkpoint, options))
            return &f;
    return nullptr;
}

std::optional<ModelKind> runnableKind(const Checkpoint &checkpoint, const ModelOptions &options)
{
    const FamilyClaim *f = claimingFamily(checkpoint, options);
    return f ? std::optional(f->kind) : std::nullopt;
}

bool readsImages(const Checkpoint &checkpoint, const ModelOptions &options)
{
    const FamilyClaim *f = claimingFamily(checkpoint, options);
    return f && f->readsImages;
}

std::string kindName(ModelKind kind)
{
    switch (kind) {
    case ModelKind::Language:
        return "language model";
    case ModelKind::Vision:
        return "vision model";
    case ModelKind::Layout:
        break;
    }
    return "layout model";
}

} // namespace sculpt
