// sculpt-cli: the headless side of Sculpt. Each command is a function in its own file.

#include "commands.h"

#include <cstring>
#include <iostream>

namespace {

void usage(std::ostream &out)
{
    out << "usage: sculpt-cli <command> [options]\n"
           "\n"
           "commands:\n"
           "  inspect PATH [--json]   format, architecture, parameters and tensors by block\n"
           "  spectra PATH [--exact | --topk K] [--workspace FILE] [--json | --csv] [--match REGEX]\n"
           "                          singular spectrum and metrics of every weight matrix\n"
           "  generate MODEL [--tokenizer PATH] --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]\n"
           "                          continue TEXT (\"\" starts from BOS): greedy at temperature 0\n"
           "  eval MODEL --text FILE [--max-docs N] [--tokenizer PATH] [--json]\n"
           "                          perplexity on the blank-line-separated documents of FILE\n"
           "  eval MODEL --images IDX --labels IDX [--config SIDECAR] [--limit N] [--json]\n"
           "                          top-1 accuracy of a ViT on an IDX image set (MNIST format)\n"
           "  zoo [--out DIR] [--epochs N] [--seed S] [--threads N] [--train-limit N]\n"
           "                          train the demo models (DIR/fashion-vit) from Debian's data packages\n"
           "  compress MODEL --method M --ratio R [--calib FILE] [--calib-docs N] -o OUT\n"
           "           [--format factorized|dense] [--set KEY=VALUE]... [--eval FILE [--eval-docs N]] [--log FILE] [--json]\n"
           "                          SVD compression (svd, fwsvd, asvd, svd-llm, soco; --list shows their settings)\n"
           "\n"
           "PATH is a checkpoint file (safetensors, sharded index, PyTorch zip, GGUF, llama2.c)\n"
           "or a Hugging Face folder with config.json. MODEL is a LLaMA-family model (a llama2.c\n"
           "file or a folder); its tokenizer (tokenizer.model or tok<vocab>.bin) is looked for\n"
           "beside it unless --tokenizer names one. An image MODEL is a ViT folder, or any\n"
           "checkpoint with a SIDECAR config describing it (README, \"Running models\").\n";
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(std::cerr);
        return sculpt::cli::kBadInput;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "-h" || command == "--help" || command == "help") {
        usage(std::cout);
        return sculpt::cli::kOk;
    }
    if (command == "inspect")
        return sculpt::cli::inspect(args);
    if (command == "spectra")
        return sculpt::cli::spectra(args);
    if (command == "generate" || command == "eval" || command == "zoo" || command == "compress")
        return sculpt::cli::runtimeCommand(command, args);
    std::cerr << "sculpt-cli: unknown command '" << command << "' (try sculpt-cli --help)\n";
    return sculpt::cli::kBadInput;
}
