#pragma once
// LoRA's PEFT folder form — Hugging Face PEFT's own: peft_type "LORA", lora_A.weight [r, in] and
// lora_B.weight [out, r] per module, r and lora_alpha with rank_pattern and alpha_pattern for
// the modules that differ. Torch inside.

namespace sculpt {
class PeftForm;
const PeftForm &loraPeftForm();
} // namespace sculpt
