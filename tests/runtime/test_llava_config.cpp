// A LLaVA folder's config.json and tensor names (torch-free): both generations of
// LlavaForConditionalGeneration's names found under the families' own, transformers' defaults
// where a short config (llava-1.5's) leaves keys out, the feature layer and image tokens, and
// every config the runtime cannot run refused in one line naming the key.

#include "io/error.h"
#include "io/formats.h"
#include "runtime/families/llava/llava_config.h"
#include "runtime/renamed_tensors.h"
#include "tensor_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace sculpt;
using namespace sculpt::test;

namespace {

// llava-hf/llava-1.5-7b-hf's config.json, as short as it is.
QJsonObject llava15Config()
{
    return QJsonDocument::fromJson(R"({
        "architectures": ["LlavaForConditionalGeneration"], "model_type": "llava",
        "ignore_index": -100, "image_token_index": 32000, "pad_token_id": 32001,
        "projector_hidden_act": "gelu", "vision_feature_layer": -2,
        "vision_feature_select_strategy": "default",
        "text_config": {"architectures": ["LlamaForCausalLM"], "max_position_embeddings": 4096,
                        "model_type": "llama", "rms_norm_eps": 1e-05, "vocab_size": 32064},
        "vision_config": {"hidden_size": 1024, "image_size": 336, "intermediate_size": 4096,
                          "model_type": "clip_vision_model", "num_attention_heads": 16,
                          "num_hidden_layers": 24, "patch_size": 14, "projection_dim": 768}})")
        .object();
}

// A folder with `config` and one small tensor under each name (config reading looks at names
// only; the runtime checks shapes when it loads).
QString writeFolder(const QTemporaryDir &dir, const QJsonObject &config, const std::vector<std::string> &names)
{
    writeFile(dir.filePath("config.json"), QJsonDocument(config).toJson());
    std::vector<Tensor> tensors;
    for (const std::string &name : names)
        tensors.push_back({name, DType::F32, {1}, raw<float>({1.0f})});
    writeTensors(dir.filePath("model.safetensors"), tensors);
    return dir.path();
}

const std::vector<std::string> kOldNames{"language_model.model.embed_tokens.weight", "language_model.lm_head.weight",
                                         "vision_tower.vision_model.embeddings.class_embedding",
                                         "multi_modal_projector.linear_1.weight"};
const std::vector<std::string> kNewNames{"model.language_model.embed_tokens.weight", "lm_head.weight",
                                         "model.vision_tower.vision_model.embeddings.class_embedding",
                                         "model.multi_modal_projector.linear_1.weight"};

} // namespace

class TestLlavaConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Whichever generation wrote them, the tensors are found under the decoder's, the tower's and
    // the projector's own names.
    void findsBothGenerationsOfNames_data()
    {
        QTest::addColumn<bool>("newer");
        QTest::newRow("language_model.model.…") << false;
        QTest::newRow("model.language_model.…") << true;
    }
    void findsBothGenerationsOfNames()
    {
        QFETCH(bool, newer);
        QTemporaryDir dir;
        const auto checkpoint = openCheckpoint(writeFolder(dir, llava15Config(), newer ? kNewNames : kOldNames).toStdString());
        const LlavaConfig c = readLlavaConfig(*checkpoint);
        QVERIFY(c.vision.renames == c.renames);
        const RenamedTensors renamed(*checkpoint, c.renames);
        const std::vector<std::string> stored = newer ? kNewNames : kOldNames;
        const std::string own[] = {"model.embed_tokens.weight", "lm_head.weight", c.vision.names.clsToken,
                                   std::string(kLlavaProjectorIn) + ".weight"};
        for (size_t i = 0; i < stored.size(); ++i) {
            const TensorInfo *t = renamed.find(own[i]);
            QVERIFY2(t && t->name == stored[i], own[i].c_str());
        }
    }

    // llava-1.5's short config: LlamaConfig's and CLIPVisionConfig's defaults fill it in; the
    // projector reads the output of the block before the last, 576 tokens an image (24 × 24
    // patches, the class token dropped).
    void fillsInTransformersDefaults()
    {
        QTemporaryDir dir;
        const LlavaConfig c = readLlavaConfig(*openCheckpoint(writeFolder(dir, llava15Config(), kOldNames).toStdString()));
        QCOMPARE(c.text.dim, int64_t(4096));
        QCOMPARE(c.text.hiddenDim, int64_t(11008));
        QCOMPARE(c.text.layers, int64_t(32));
        QCOMPARE(c.text.kvHeads, int64_t(32));
        QCOMPARE(c.text.vocab, int64_t(32064));
        QCOMPARE(c.text.contextLength, int64_t(4096));
        QCOMPARE(c.vision.dim, int64_t(1024));
        QCOMPARE(c.vision.layers, int64_t(24));
        QVERIFY(c.vision.activation == VitActivation::QuickGelu);
        QCOMPARE(c.vision.layerNormEps, 1e-5);
        QCOMPARE(c.vision.tokens(), int64_t(577));
        QCOMPARE(c.imageTokens(), int64_t(576));
        QCOMPARE(c.featureLayer, int64_t(22));
        QCOMPARE(c.imageToken, int64_t(32000));
        QVERIFY(c.projectorActivation == VitActivation::Gelu);
        QVERIFY(c.projectorBias);

        QJsonObject full = llava15Config();
        full["vision_feature_select_strategy"] = "full";
        full["vision_feature_layer"] = 24; // hidden_states[24]: the last block's output
        full.remove("image_token_index");
        full["image_token_id"] = 32010;
        QTemporaryDir other;
        const LlavaConfig f = readLlavaConfig(*openCheckpoint(writeFolder(other, full, kNewNames).toStdString()));
        QCOMPARE(f.imageTokens(), int64_t(577));
        QCOMPARE(f.featureLayer, int64_t(23));
        QCOMPARE(f.imageToken, int64_t(32010));
    }

    void refusesWhatItCannotRun_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value"); // undefined: the key removed
        QTest::addColumn<QString>("says");
        QTest::newRow("model_type") << "model_type" << QJsonValue("llama") << "model_type 'llama' is not llava";
        QTest::newRow("several layers") << "vision_feature_layer" << QJsonValue(QJsonArray{-2, -5})
                                        << "several feature layers";
        QTest::newRow("the embeddings") << "vision_feature_layer" << QJsonValue(0) << "vision_feature_layer 0";
        QTest::newRow("beyond the tower") << "vision_feature_layer" << QJsonValue(25) << "vision_feature_layer 25";
        QTest::newRow("below the tower") << "vision_feature_layer" << QJsonValue(-25) << "vision_feature_layer -25";
        QTest::newRow("strategy") << "vision_feature_select_strategy" << QJsonValue("cls")
                                  << "vision_feature_select_strategy 'cls'";
        QTest::newRow("image token") << "image_token_index" << QJsonValue(40000) << "outside the vocabulary";
        QTest::newRow("projector") << "projector_hidden_act" << QJsonValue("swish") << "projector_hidden_act 'swish'";
        QTest::newRow("no text_config") << "text_config" << QJsonValue(QJsonValue::Undefined) << "text_config is missing";
        QTest::newRow("text_config's model") << "text_config" << QJsonValue(QJsonObject{{"model_type", "gpt2"}})
                                             << "text_config: model_type 'gpt2'";
        QTest::newRow("vision_config's size")
            << "vision_config" << QJsonValue(QJsonObject{{"image_size", 336}, {"patch_size", 15}})
            << "vision_config.patch_size 15 does not divide image_size 336";
    }
    void refusesWhatItCannotRun()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, says);
        QJsonObject config = llava15Config();
        if (value.isUndefined())
            config.remove(key);
        else
            config[key] = value;
        QTemporaryDir dir;
        const auto checkpoint = openCheckpoint(writeFolder(dir, config, kOldNames).toStdString());
        try {
            (void)readLlavaConfig(*checkpoint);
            QFAIL("accepted");
        } catch (const FileError &e) {
            QVERIFY2(QString(e.what()).contains(says), e.what());
            QVERIFY2(QString(e.what()).contains("config.json"), e.what());
        }
    }

    void refusesNamesOfNeitherGeneration()
    {
        QTemporaryDir dir;
        const auto checkpoint =
            openCheckpoint(writeFolder(dir, llava15Config(), {"model.embed_tokens.weight", "lm_head.weight"}).toStdString());
        QVERIFY_THROWS_EXCEPTION(FileError, readLlavaConfig(*checkpoint));
    }
};

QTEST_GUILESS_MAIN(TestLlavaConfig)
#include "test_llava_config.moc"
