// LLaVA-style models and their HiMix form: tiny random-weight folders written by
// tests/reference/llava_reference.py under both generations of transformers' tensor names, with
// a CLIP tower (llava-1.5's feature layer and selection) or a SigLIP one (the last layer, every
// token); the logits of prompts with the images' tokens in them against that script's float64
// forward. Counts that disagree are refused, text alone runs as the decoder does, and a prompt
// prefilled into the cache and continued step by step gives forward()'s logits.

#include "io/formats.h"
#include "json_numbers.h"
#include "llama2c_reference.h"
#include "runtime/families/llava/llava.h"
#include "runtime/hf_export.h"
#include "runtime/mac_count.h"
#include "runtime/model_family.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <map>

using namespace sculpt;

namespace {

constexpr int64_t kImageToken = 60, kVocab = 64; // as llava_reference.py makes them

// Two prompts: one image each, its tokens after two text tokens and after one.
torch::Tensor prompts(int64_t imageTokens)
{
    std::vector<int64_t> first{1, 2}, second{5};
    first.insert(first.end(), size_t(imageTokens), kImageToken);
    second.insert(second.end(), size_t(imageTokens), kImageToken);
    first.insert(first.end(), {3, 4});
    second.insert(second.end(), {6, 7, 8});
    return torch::stack({torch::tensor(first), torch::tensor(second)});
}

void writeBytes(const QString &path, const void *data, qint64 size)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(static_cast<const char *>(data), size), size);
}

} // namespace

class TestLlava : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTheReference_data()
    {
        QTest::addColumn<QString>("generation");
        QTest::addColumn<QString>("tower");
        QTest::addColumn<int>("imageTokens"); // 3 × 3 patches, CLIP's class token dropped
        QTest::addColumn<bool>("himix");
        QTest::newRow("older names, CLIP") << "old" << "clip" << 9 << false;
        QTest::newRow("newer names, CLIP") << "new" << "clip" << 9 << false;
        QTest::newRow("older names, SigLIP") << "old" << "siglip" << 9 << false;
        QTest::newRow("newer names, SigLIP") << "new" << "siglip" << 9 << false;
        QTest::newRow("HiMix, older names, CLIP") << "old" << "clip" << 9 << true;
        QTest::newRow("HiMix, newer names, SigLIP") << "new" << "siglip" << 9 << true;
        // A ViTModel tower (a classifier's blocks without the head) on grey images.
        QTest::newRow("older names, ViT") << "old" << "vit" << 9 << false;
        QTest::newRow("HiMix, newer names, ViT") << "new" << "vit" << 9 << true;
    }
    void matchesTheReference()
    {
        QFETCH(QString, generation);
        QFETCH(QString, tower);
        QFETCH(int, imageTokens);
        QFETCH(bool, himix);
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        QStringList make{"make", dir.path(), generation, tower, "11"};
        if (himix)
            make << "himix";
        sculpt::test::runReference(make);
        const std::unique_ptr<Model> model = loadModel(*openCheckpoint(dir.path().toStdString()), torch::kCPU);
        QCOMPARE(QString::fromStdString(model->family()), QString("llava"));
        const auto &llava = dynamic_cast<const Llava &>(*model);
        QCOMPARE(llava.config().imageTokens(), int64_t(imageTokens));
        QCOMPARE(llava.config().himix, himix);

        torch::manual_seed(4);
        ModelInput input = ModelInput::ofTokens(prompts(imageTokens));
        const int64_t channels = llava.imagePrompt()->channels;
        QCOMPARE(channels, tower == "vit" ? 1 : 3);
        input.pixels = torch::randn({2, channels, 12, 12}, torch::kFloat32);
        writeBytes(dir.filePath("pixels"), input.pixels.data_ptr(), qint64(input.pixels.nbytes()));
        QJsonArray rows;
        for (int64_t r = 0; r < input.tokens.size(0); ++r) {
            QJsonArray row;
            for (int64_t t = 0; t < input.tokens.size(1); ++t)
                row.append(qint64(input.tokens[r][t].item<int64_t>()));
            rows.append(row);
        }
        const QByteArray tokensJson = QJsonDocument(rows).toJson();
        writeBytes(dir.filePath("tokens.json"), tokensJson.constData(), tokensJson.size());

        torch::NoGradGuard noGrad;
        const torch::Tensor logits = model->forward(input).logits;
        // HiMix's decoder runs the text alone.
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{2, input.tokens.size(1) - (himix ? imageTokens : 0), kVocab}));
        const QJsonDocument reference =
            sculpt::test::runReference({"run", dir.path(), dir.filePath("tokens.json"), dir.filePath("pixels")});
        std::vector<double> expected;
        sculpt::test::flattenJson(reference.array(), expected);
        QCOMPARE(int64_t(expected.size()), logits.numel());
        const double difference =
            (logits.to(torch::kFloat64) - torch::tensor(expected, torch::kFloat64).view_as(logits)).abs().max().item<double>();
        QVERIFY2(difference < 1e-4, qPrintable(QString::number(difference)));
        // The image changes the answer: the same prompt without its pixels' features differs.
        const torch::Tensor other = model->forward([&] {
            ModelInput swapped = input;
            swapped.pixels = input.pixels.flip(0);
            return swapped;
        }()).logits;
        QVERIFY((other - logits).abs().max().item<double>() > 1e-3);

        // Generation's way: the second prompt prefilled into the cache, up to its last token,
        // then that token stepped; the first prompt's image must not leak into it.
        const torch::Tensor row = input.tokens[1], pixels = input.pixels.narrow(0, 1, 1);
        const int64_t length = row.size(0);
        KvCache cache = llava.emptyCache();
        const torch::Tensor prefilled = llava.prefill(row.narrow(0, 0, length - 1), pixels, &cache);
        const torch::Tensor last = llava.step(row.narrow(0, length - 1, 1), &cache);
        QVERIFY((torch::cat({prefilled, last}) - logits[1]).abs().max().item<double>() < 1e-5);
        QVERIFY((llava.prefill(row, pixels, nullptr) - logits[1]).abs().max().item<double>() < 1e-5);
        QCOMPARE(cache.prefix, himix ? int64_t(imageTokens) : int64_t(0));
        if (himix) // its images' keys sit at the cache's front: none once text is cached
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, llava.prefill(row, pixels, &cache));
    }

    // An export loads back as the model it was: LLaVA and HiMix, from either generation of
    // names (it writes the newer), with the decoder's config renewed.
    void writesBackWhatItReads_data()
    {
        QTest::addColumn<QStringList>("kind");
        QTest::newRow("older names, CLIP") << QStringList{"old", "clip", "11"};
        QTest::newRow("HiMix, newer names, SigLIP") << QStringList{"new", "siglip", "11", "himix"};
        QTest::newRow("older names, ViT") << QStringList{"old", "vit", "11"};
    }
    void writesBackWhatItReads()
    {
        QFETCH(QStringList, kind);
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("in"));
        sculpt::test::runReference(QStringList{"make", dir.filePath("in")} + kind);
        const std::unique_ptr<Model> model = loadModel(*openCheckpoint(dir.filePath("in").toStdString()), torch::kCPU);
        writeHfFolder(*model, dir.filePath("out").toStdString(), /*factorized=*/true);
        const std::unique_ptr<Model> back = loadModel(*openCheckpoint(dir.filePath("out").toStdString()), torch::kCPU);
        QCOMPARE(dynamic_cast<const Llava &>(*back).config().himix, kind.contains("himix"));
        torch::manual_seed(7);
        ModelInput input = ModelInput::ofTokens(prompts(9));
        input.pixels = torch::randn({2, dynamic_cast<const Llava &>(*model).config().vision.channels, 12, 12});
        torch::NoGradGuard noGrad;
        QCOMPARE((back->forward(input).logits - model->forward(input).logits).abs().max().item<double>(), 0.0);
    }

    // HiMix's conversion: each layer's image norm and key/value projections start as its own
    // input_layernorm, k_proj and v_proj; the decoder then runs the text alone, and the result
    // writes back as a HiMix folder.
    void convertsToHimix()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir("in"));
        sculpt::test::runReference({"make", dir.filePath("in"), "old", "clip", "11"});
        const std::unique_ptr<Model> model = loadModel(*openCheckpoint(dir.filePath("in").toStdString()), torch::kCPU);
        auto &llava = dynamic_cast<Llava &>(*model);
        const int64_t layers = llava.config().text.layers;
        const std::vector<std::string> added = llava.convertToHimix();
        QCOMPARE(int64_t(added.size()), 3 * layers); // the reference's projections have no bias
        QVERIFY(llava.config().himix);
        std::map<std::string, torch::Tensor> named;
        for (const auto &[name, tensor] : llava.parameters())
            named.emplace(name, tensor);
        for (int64_t l = 0; l < layers; ++l) {
            const std::string layer = "model.layers." + std::to_string(l) + ".";
            QVERIFY(named.at(himixNormName(l)).equal(named.at(layer + "input_layernorm.weight")));
            QVERIFY(named.at(himixKeyName(l) + ".weight").equal(named.at(layer + "self_attn.k_proj.weight")));
            QVERIFY(named.at(himixValueName(l) + ".weight").equal(named.at(layer + "self_attn.v_proj.weight")));
        }
        QVERIFY(std::all_of(added.begin(), added.end(), [&](const std::string &n) { return named.contains(n); }));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, llava.convertToHimix());

        torch::manual_seed(8);
        ModelInput input = ModelInput::ofTokens(prompts(9));
        input.pixels = torch::randn({2, 3, 12, 12});
        torch::NoGradGuard noGrad;
        const torch::Tensor logits = llava.forward(input).logits;
        QCOMPARE(logits.size(1), input.tokens.size(1) - 9);
        writeHfFolder(llava, dir.filePath("out").toStdString(), /*factorized=*/true);
        const std::unique_ptr<Model> back = loadModel(*openCheckpoint(dir.filePath("out").toStdString()), torch::kCPU);
        QVERIFY(dynamic_cast<const Llava &>(*back).config().himix);
        QCOMPARE((back->forward(input).logits - logits).abs().max().item<double>(), 0.0);
    }

    // The analytic count of the decoder's multiply-adds is what the runtime's products do, to
    // the multiply-add, for a prompt with an image and two tokens fed back, and HiMix's is the
    // smaller.
    void decoderCostIsCounted()
    {
        SCULPT_REQUIRE_REFERENCE();
        int64_t counted[2] = {};
        for (const bool himix : {false, true}) {
            QTemporaryDir dir;
            QStringList make{"make", dir.path(), "old", "clip", "11"};
            if (himix)
                make << "himix";
            sculpt::test::runReference(make);
            const std::unique_ptr<Model> model = loadModel(*openCheckpoint(dir.path().toStdString()), torch::kCPU);
            const auto &llava = dynamic_cast<const Llava &>(*model);
            torch::NoGradGuard noGrad;
            const torch::Tensor prompt = prompts(9)[0], pixels = torch::randn({1, 3, 12, 12});
            KvCache cache = llava.emptyCache();
            MacCount all;
            int64_t tower = 0;
            {
                MacCount image;
                llava.imageFeatures(pixels);
                tower = image.total();
            }
            llava.prefill(prompt, pixels, &cache);
            llava.step(torch::tensor(std::vector<int64_t>{3}), &cache);
            llava.step(torch::tensor(std::vector<int64_t>{4}), &cache);
            // The head ran at every position the blocks ran: the prompt's (its text alone
            // under HiMix) and the two fed.
            const LlamaConfig &c = llava.config().text;
            const int64_t positions = prompt.size(0) - (himix ? 9 : 0) + 2;
            // prefill made the image's features as imageFeatures() did: count them twice off.
            const int64_t decoder = all.total() - 2 * tower - positions * c.dim * c.vocab;
            const AnswerShape answer{prompt.size(0), 9, 2};
            QCOMPARE(decoder, decoderMacs(c, answer, himix));
            QCOMPARE(*llava.decoderMacs(answer), decoder);
            counted[himix] = decoder;

            // A pass's low-rank layer (rank 2 of a 48×32 MLP projection, 160 instead of
            // 1,536 multiply-adds a row): the count follows what the runtime multiplies.
            for (LinearSite &site : model->linearSites())
                if (site.name == "model.layers.0.mlp.up_proj") {
                    const auto [u, s, v] = torch::linalg_svd(site.linear->weight(), false);
                    *site.linear = Linear::lowRank(u.narrow(1, 0, 2) * s.narrow(0, 0, 2), v.narrow(0, 0, 2));
                }
            KvCache again = llava.emptyCache();
            MacCount lowRank;
            llava.prefill(prompt, pixels, &again);
            llava.step(torch::tensor(std::vector<int64_t>{3}), &again);
            llava.step(torch::tensor(std::vector<int64_t>{4}), &again);
            const int64_t fewer = lowRank.total() - tower - positions * c.dim * c.vocab; // prefill alone made the features
            QCOMPARE(decoder - fewer, positions * (48 * 32 - 2 * (48 + 32)));
            QCOMPARE(*llava.decoderMacs(answer), fewer);
        }
        QVERIFY(counted[1] < counted[0]);
    }

    // A prompt whose image tokens are not the images' count is refused, whichever way it is
    // off; text alone runs as the decoder, one step at a time as in one pass.
    void imageTokensMustMatchTheImages()
    {
        SCULPT_REQUIRE_REFERENCE();
        QTemporaryDir dir;
        sculpt::test::runReference({"make", dir.path(), "old", "clip", "11"});
        const std::unique_ptr<Model> model = loadModel(*openCheckpoint(dir.path().toStdString()), torch::kCPU);
        auto &llava = dynamic_cast<Llava &>(*model);
        // The projector's weights and biases are among what training sees.
        const auto named = llava.parameters();
        QCOMPARE(std::count_if(named.begin(), named.end(),
                               [](const auto &p) { return p.first.starts_with("multi_modal_projector."); }),
                 4);
        torch::NoGradGuard noGrad;
        ModelInput input = ModelInput::ofTokens(prompts(8)); // one short per image
        input.pixels = torch::randn({2, 3, 12, 12});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, llava.forward(input));
        input = ModelInput::ofTokens(prompts(9)); // no pixels
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, llava.forward(input));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, llava.step(torch::tensor(std::vector<int64_t>{1, kImageToken})));

        const torch::Tensor text = torch::tensor(std::vector<int64_t>{1, 2, 3, 4, 5});
        const torch::Tensor whole = llava.forward(ModelInput::ofTokens(text.unsqueeze(0))).logits[0];
        KvCache cache = llava.emptyCache();
        const torch::Tensor first = llava.step(text.narrow(0, 0, 3), &cache), rest = llava.step(text.narrow(0, 3, 2), &cache);
        QVERIFY((torch::cat({first, rest}) - whole).abs().max().item<double>() < 1e-5);
    }
};

QTEST_GUILESS_MAIN(TestLlava)
#include "test_llava.moc"
