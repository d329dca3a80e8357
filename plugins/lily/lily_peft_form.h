#pragma once
// Lily's PEFT-style folder form, peft_type "LILY" (Sculpt's own; PEFT has none): per module
// lily_lp.weight [r, in] and lily_router.weight [experts, r], and lily_hp.weight
// [experts, out, r], the role's model-wide experts, stored at the first module of the role and
// tied to it at the others (sculpt_tied); r and lora_alpha as LoRA's. Torch inside.

namespace sculpt {
class PeftForm;
const PeftForm &lilyPeftForm();
} // namespace sculpt
