#include "usage.h"

#include <algorithm>

namespace sculpt::cli {
namespace {

struct Form {
    const char *command;
    const char *arguments;
    const char *summary;
};

constexpr Form kForms[] = {
    {"inspect", "PATH [--json]", "format, architecture, parameters and tensors by block"},
    {"spectra", "PATH [--exact | --topk K] [--workspace FILE] [--json | --csv] [--match REGEX]",
     "singular spectrum and metrics of every weight matrix, kept in the model's workspace"},
    {"spectra", "PATH --shard K/N --workspace PART_FILE [--exact | --topk K] [--json | --csv] [--match REGEX]",
     "only shard K of N: the matrices the run would compute, dealt into N shards of about equal cost\n"
     "      (m·n·min(m, n) each; the same shards on every machine), this one's spectra kept in PART_FILE,\n"
     "      a workspace of its own; for a job array, one task a shard (`submit spectra` submits one)"},
    {"diff", "A B [--topk K | --distances-only] [--subspace K] [--workspace FILE] [--json | --csv]",
     "compare two checkpoints tensor by tensor (base and fine-tuned, original and compressed): tensors paired\n"
     "      by name, a factorized export's A·B as the weight it replaced; for each pair ‖A−B‖/‖A‖, cosine, max\n"
     "      |A−B|, and for a matrix the spectrum of A−B (exact, or its top K), its stable rank and the overlap of\n"
     "      A's and B's top-K singular subspaces on the matrix's longer side (--subspace, default 16; mean cos² of\n"
     "      the principal angles; none for a square matrix K would span);\n"
     "      the heaviest changes first, and the tensors only one side has or of another shape listed;\n"
     "      --distances-only skips the spectra and subspaces (a quick look at two large models). Kept in A's\n"
     "      workspace (or FILE) under both sides' weights: the same diff asked again is read back"},
    {"submit", "spectra PATH --array N [--exact | --topk K] [--match REGEX] [--workspace FILE] [--cluster FILE] [--json]",
     "submit PATH's spectra to Slurm as a job array of N tasks, one balanced shard each (`spectra --shard`),\n"
     "      each task writing its own workspace part; the run folder <shared_folder>/runs/ID keeps run.json,\n"
     "      the batch script, parts/ and logs/. The cluster is described in --cluster FILE, else\n"
     "      $SCULPT_CLUSTER_CONFIG, else $XDG_CONFIG_HOME/sculpt/cluster.json (README, \"Slurm\")"},
    {"submit", "compress|eval MODEL ARGUMENTS... [--gpus N] [--workspace FILE] [--cluster FILE] [--json]",
     "submit a compression pass or an evaluation to Slurm as one job: ARGUMENTS are `compress`'s or `eval`'s,\n"
     "      run as they are on the node (paths made absolute, inputs checked here), its result recorded in a part\n"
     "      that `jobs --merge` brings into the model's workspace (or --workspace FILE) as a local run records it;\n"
     "      a pass's steps stream to <run>/logs/steps.jsonl. --gpus N asks for N GPUs per task (default: the\n"
     "      cluster's gpus_per_task; 0 none) and, with N > 0, runs on --device cuda unless ARGUMENTS name one"},
    {"jobs", "[--merge] [--cluster FILE] [--json]",
     "every run in the cluster's shared folder: its Slurm state and each task's, tasks finished of N,\n"
     "      time elapsed, a running task's last progress line, a failed task's log tail; --merge copies the\n"
     "      finished tasks' results (spectra, passes, evaluations) into each run's workspace (as `workspace\n"
     "      merge`; what is there already is skipped, and a workspace with nothing new is not rewritten)"},
    {"cancel", "ID [--cluster FILE]",
     "scancel a run's jobs (its array and any task resubmitted alone), by run id or Slurm job id; finished\n"
     "      parts stay in parts/"},
    {"resubmit", "ID [--cluster FILE] [--json]",
     "submit again, alone, each task of a run that ended without finishing its part (failed, timed out,\n"
     "      cancelled, lost with its node), from the run's own batch script; finished parts are kept"},
    {"workspace", "merge WORKSPACE PART... [--json]",
     "copy what each PART holds (workspaces of the same model, such as `spectra --shard` and cluster jobs\n"
     "      wrote) into WORKSPACE, made for that model when missing: spectra already there for the same tensor,\n"
     "      method and content are skipped, and so are evaluations, passes and runs already there (the same\n"
     "      kind, finished at the same moment after as long a run); a part of another model or a damaged one\n"
     "      is refused and nothing is written"},
    {"layouts", "FILE|FOLDER [--order] [--json]",
     "the pages of a manga or comic annotation file (Manga109 XML, OpenMantra's annotation.json, ACBF),\n"
     "      each page's panels and text areas; --order lists the panels in the estimated reading order\n"
     "      (Kovanen and Aizawa's recursive cut) and says how often it agrees with the file's own order"},
    {"conditioning",
     "FILE|FOLDER --page N [--book B] [--order] [--caption K=TEXT]... [--language L] [--max-panels M]\n"
     "          [--columns C] [--mask K] [--json]",
     "what MangaDiffusion's transformer is fed for page N (numbered as `layouts` lists it) of book B\n"
     "      (default 1): each panel, in reading order (--order: the estimated one), on a canvas the page's size\n"
     "      with its caption (its text in language L, \"panel K\" without text; --caption K=TEXT replaces one, an\n"
     "      empty TEXT makes it padding) and its intra-panel mask on a C-column grid (default 32: the panel\n"
     "      minus its text boxes), padded with \"EMPTY\" canvases to M (default 12), and the inter-panel mask;\n"
     "      --mask K draws canvas K's mask"},
    {"generate", "MODEL [--tokenizer PATH] --prompt TEXT [--image FILE]... [--max-tokens N] [--temperature T]\n"
                 "          [--seed S] [--json]",
     "continue TEXT (\"\" starts from BOS): greedy at temperature 0. A vision-language model reads each\n"
     "      JPEG or PNG --image where TEXT says <image> (in order), or before TEXT, processed as the\n"
     "      folder's preprocessor_config.json says (CLIP's processor at the tower's size without one);\n"
     "      --json prints the prompt's and the answer's text and token ids once done, and the decoder's\n"
     "      GFLOPs for it (LLaMA-family and LLaVA-style models: 2 × the blocks' multiply-adds)"},
    {"generate", "LAYOUT_MODEL --panels N [--seed S] [--steps K] [--aspect A] [--json]",
     "a manga page's N panel boxes from a layout model (zoo --only layout): DDIM over K denoising steps\n"
     "      (default 50) for a page A high to 1 wide (default 1.5), the same boxes for the same seed (default 0);\n"
     "      one line a panel in the model's reading order, \"index x0 y0 x1 y1\" in page units, or --json\n"
     "      {\"panels\": [{\"x0\", \"y0\", \"x1\", \"y1\"}…], \"seed\", \"aspect\", \"steps\", \"width\", \"height\"}"},
    {"eval", "MODEL --text FILE [--max-docs N] [--tokenizer PATH] [--adapters PEFT_DIR] [--workspace FILE] [--device D]\n"
     "          [--json]",
     "perplexity on the blank-line-separated documents of FILE, recorded in the model's workspace; every eval\n"
     "      runs the model on --device D (cpu by default; cuda, cuda:1… where LibTorch has CUDA)"},
    {"eval",
     "MODEL --images IDX --labels IDX [--config SIDECAR] [--limit N] [--adapters PEFT_DIR] [--workspace FILE]\n"
     "          [--json]",
     "top-1 accuracy of a ViT on an IDX image set (MNIST format), recorded in the model's workspace;\n"
     "      --adapters attaches a PEFT folder's adapters first (LoRA, or Lily's, which cannot be merged)"},
    {"eval",
     "MODEL --vqa JSON [--max-tokens N] [--limit N] [--tokenizer PATH] [--adapters PEFT_DIR] [--workspace FILE]\n"
     "          [--json]",
     "answer accuracy of a vision-language model on images with questions and answers (LLaVA's conversation\n"
     "      JSON, or COCO captions), each answer greedy and compared as VQA does (case, punctuation and articles\n"
     "      aside), with the decoder's GFLOPs and seconds per answer; recorded in the model's workspace"},
    {"zoo", "[--only vit|vit-6x8|lm|vlm] [--out DIR] [--data DIR] [--epochs N] [--seed S] [--threads N]\n"
     "          [--train-limit N]",
     "train the demo models (DIR/fashion-vit, DIR/fashion-vit-6x8, DIR/fortunes-llama, and DIR/fashion-llava\n"
     "      from the first and the third) from Debian's data packages; the vision-language one's test and\n"
     "      calibration questions go to --data (fashion-vqa/test and fashion-vqa/calibration by default)"},
    {"zoo", "--only layout --data OPENMANTRA_DIR --out DIR [--steps N] [--seed S] [--threads N]",
     "train the layout model (a small diffusion transformer over a page's panel boxes, conditioned on the\n"
     "      panel count and the page's aspect) on OpenMantra's page layouts into DIR itself: its books in name\n"
     "      order, the last (tojime_no_siora) held out, the others trained on for N steps (default 2000); pages\n"
     "      without panels are skipped. Never among the default models: the data is CC BY-NC"},
    {"compress",
     "MODEL --method M [--ratio R] -o OUT [--calib FILE [--calib-labels IDX] | --calib-images JSON]\n"
     "          [--calib-count N] [--format factorized|dense] [--set KEY=VALUE]... [--tokenizer PATH]\n"
     "          [--config SIDECAR] [--eval FILE [--eval-labels IDX]] [--eval-count N] [--workspace FILE]\n"
     "          [--log FILE] [--device D] [--json]",
     "SVD compression (svd, fwsvd, asvd, svd-llm, soco: --ratio R) of a language, vision or layout model,\n"
     "      or HiMix's conversion of a LLaVA-style model (himix), written to the folder OUT and recorded in the\n"
     "      model's workspace; calibration and evaluation data are text for a language model, IDX images\n"
     "      (+ labels) for a vision model, and for a layout model calibration is an annotation file or folder\n"
     "      (Manga109, OpenMantra, ACBF; its first pages, noised); --calib-images takes images with questions\n"
     "      and answers (LLaVA's conversation JSON or COCO captions) for a vision-language model; the pass runs\n"
     "      on --device D (cpu by default; cuda, cuda:1… where LibTorch has CUDA)"},
    {"compress", "--list", "every method with its settings"},
    {"adapt",
     "MODEL --task t1|t2|t3|DIR [--method linear|full|lora|bottleneck|lily | --adapter lora|bottleneck|lily]\n"
     "          [--rank R] [--experts E] [--epochs E] [--lr RATE] [--seed S] [--data DIR] [--config SIDECAR] [-o OUT]\n"
     "          [--workspace FILE] [--json]",
     "fine-tune a ViT on an image task's 800 training images (linear probe, full fine-tuning, LoRA on q and v,\n"
     "      bottleneck adapters beside each MLP, or Lily on q and v: per-layer projectors, E model-wide experts\n"
     "      per role mixed by a per-layer router; adapters train with the classifier), with each epoch's\n"
     "      validation accuracy and the test accuracy; -o writes LoRA as a PEFT folder (`merge` folds it in),\n"
     "      Lily as a PEFT-style folder (peft_type LILY, each role's experts once; `eval --adapters` runs it),\n"
     "      a linear probe or full fine-tuning as a Hugging Face folder"},
    {"heads",
     "MODEL --task t1|t2|t3|DIR --strategy weights|activations|gate|magnitude|random [--data DIR]\n"
     "          [--adapter lora|bottleneck|none] [--rank R] [--epochs E] [--lr RATE] [--seed S] [--config SIDECAR] [--workspace FILE] [--json]",
     "every attention head's importance for an image task (HEAT's Taylor scores or a baseline), scored on\n"
     "      the task's 800 training images after fine-tuning adapters and the classifier on them (default: LoRA\n"
     "      of rank 8 on q and v, 10 epochs); a task is t1, t2, t3 or a folder of MNIST-style IDX files\n"
     "      (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…; gzipped or not); --data's DIR holds\n"
     "      t1's and t2's data (models/, datasets/; default ../shared or $SCULPT_SHARED)"},
    {"heat",
     "MODEL --task T --strategy S --mask P [--per-layer] [--data DIR] [--adapter lora|bottleneck|none]\n"
     "          [--rank R] [--epochs E] [--lr RATE] [--seed S] [--config SIDECAR] [-o OUT] [--workspace FILE] [--json]",
     "HEAT: score the heads as `heads` does, mask the fraction P with the lowest scores (across the model,\n"
     "      or within each layer), fine-tune on with them masked, and report validation and test accuracy;\n"
     "      -o writes the result as a Hugging Face folder, LoRA merged and the masked heads removed\n"
     "      (pruned_heads), with the parameters and multiply-adds saved"},
    {"pear",
     "MODEL --task T --prune P [--share depth|output | --no-share] [--no-checkpoint] [--adapter lora|bottleneck|lily]\n"
     "          [--rank R] [--experts E] [--warmup E] [--epochs E] [--lr RATE] [--seed S] [--data DIR]\n"
     "          [--config SIDECAR] [-o OUT] [--workspace FILE] [--json]",
     "Pear: fine-tune adapters on the task (--warmup epochs, default --epochs), score each by its Taylor\n"
     "      importance |Σ θ·∂L/∂θ|, prune the fraction P with the lowest scores, serve each pruned position by\n"
     "      a kept adapter (the nearest by depth, or the one whose output is closest) with its own scale,\n"
     "      keep each pruned adapter in place, frozen, so nothing it learned is lost (the knowledge checkpoint), then\n"
     "      fine-tune on (--epochs) and report validation and test accuracy with every adapter's score; -o writes\n"
     "      LoRA or Lily as a PEFT folder, each shared adapter once with the modules it serves (`merge` folds\n"
     "      LoRA in; `eval --adapters` runs either)"},
    {"merge", "PEFT_DIR [--base MODEL] [--config SIDECAR] [--tokenizer PATH] -o OUT [--json]",
     "fold a Hugging Face PEFT LoRA folder (adapter_config.json, adapter_model.safetensors) into its base\n"
     "      model (base_model_name_or_path when it is a local folder, else --base) and write the merged model,\n"
     "      with the modules_to_save it holds (a fine-tuned classifier), as a Hugging Face folder OUT"},
};

constexpr const char *kPaths =
    "PATH is a checkpoint file (safetensors, sharded index, PyTorch zip, GGUF, llama2.c)\n"
    "or a Hugging Face folder with config.json. MODEL is a LLaMA-family, GPT-2 or LLaVA-style\n"
    "model (a llama2.c file or a folder); its tokenizer (tokenizer.model, tokenizer.json or\n"
    "tok<vocab>.bin) is looked for beside it unless --tokenizer names one. An image MODEL is\n"
    "a ViT folder, or any checkpoint with a SIDECAR config describing it (README, \"Running\n"
    "models\"). Long commands stop cleanly on Ctrl-C, SIGTERM or SIGHUP, keeping what they\n"
    "finished; exit status 0 done, 1 failed, 2 bad arguments or input, 128+signal stopped.\n";

void printForms(std::ostream &out, const std::string &command)
{
    for (const Form &f : kForms)
        if (f.command == command)
            out << "  sculpt-cli " << f.command << " " << f.arguments << "\n      " << f.summary << "\n";
}

} // namespace

std::string usageOf(const std::string &command)
{
    std::string text;
    for (const Form &f : kForms)
        if (f.command == command)
            text += std::string(text.empty() ? "usage: " : "       ") + "sculpt-cli " + f.command + " " + f.arguments + "\n";
    return text;
}

void printHelp(std::ostream &out)
{
    out << "usage: sculpt-cli <command> [options]   (sculpt-cli <command> --help for one)\n\ncommands:\n";
    std::string previous;
    for (const Form &f : kForms)
        if (f.command != previous)
            printForms(out, previous = f.command);
    out << "\n" << kPaths;
}

bool printHelp(std::ostream &out, const std::string &command)
{
    if (usageOf(command).empty())
        return false;
    printForms(out, command);
    out << "\n" << kPaths;
    return true;
}

bool wantsHelp(const std::vector<std::string> &args)
{
    return std::any_of(args.begin(), args.end(), [](const std::string &a) { return a == "--help" || a == "-h"; });
}

} // namespace sculpt::cli
