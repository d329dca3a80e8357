// The GPT-2 runtime: a tiny random GPT-2 written as a Hugging Face folder gives the logits of
// an independent float64 numpy implementation (tests/reference/gpt2_reference.py), the KV
// cache agrees with the full pass, configs that disagree with the weights are refused in one
// line, every projection is one Linear [out, in] named as in the checkpoint, and sculpt-cli
// eval and generate run the model with GPT-2's real tokenizer.

#include "builtin_passes.h"
#include "compress/pass.h"
#include "cli_runner.h"
#include "gpt2_tokenizer_files.h"
#include "io/error.h"
#include "io/formats.h"
#include "llama2c_reference.h"
#include "runtime/model_family.h"
#include "runtime/generate.h"
#include "runtime/language_model.h"
#include "data/text.h"
#include "runtime/perplexity.h"
#include "runtime/tokenizer.h"
#include "tensor_files.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <random>

using namespace sculpt;
using sculpt::test::Tensor;

namespace {

constexpr int64_t kDim = 32, kLayers = 2, kHeads = 4, kInner = 128, kPositions = 64;
const std::vector<int32_t> kTokens{17, 250, 3, 299, 42, 42, 108, 0, 77, 191, 5, 260, 13, 88, 140, 222, 9, 31, 64, 150};

struct TinyGpt2 {
    int64_t vocab = 300;
    bool prefix = true;          // names under "transformer." as GPT2LMHeadModel saves them
    QJsonObject config;          // replaces or adds config.json keys
    QStringList removeFromConfig;
    std::string drop;            // a tensor to leave out
};

QByteArray floats(const std::vector<float> &values)
{
    return QByteArray(reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(float)));
}

// Random float32 weights in GPT-2's layout (Conv1D weights [in, out]), and config.json.
QString writeGpt2(const QString &folder, const TinyGpt2 &m = {})
{
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal;
    const std::string p = m.prefix ? "transformer." : "";
    std::vector<Tensor> tensors;
    const auto add = [&](const std::string &name, std::vector<int64_t> shape, float scale, float offset = 0) {
        int64_t n = 1;
        for (const int64_t d : shape)
            n *= d;
        std::vector<float> values(static_cast<size_t>(n));
        for (float &v : values)
            v = offset + scale * normal(rng);
        if (name != m.drop)
            tensors.push_back({name, DType::F32, std::move(shape), floats(values)});
    };
    const auto layerNorm = [&](const std::string &name) {
        add(name + ".weight", {kDim}, 0.1f, 1);
        add(name + ".bias", {kDim}, 0.1f);
    };
    add(p + "wte.weight", {m.vocab, kDim}, 0.3f);
    add(p + "wpe.weight", {kPositions, kDim}, 0.1f);
    for (int l = 0; l < kLayers; ++l) {
        const std::string b = p + "h." + std::to_string(l) + ".";
        layerNorm(b + "ln_1");
        add(b + "attn.c_attn.weight", {kDim, 3 * kDim}, 0.25f);
        add(b + "attn.c_attn.bias", {3 * kDim}, 0.05f);
        add(b + "attn.c_proj.weight", {kDim, kDim}, 0.15f);
        add(b + "attn.c_proj.bias", {kDim}, 0.05f);
        layerNorm(b + "ln_2");
        add(b + "mlp.c_fc.weight", {kDim, kInner}, 0.2f);
        add(b + "mlp.c_fc.bias", {kInner}, 0.05f);
        add(b + "mlp.c_proj.weight", {kInner, kDim}, 0.1f);
        add(b + "mlp.c_proj.bias", {kDim}, 0.05f);
        // Older checkpoints keep the causal mask as a buffer; the runtime makes its own.
        add(b + "attn.bias", {1, 1, kPositions, kPositions}, 0, 1);
    }
    layerNorm(p + "ln_f");
    QDir().mkpath(folder);
    sculpt::test::writeTensors(folder + "/model.safetensors", tensors);

    QJsonObject config{{"model_type", "gpt2"},         {"architectures", QJsonArray{"GPT2LMHeadModel"}},
                       {"n_embd", int(kDim)},          {"n_layer", int(kLayers)},
                       {"n_head", int(kHeads)},        {"n_positions", int(kPositions)},
                       {"n_inner", QJsonValue::Null},  {"vocab_size", int(m.vocab)},
                       {"activation_function", "gelu_new"}};
    for (auto it = m.config.begin(); it != m.config.end(); ++it)
        config[it.key()] = it.value();
    for (const QString &key : m.removeFromConfig)
        config.remove(key);
    sculpt::test::writeFile(folder + "/config.json", QJsonDocument(config).toJson());
    return folder;
}

std::unique_ptr<LanguageModel> loadModel(const QString &folder)
{
    return LanguageModel::load(*openCheckpoint(folder.toStdString()));
}

// The FileError loading `folder` gives, or a failure when it loads.
QString loadError(const QString &folder)
{
    try {
        loadModel(folder);
    } catch (const FileError &e) {
        return QString::fromUtf8(e.what());
    }
    return "loaded without an error";
}

float maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b)
{
    float worst = a.size() == b.size() ? 0 : INFINITY;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

std::vector<float> referenceLogits(const QString &folder, const std::vector<int32_t> &tokens)
{
    QStringList args{"logits", folder};
    for (const int32_t t : tokens)
        args << QString::number(t);
    std::vector<float> logits;
    for (const QJsonValue &row : sculpt::test::runReference(args).array())
        for (const QJsonValue &v : row.toArray())
            logits.push_back(float(v.toDouble()));
    return logits;
}

QByteArray tensorBytes(const torch::Tensor &t)
{
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return QByteArray(static_cast<const char *>(c.data_ptr()), qsizetype(c.nbytes()));
}

} // namespace

class TestGpt2 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void logitsMatchTheNumpyReference_data()
    {
        QTest::addColumn<bool>("prefix");
        QTest::addColumn<QJsonObject>("config");
        QTest::newRow("transformer. names") << true << QJsonObject{};
        QTest::newRow("bare names, n_ctx, eps 1e-2")
            << false << QJsonObject{{"n_ctx", int(kPositions)}, {"layer_norm_epsilon", 1e-2}};
    }
    void logitsMatchTheNumpyReference()
    {
        SCULPT_REQUIRE_REFERENCE();
        QFETCH(bool, prefix);
        QFETCH(QJsonObject, config);
        QTemporaryDir dir;
        TinyGpt2 m;
        m.prefix = prefix;
        m.config = config;
        if (config.contains("n_ctx"))
            m.removeFromConfig << "n_positions";
        const QString folder = writeGpt2(dir.filePath("gpt2"), m);
        const auto model = loadModel(folder);
        QCOMPARE(model->vocabSize(), 300);
        QCOMPARE(model->contextLength(), kPositions);
        const std::vector<float> logits = model->logits(kTokens);
        const std::vector<float> expected = referenceLogits(folder, kTokens);
        QCOMPARE(expected.size(), kTokens.size() * 300);
        const float diff = maxAbsDiff(logits, expected);
        QVERIFY2(diff < 1e-4f, qPrintable(QString::number(diff)));
        // The logits are not all alike: a wrong norm or mask would show.
        const auto [low, high] = std::minmax_element(expected.begin(), expected.end());
        QVERIFY(*high - *low > 5);
    }

    void kvCacheAgreesWithTheFullPass()
    {
        QTemporaryDir dir;
        const auto model = loadModel(writeGpt2(dir.filePath("gpt2")));
        const auto full = model->logits(kTokens);
        auto decoder = model->decoder();
        for (size_t i = 0; i < kTokens.size(); ++i) {
            const auto step = decoder.next(kTokens[i]);
            const std::vector<float> row(full.begin() + qsizetype(i * 300), full.begin() + qsizetype((i + 1) * 300));
            QVERIFY2(maxAbsDiff(step, row) < 1e-5f, qPrintable(QString("position %1").arg(i)));
        }
        QCOMPARE(decoder.position(), int64_t(kTokens.size()));
    }

    void theContextIsTheLearnedPositions()
    {
        QTemporaryDir dir;
        const auto model = loadModel(writeGpt2(dir.filePath("gpt2")));
        QVERIFY_THROWS_EXCEPTION(std::length_error, model->logits(std::vector<int32_t>(kPositions + 1, 7)));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, model->logits(std::vector<int32_t>{1, 300}));
        auto decoder = model->decoder();
        for (int64_t i = 0; i < kPositions; ++i)
            decoder.next(7);
        QVERIFY_THROWS_EXCEPTION(std::length_error, decoder.next(7));
    }

    void weightsThatDisagreeWithTheConfig()
    {
        {
            QTemporaryDir dir;
            TinyGpt2 m;
            m.config = {{"n_inner", 120}};
            const QString error = loadError(writeGpt2(dir.filePath("gpt2"), m));
            QVERIFY2(error.contains("transformer.h.0.mlp.c_fc.weight") && error.contains("[32, 120]") &&
                         error.contains("[32, 128]") && !error.contains('\n'),
                     qPrintable(error));
        }
        {
            QTemporaryDir dir;
            TinyGpt2 m;
            m.prefix = false;
            m.drop = "h.1.attn.c_proj.bias";
            const QString error = loadError(writeGpt2(dir.filePath("gpt2"), m));
            QVERIFY2(error.contains("h.1.attn.c_proj.bias: the config implies [32] but the file has no such tensor"),
                     qPrintable(error));
        }
        {
            QTemporaryDir dir;
            TinyGpt2 m;
            m.config = {{"vocab_size", 301}};
            const QString error = loadError(writeGpt2(dir.filePath("gpt2"), m));
            QVERIFY2(error.contains("transformer.wte.weight") && error.contains("[301, 32]") &&
                         error.contains("[300, 32]"),
                     qPrintable(error));
        }
    }

    void configsTheRuntimeDoesNotRun_data()
    {
        QTest::addColumn<QJsonObject>("config");
        QTest::addColumn<QString>("remove");
        QTest::addColumn<QString>("message");
        QTest::newRow("relu") << QJsonObject{{"activation_function", "relu"}} << "" << "activation_function 'relu'";
        QTest::newRow("n_head 5") << QJsonObject{{"n_head", 5}} << "" << "n_head does not divide n_embd";
        QTest::newRow("no n_embd") << QJsonObject{} << "n_embd" << "n_embd is missing";
        QTest::newRow("no positions") << QJsonObject{} << "n_positions" << "n_ctx is missing";
        QTest::newRow("untied") << QJsonObject{{"tie_word_embeddings", false}} << "" << "untied";
        QTest::newRow("layer-scaled attention")
            << QJsonObject{{"scale_attn_by_inverse_layer_idx", true}} << "" << "attention scaled";
    }
    void configsTheRuntimeDoesNotRun()
    {
        QFETCH(QJsonObject, config);
        QFETCH(QString, remove);
        QFETCH(QString, message);
        QTemporaryDir dir;
        TinyGpt2 m;
        m.config = config;
        if (!remove.isEmpty())
            m.removeFromConfig << remove;
        const QString error = loadError(writeGpt2(dir.filePath("gpt2"), m));
        QVERIFY2(error.contains("config.json: ") && error.contains(message) && !error.contains('\n'),
                 qPrintable(error));
    }

    void projectionsAreTheConv1dWeightsTransposed_data()
    {
        QTest::addColumn<bool>("prefix");
        QTest::newRow("transformer.") << true;
        QTest::newRow("bare") << false;
    }
    void projectionsAreTheConv1dWeightsTransposed()
    {
        QFETCH(bool, prefix);
        QTemporaryDir dir;
        TinyGpt2 m;
        m.prefix = prefix;
        const auto checkpoint = openCheckpoint(writeGpt2(dir.filePath("gpt2"), m).toStdString());
        const auto model = loadCausalModel(*checkpoint, torch::kCPU);
        const std::vector<LinearSite> projections = blockSites(*model);
        const std::string p = prefix ? "transformer." : "";
        QCOMPARE(projections.size(), size_t(4 * kLayers));
        const std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> expected{
            {p + "h.0.attn.c_attn", {3 * kDim, kDim}}, {p + "h.0.attn.c_proj", {kDim, kDim}},
            {p + "h.0.mlp.c_fc", {kInner, kDim}},      {p + "h.0.mlp.c_proj", {kDim, kInner}},
            {p + "h.1.attn.c_attn", {3 * kDim, kDim}}};
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(projections[i].name, expected[i].first);
            QCOMPARE(projections[i].linear->outFeatures(), expected[i].second.first);
            QCOMPARE(projections[i].linear->inFeatures(), expected[i].second.second);
            const TensorInfo *stored = checkpoint->find(expected[i].first + ".weight");
            QVERIFY(stored);
            const std::vector<float> values = checkpoint->toFloat32(*stored);
            const torch::Tensor conv1d = torch::from_blob(const_cast<float *>(values.data()), stored->shape);
            QVERIFY(torch::equal(projections[i].linear->weight(), conv1d.t()));
        }
        // Embeddings, positions, 2 LayerNorms per block and ln_f, each weight and bias.
        QCOMPARE(model->parameters().size(), size_t(2 + kLayers * (4 + 4 * 2) + 2));
    }

    // Two documents packed in one row give each the logits it has alone, as does a row of one.
    void packedRowsMatchOneDocumentAtATime()
    {
        QTemporaryDir dir;
        const auto model = loadCausalModel(*openCheckpoint(writeGpt2(dir.filePath("gpt2")).toStdString()), torch::kCPU);
        torch::NoGradGuard noGrad;
        const torch::Tensor a = torch::tensor(std::vector<int64_t>{3, 1, 4, 1, 5}), b = torch::tensor(std::vector<int64_t>{9, 2, 6});
        ModelInput input;
        input.tokens = torch::cat({a, b}).unsqueeze(0);
        input.documents = torch::cat({torch::zeros({5}), torch::ones({3})}).to(torch::kInt64).unsqueeze(0);
        const torch::Tensor packed = model->forward(input).logits[0];
        QVERIFY((packed.narrow(0, 0, 5) - model->step(a)).abs().max().item<float>() < 1e-5f);
        QVERIFY((packed.narrow(0, 5, 3) - model->step(b)).abs().max().item<float>() < 1e-5f);
        QVERIFY((model->forward(ModelInput::ofTokens(b.unsqueeze(0))).logits[0] - model->step(b)).abs().max().item<float>() < 1e-5f);
    }

    // The model written back from checkpointTensors() (one projection as factors A·B) and
    // hfConfigJson() in GPT-2's layout loads again and computes the same logits.
    void writtenBackItRunsTheSame()
    {
        QTemporaryDir dir;
        const auto model = loadCausalModel(*openCheckpoint(writeGpt2(dir.filePath("gpt2")).toStdString()), torch::kCPU);
        std::vector<Tensor> tensors;
        const auto add = [&](const std::string &name, const torch::Tensor &t) {
            tensors.push_back({name, DType::F32, t.sizes().vec(), tensorBytes(t)});
        };
        for (const auto &[name, t] : model->checkpointTensors(/*factorized=*/false)) {
            if (name == "transformer.h.0.mlp.c_fc.weight") { // stored [32, 128]: W [128, 32] = W·I, rank 32
                add("transformer.h.0.mlp.c_fc.weight_a", t.t());
                add("transformer.h.0.mlp.c_fc.weight_b", torch::eye(kDim));
            } else {
                add(name, t);
            }
        }
        const QString copy = dir.filePath("copy");
        QDir().mkpath(copy);
        sculpt::test::writeTensors(copy + "/model.safetensors", tensors);
        sculpt::test::writeFile(copy + "/config.json", QByteArray::fromStdString(model->hfConfigJson()));

        const auto reloaded = loadCausalModel(*openCheckpoint(copy.toStdString()), torch::kCPU);
        QVERIFY(blockSites(*reloaded)[2].linear->isLowRank());
        const torch::Tensor tokens = torch::tensor(std::vector<int64_t>(kTokens.begin(), kTokens.end()));
        c10::InferenceMode inference;
        const float diff = (reloaded->step(tokens) - model->step(tokens)).abs().max().item<float>();
        QVERIFY2(diff < 1e-5f, qPrintable(QString::number(diff)));
    }

    // A compression pass on GPT-2 exports both forms so that they reload as they ran: the
    // dense form back in Conv1D's [in, out] layout under the original names.
    void compressedExportsReload()
    {
        registerBuiltinPasses();
        QTemporaryDir dir;
        TinyGpt2 m;
        m.vocab = 50257;
        const QString folder = writeGpt2(dir.filePath("gpt2"), m);
        const QString tokenizerPath = sculpt::test::unpackGpt2Tokenizer(folder);
        const auto checkpoint = openCheckpoint(folder.toStdString());
        CompressionRequest request;
        request.ratio = 0.3;
        const CompressedModel c = runPass(*findPass("svd"), *checkpoint, {}, request);
        const std::vector<float> expected = c.languageModel()->logits(kTokens);
        for (const ExportFormat format : {ExportFormat::Dense, ExportFormat::Factorized}) {
            const std::string out = dir.filePath(format == ExportFormat::Dense ? "dense" : "factorized").toStdString();
            c.write(out, format, tokenizerPath.toStdString());
            const auto reopened = openCheckpoint(out);
            QCOMPARE(reopened->find("transformer.h.0.mlp.c_fc.weight") != nullptr, format == ExportFormat::Dense);
            const std::vector<float> logits = LanguageModel::load(*reopened)->logits(kTokens);
            float diff = 0;
            for (size_t i = 0; i < logits.size(); ++i)
                diff = std::max(diff, std::abs(logits[i] - expected[i]));
            QVERIFY2(diff < 1e-4f, qPrintable(QString::number(diff)));
        }
    }

    // sculpt-cli with a GPT-2 folder and GPT-2's tokenizer.json found beside it: eval's mean
    // NLL is the numpy reference's over the same ids, and generate prints what generate() makes.
    void sculptCliRunsItWithTheRealTokenizer()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        TinyGpt2 m;
        m.vocab = 50257;
        const QString folder = writeGpt2(dir.filePath("gpt2"), m);
        const QString tokenizerPath = sculpt::test::unpackGpt2Tokenizer(folder);
        QVERIFY(!tokenizerPath.isEmpty());
        const auto passages = sculpt::test::gpt2Passages();
        QVERIFY(passages.size() > 4);
        std::string text;
        for (size_t i = 0; i < 4; ++i)
            text += passages[i].text + "\n\n";
        const QString textPath = dir.filePath("text.txt");
        sculpt::test::writeFile(textPath, QByteArray::fromStdString(text));

        const auto eval = sculpt::test::runCli({"eval", folder, "--text", textPath, "--json"});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(eval.out).object();
        QCOMPARE(result["documents"].toInt(), 4);

        const auto tokenizer = openTokenizer(tokenizerPath.toStdString());
        QJsonArray sequences;
        for (const std::string_view document : splitDocuments(text)) {
            std::vector<int32_t> ids = tokenizer->encode(document, true);
            ids.resize(std::min(ids.size(), size_t(kPositions)));
            QJsonArray row;
            for (const int32_t id : ids)
                row.append(id);
            sequences.append(row);
        }
        const QString idsPath = dir.filePath("ids.json");
        sculpt::test::writeFile(idsPath, QJsonDocument(sequences).toJson());
        const QJsonObject reference = sculpt::test::runReference({"nll", folder, idsPath}).object();
        QCOMPARE(result["tokens"].toInt(), reference["tokens"].toInt());
        const double expected = reference["mean_nll"].toDouble();
        QVERIFY2(std::abs(result["mean_nll"].toDouble() - expected) < 1e-4,
                 qPrintable(QString("%1 vs numpy %2").arg(result["mean_nll"].toDouble()).arg(expected)));

        const auto run =
            sculpt::test::runCli({"generate", folder, "--prompt", "Once upon a time", "--max-tokens", "12"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto model = loadModel(folder);
        std::vector<int32_t> all = tokenizer->encode("Once upon a time", true);
        GenerateOptions options;
        options.maxTokens = 12;
        options.stop = {tokenizer->bos()};
        const auto generated = generate(*model, all, options).tokens;
        all.insert(all.end(), generated.begin(), generated.end());
        QCOMPARE(run.out, QByteArray::fromStdString(tokenizer->decode(all) + "\n"));
        QVERIFY(run.out.startsWith("Once upon a time"));
    }
};

QTEST_GUILESS_MAIN(TestGpt2)
#include "test_gpt2.moc"
