// `sculpt-cli inspect` on a LLaMA-2-7B-shaped safetensors file: real tensor names and
// shapes, fp16, 13.5 GB — created sparse, so it costs no disk. Targets: < 0.1 s wall and
// < 50 MB peak RSS. The baseline is `sculpt-cli --help` in the same run (process start-up
// on this machine, now), so the ratio says what opening the model itself costs.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Sample {
    double seconds;
    double peakMb;
};

// Writes the header of LLaMA-2-7B's single-file safetensors, then extends the file to its
// full length without writing the data.
uint64_t writeSparseLlama7b(const std::string &path)
{
    const int64_t dim = 4096, hidden = 11008, vocab = 32000, layers = 32;
    std::vector<std::pair<std::string, std::vector<int64_t>>> tensors{{"model.embed_tokens.weight", {vocab, dim}}};
    for (int l = 0; l < layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        for (const char *proj : {"q_proj", "k_proj", "v_proj", "o_proj"})
            tensors.push_back({p + "self_attn." + proj + ".weight", {dim, dim}});
        tensors.push_back({p + "mlp.gate_proj.weight", {hidden, dim}});
        tensors.push_back({p + "mlp.up_proj.weight", {hidden, dim}});
        tensors.push_back({p + "mlp.down_proj.weight", {dim, hidden}});
        tensors.push_back({p + "input_layernorm.weight", {dim}});
        tensors.push_back({p + "post_attention_layernorm.weight", {dim}});
    }
    tensors.push_back({"model.norm.weight", {dim}});
    tensors.push_back({"lm_head.weight", {vocab, dim}});

    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t offset = 0;
    for (const auto &[name, shape] : tensors) {
        uint64_t bytes = 2;
        for (int64_t d : shape)
            bytes *= static_cast<uint64_t>(d);
        header[name] = {{"dtype", "F16"}, {"shape", shape}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    const uint64_t length = text.size();

    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::write(fd, &length, 8) != 8 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::ftruncate(fd, static_cast<off_t>(8 + length + offset)) != 0) {
        std::perror(path.c_str());
        std::exit(1);
    }
    ::close(fd);
    return 8 + length + offset;
}

Sample run(const std::vector<std::string> &args)
{
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        std::vector<char *> argv;
        for (const auto &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        std::_Exit(127);
    }
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "%s failed (status %d)\n", args[0].c_str(), status);
        std::exit(1);
    }
    return {seconds, static_cast<double>(usage.ru_maxrss) / 1024.0};
}

Sample median(const std::vector<std::string> &args, int repeats)
{
    std::vector<Sample> samples;
    for (int i = 0; i < repeats; ++i)
        samples.push_back(run(args));
    std::sort(samples.begin(), samples.end(), [](const Sample &a, const Sample &b) { return a.seconds < b.seconds; });
    Sample m = samples[samples.size() / 2];
    for (const auto &s : samples)
        m.peakMb = std::max(m.peakMb, s.peakMb);
    return m;
}

} // namespace

int main()
{
    char folder[] = "/tmp/sculpt-bench-XXXXXX";
    if (!::mkdtemp(folder))
        return 1;
    const std::string path = std::string(folder) + "/llama-2-7b.safetensors";
    const uint64_t size = writeSparseLlama7b(path);
    const std::string cli = SCULPT_CLI_PATH;
    const int repeats = 11;

    run({cli, "inspect", path, "--json"}); // warm the page cache for the header
    const Sample baseline = median({cli, "--help"}, repeats);
    const Sample inspect = median({cli, "inspect", path, "--json"}, repeats);
    ::unlink(path.c_str());
    ::rmdir(folder);

    std::printf("file: LLaMA-2-7B shapes, fp16, %.2f GB (sparse)\n", static_cast<double>(size) / 1e9);
    std::printf("baseline  sculpt-cli --help          %8.1f ms  peak RSS %6.1f MB\n", baseline.seconds * 1e3, baseline.peakMb);
    std::printf("inspect   sculpt-cli inspect --json  %8.1f ms  peak RSS %6.1f MB\n", inspect.seconds * 1e3, inspect.peakMb);
    std::printf("ratio     inspect / baseline          %7.2fx time  %6.2fx RSS\n", inspect.seconds / baseline.seconds,
                inspect.peakMb / baseline.peakMb);
    std::printf("targets   < 100 ms: %s   < 50 MB: %s\n", inspect.seconds < 0.1 ? "met" : "MISSED",
                inspect.peakMb < 50 ? "met" : "MISSED");
    return 0;
}
