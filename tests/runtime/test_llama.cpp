// The LLaMA runtime through its public face: the same model from a llama2.c file and from an
// HF folder (half-split rotary layout) gives the same logits, the KV cache agrees with the
// full pass, configs that disagree with the weights are refused, generation reproduces the
// published stories260K sample.

#include "io/error.h"
#include "io/formats.h"
#include "runtime/generate.h"
#include "runtime/language_model.h"
#include "runtime/families/llama/llama_config.h"
#include "runtime/tokenizer.h"
#include "tensor_files.h"

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>

using namespace sculpt;

namespace {

const std::vector<int32_t> kTokens{1, 403, 407, 261, 378, 11, 45, 300, 7, 129, 511, 2, 96, 403, 260, 4, 17, 333};

struct HfCopy {
    int64_t intermediateSize = 172;
    bool tied = true;
    std::string drop;      // a tensor to leave out
    std::string modelType = "llama";
};

// HF's conversion script permutes q and k rows so that rotate_half pairs (i, i + d/2) hold
// what llama2.c's interleaved pairs (2i, 2i+1) held: per head, rows [evens…, odds…].
QByteArray permuteRows(const std::vector<float> &w, int64_t heads, int64_t headDim, int64_t cols)
{
    std::vector<float> out(w.size());
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < headDim / 2; ++i)
            for (int64_t parity = 0; parity < 2; ++parity) {
                const float *from = w.data() + (h * headDim + 2 * i + parity) * cols;
                std::copy(from, from + cols, out.data() + (h * headDim + parity * headDim / 2 + i) * cols);
            }
    return QByteArray(reinterpret_cast<const char *>(out.data()), qsizetype(out.size() * 4));
}

// stories260K as an HF folder: model.safetensors (q/k permuted) and config.json.
QString writeHfCopy(const QTemporaryDir &dir, const QString &llama2c, const HfCopy &copy = {})
{
    const auto source = openCheckpoint(llama2c.toStdString());
    std::vector<sculpt::test::Tensor> tensors;
    for (const auto &t : source->tensors()) {
        if (t.name == copy.drop || (copy.tied && t.name == "lm_head.weight"))
            continue;
        const auto values = source->toFloat32(t);
        QByteArray bytes(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * 4));
        if (t.name.ends_with("q_proj.weight"))
            bytes = permuteRows(values, 8, 8, 64);
        else if (t.name.ends_with("k_proj.weight"))
            bytes = permuteRows(values, 4, 8, 64);
        tensors.push_back({t.name, DType::F32, t.shape, bytes});
    }
    const QString folder = dir.filePath("hf");
    QDir().mkpath(folder);
    sculpt::test::writeTensors(folder + "/model.safetensors", tensors);
    const QString config =
        QString("{\"model_type\": \"%1\", \"hidden_size\": 64, \"intermediate_size\": %2, \"num_hidden_layers\": 5, "
                "\"num_attention_heads\": 8, \"num_key_value_heads\": 4, \"vocab_size\": 512, "
                "\"max_position_embeddings\": 512, \"rms_norm_eps\": 1e-05, \"rope_theta\": 10000.0, "
                "\"hidden_act\": \"silu\", \"tie_word_embeddings\": %3}")
            .arg(QString::fromStdString(copy.modelType))
            .arg(copy.intermediateSize)
            .arg(copy.tied ? "true" : "false");
    sculpt::test::writeFile(folder + "/config.json", config.toUtf8());
    return folder;
}

float maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b)
{
    float worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

std::unique_ptr<LanguageModel> loadModel(const QString &path)
{
    return LanguageModel::load(*openCheckpoint(path.toStdString()));
}

// The FileError loading `path` gives, or a failure when it loads.
QString loadError(const QString &path)
{
    try {
        loadModel(path);
    } catch (const FileError &e) {
        return QString::fromUtf8(e.what());
    }
    return "loaded without an error";
}

} // namespace

class TestLlama : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void configFromLlama2c()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const LlamaConfig c = readLlamaConfig(*openCheckpoint(path.toStdString()));
        QCOMPARE(c.dim, 64);
        QCOMPARE(c.hiddenDim, 172);
        QCOMPARE(c.layers, 5);
        QCOMPARE(c.heads, 8);
        QCOMPARE(c.kvHeads, 4);
        QCOMPARE(c.vocab, 512);
        QCOMPARE(c.contextLength, 512);
        QVERIFY(c.tiedHead);
        QVERIFY(c.ropeLayout == RopeLayout::Interleaved);
    }

    void hfLayoutGivesTheSameLogits_data()
    {
        QTest::addColumn<bool>("tied");
        QTest::newRow("tied head") << true;
        QTest::newRow("lm_head of its own") << false;
    }
    void hfLayoutGivesTheSameLogits()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        QFETCH(bool, tied);
        QTemporaryDir dir;
        HfCopy copy;
        copy.tied = tied;
        const QString hfPath = writeHfCopy(dir, path, copy);
        const LlamaConfig config = readLlamaConfig(*openCheckpoint(hfPath.toStdString()));
        QVERIFY(config.ropeLayout == RopeLayout::HalfSplit);
        QCOMPARE(config.tiedHead, tied);
        const auto hf = loadModel(hfPath);
        const auto reference = loadModel(path)->logits(kTokens);
        const auto logits = hf->logits(kTokens);
        QCOMPARE(logits.size(), kTokens.size() * 512);
        const float diff = maxAbsDiff(logits, reference);
        QVERIFY2(diff < 1e-4f, qPrintable(QString::number(diff)));
    }

    void kvCacheAgreesWithTheFullPass()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = loadModel(path);
        const auto full = model->logits(kTokens);
        auto decoder = model->decoder();
        for (size_t i = 0; i < kTokens.size(); ++i) {
            const auto step = decoder.next(kTokens[i]);
            const std::vector<float> row(full.begin() + qsizetype(i * 512), full.begin() + qsizetype((i + 1) * 512));
            QVERIFY2(maxAbsDiff(step, row) < 1e-4f, qPrintable(QString("position %1").arg(i)));
        }
        QCOMPARE(decoder.position(), int64_t(kTokens.size()));
    }

    void nllIsTheLogSoftmaxOfTheNextToken()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = loadModel(path);
        const auto logits = model->logits(kTokens);
        const auto nll = model->tokenNll(kTokens);
        QCOMPARE(nll.size(), kTokens.size() - 1);
        for (size_t i = 0; i + 1 < kTokens.size(); ++i) {
            const float *row = logits.data() + i * 512;
            double sum = 0;
            const float top = *std::max_element(row, row + 512);
            for (int j = 0; j < 512; ++j)
                sum += std::exp(double(row[j]) - top);
            const double expected = std::log(sum) + top - row[kTokens[i + 1]];
            QVERIFY2(std::abs(nll[i] - expected) < 1e-4, qPrintable(QString("%1 vs %2").arg(nll[i]).arg(expected)));
        }
    }

    void weightsThatDisagreeWithTheConfig()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        {
            QTemporaryDir dir;
            HfCopy copy;
            copy.intermediateSize = 170;
            const QString error = loadError(writeHfCopy(dir, path, copy));
            QVERIFY2(error.contains("model.layers.0.mlp.gate_proj.weight") && error.contains("[170, 64]") &&
                         error.contains("[172, 64]") && !error.contains('\n'),
                     qPrintable(error));
        }
        {
            QTemporaryDir dir;
            HfCopy copy;
            copy.drop = "model.layers.3.mlp.up_proj.weight";
            const QString error = loadError(writeHfCopy(dir, path, copy));
            QVERIFY2(error.contains("model.layers.3.mlp.up_proj.weight") && error.contains("[172, 64]") &&
                         error.contains("no such tensor"),
                     qPrintable(error));
        }
        {
            QTemporaryDir dir;
            HfCopy copy;
            copy.modelType = "bert"; // a family no language-model runtime runs
            const QString error = loadError(writeHfCopy(dir, path, copy));
            QVERIFY2(error.contains("model_type 'bert'"), qPrintable(error));
        }
    }

    void greedyGenerationFromBos()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        SCULPT_REQUIRE_SHARED(tok, "stories260K/tok512.bin");
        const auto model = loadModel(path);
        const auto tokenizer = openTokenizer(tok.toStdString());
        GenerateOptions options;
        options.maxTokens = 40;
        options.stop = {tokenizer->bos()};
        std::vector<int32_t> streamed;
        const std::vector<int32_t> prompt{tokenizer->bos()};
        const auto tokens = generate(*model, prompt, options, [&](int32_t t) {
            streamed.push_back(t);
            return true;
        }).tokens;
        QCOMPARE(streamed, tokens);
        QCOMPARE(tokens.size(), size_t(40));
        // The listener ends the text: the token it turns down is the last, and is not fed back.
        long seen = 0;
        const Generation cut = generate(*model, prompt, options, [&](int32_t) { return ++seen < 5; });
        QCOMPARE(cut.tokens, std::vector<int32_t>(tokens.begin(), tokens.begin() + 5));
        QCOMPARE(cut.fed, 4L);
        std::vector<int32_t> all = prompt;
        all.insert(all.end(), tokens.begin(), tokens.end());
        const std::string text = tokenizer->decode(all);
        QVERIFY2(text.starts_with("Once upon a time, there was a little girl named Lily. She loved to play outside in "
                                  "the park."),
                 text.c_str());
    }

    void samplingFollowsTheSeed()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = loadModel(path);
        GenerateOptions options;
        options.maxTokens = 30;
        options.temperature = 1.0;
        const std::vector<int32_t> prompt{1};
        options.seed = 7;
        const auto first = generate(*model, prompt, options).tokens;
        QCOMPARE(generate(*model, prompt, options).tokens, first);
        options.seed = 8;
        QVERIFY(generate(*model, prompt, options).tokens != first);
    }

    void generationStopsAtTheContext()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = loadModel(path);
        GenerateOptions options;
        options.maxTokens = 10'000;
        const std::vector<int32_t> prompt(500, 403);
        // Positions 0…511 are fed; the logits at 511 still choose one more token, which
        // nothing reads, so it is not fed.
        const Generation generated = generate(*model, prompt, options);
        QCOMPARE(generated.tokens.size(), size_t(512 - 500 + 1));
        QCOMPARE(generated.fed, 512L - 500);
        QVERIFY_THROWS_EXCEPTION(std::length_error, model->logits(std::vector<int32_t>(513, 403)));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, model->logits(std::vector<int32_t>{1, 512}));
    }
};

QTEST_GUILESS_MAIN(TestLlama)
#include "test_llama.moc"
