// The model inventory: architecture, block and role of every tensor, and which tensors
// are analysable matrices — on the real models in ../shared and on files written here.

#include "io/formats.h"
#include "io/safetensors.h"
#include "model/architecture.h"
#include "model/inventory.h"
#include "test_files.h"

#include <QTemporaryDir>
#include <numeric>

using namespace sculpt;

namespace {

const Weight &weight(const ModelInventory &inventory, const std::string &name)
{
    for (const auto &w : inventory.weights)
        if (w.name == name)
            return w;
    throw std::runtime_error("no weight " + name);
}

// Zero-filled float32 tensors with the given names and shapes, written as safetensors.
std::unique_ptr<Checkpoint> writeModel(const QString &path, const std::vector<std::pair<std::string, std::vector<int64_t>>> &shapes,
                                       std::vector<std::vector<float>> *values = nullptr)
{
    std::vector<std::vector<float>> storage;
    std::vector<TensorToWrite> tensors;
    for (const auto &[name, shape] : shapes) {
        const auto n = std::accumulate(shape.begin(), shape.end(), int64_t(1), std::multiplies<>());
        storage.emplace_back(static_cast<size_t>(n));
        std::iota(storage.back().begin(), storage.back().end(), 0.0f);
    }
    for (size_t i = 0; i < shapes.size(); ++i)
        tensors.push_back({shapes[i].first, DType::F32, shapes[i].second, std::as_bytes(std::span(storage[i]))});
    writeSafetensors(path.toStdString(), tensors);
    if (values)
        *values = storage;
    return openCheckpoint(path.toStdString());
}

} // namespace

class TestInventory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void llamaFromLlama2c()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = openCheckpoint(path.toStdString());
        const auto inventory = buildInventory(*model);
        QCOMPARE(inventory.architecture, Architecture::Llama);
        QCOMPARE(inventory.blocks(), (std::vector<int>{0, 1, 2, 3, 4}));
        const auto &q = weight(inventory, "model.layers.3.self_attn.q_proj.weight");
        QCOMPARE(q.block, 3);
        QCOMPARE(q.role, Role::Q);
        QCOMPARE(q.matrix->rows, int64_t(64));
        QCOMPARE(weight(inventory, "model.layers.0.self_attn.k_proj.weight").role, Role::K);
        QCOMPARE(weight(inventory, "model.layers.0.self_attn.v_proj.weight").role, Role::V);
        QCOMPARE(weight(inventory, "model.layers.0.self_attn.o_proj.weight").role, Role::O);
        QCOMPARE(weight(inventory, "model.layers.0.mlp.gate_proj.weight").role, Role::Gate);
        QCOMPARE(weight(inventory, "model.layers.0.mlp.up_proj.weight").role, Role::Up);
        const auto &down = weight(inventory, "model.layers.0.mlp.down_proj.weight");
        QCOMPARE(down.role, Role::Down);
        QCOMPARE(down.matrix->cols, int64_t(172));
        const auto &norm = weight(inventory, "model.layers.0.input_layernorm.weight");
        QCOMPARE(norm.role, Role::Norm);
        QVERIFY(!norm.matrix);
        QCOMPARE(weight(inventory, "model.embed_tokens.weight").role, Role::Embed);
        QCOMPARE(weight(inventory, "model.embed_tokens.weight").block, -1);
        QCOMPARE(weight(inventory, "lm_head.weight").role, Role::Head);
        QCOMPARE(weight(inventory, "model.norm.weight").role, Role::Norm);
    }

    void vitFromSafetensors()
    {
        SCULPT_REQUIRE_SHARED(path, "vit_mnist_tiny/vit_mnist.safetensors");
        const auto inventory = buildInventory(*openCheckpoint(path.toStdString()));
        QCOMPARE(inventory.architecture, Architecture::Vit);
        QCOMPARE(inventory.blocks().size(), size_t(6));
        const auto &qkv = weight(inventory, "transformer.layers.2.0.fn.fn.to_qkv.weight");
        QCOMPARE(qkv.role, Role::QKV);
        QCOMPARE(qkv.block, 2);
        QCOMPARE(qkv.matrix->rows, int64_t(192));
        QCOMPARE(weight(inventory, "transformer.layers.2.1.fn.fn.net.0.weight").role, Role::Fc1);
        QCOMPARE(weight(inventory, "transformer.layers.2.1.fn.fn.net.2.weight").role, Role::Fc2);
        QCOMPARE(weight(inventory, "mlp_head.2.weight").role, Role::Head);
        QCOMPARE(weight(inventory, "patch_to_embedding.weight").role, Role::Embed);
    }

    // HF's ViT keeps its patch embedding as a convolution kernel: the tree shows it as the
    // matrix [out, in·kh·kw] it is, as the runtime's linear site has it.
    void patchEmbeddingIsAMatrix()
    {
        const auto inventory = buildInventory(*openCheckpoint(SCULPT_MODELS_DIR "/fashion-vit"));
        const auto &patch = weight(inventory, "vit.embeddings.patch_embeddings.projection.weight");
        QCOMPARE(patch.role, Role::Conv);
        QVERIFY(patch.matrix);
        QCOMPARE(patch.matrix->rows, int64_t(64));
        QCOMPARE(patch.matrix->cols, int64_t(49));
    }

    void cnnConvolutionsAreMatrices()
    {
        SCULPT_REQUIRE_SHARED(path, "mnist_cnn_tinygrad/mnist.safetensors");
        const auto model = openCheckpoint(path.toStdString());
        const auto inventory = buildInventory(*model);
        QCOMPARE(inventory.architecture, Architecture::Cnn);
        const auto &conv = weight(inventory, "layers.2.weight");
        QCOMPARE(conv.role, Role::Conv);
        QCOMPARE(conv.shape, (std::vector<int64_t>{32, 32, 5, 5}));
        QCOMPARE(conv.matrix->rows, int64_t(32));
        QCOMPARE(conv.matrix->cols, int64_t(32 * 5 * 5));
        QCOMPARE(readMatrix(*model, conv).size(), size_t(32 * 800));
        QCOMPARE(weight(inventory, "layers.4.weight").role, Role::Norm); // BatchNorm
        QCOMPARE(weight(inventory, "layers.4.running_mean").role, Role::Norm);
        const auto &head = weight(inventory, "layers.13.weight");
        QCOMPARE(head.role, Role::Head);
        QCOMPARE(head.matrix->cols, int64_t(576));
    }

    void gpt2Conv1DIsExposedAsOutIn()
    {
        QTemporaryDir dir;
        std::vector<std::vector<float>> values;
        const auto model = writeModel(dir.filePath("gpt2.safetensors"),
                                      {{"wte.weight", {50, 8}},
                                       {"h.0.ln_1.weight", {8}},
                                       {"h.0.attn.c_attn.weight", {8, 24}},
                                       {"h.0.attn.c_proj.weight", {8, 8}},
                                       {"h.0.mlp.c_fc.weight", {8, 32}},
                                       {"h.0.mlp.c_proj.weight", {32, 8}}},
                                      &values);
        const auto inventory = buildInventory(*model);
        QCOMPARE(inventory.architecture, Architecture::Gpt2);
        const auto &qkv = weight(inventory, "h.0.attn.c_attn.weight");
        QVERIFY(qkv.transposed);
        QCOMPARE(qkv.shape, (std::vector<int64_t>{24, 8}));
        QCOMPARE(qkv.role, Role::QKV);
        QCOMPARE(weight(inventory, "h.0.attn.c_proj.weight").role, Role::O);
        QCOMPARE(weight(inventory, "h.0.mlp.c_fc.weight").role, Role::Fc1);
        const auto &fc2 = weight(inventory, "h.0.mlp.c_proj.weight");
        QCOMPARE(fc2.role, Role::Fc2);
        QCOMPARE(fc2.shape, (std::vector<int64_t>{8, 32}));
        QVERIFY(!weight(inventory, "wte.weight").transposed);
        // Stored [in=8, out=24]; the matrix reads [out, in]: element (r, c) = stored (c, r).
        const auto matrix = readMatrix(*model, qkv);
        const auto &stored = values[2];
        for (size_t r = 0; r < 24; ++r)
            for (size_t c = 0; c < 8; ++c)
                QCOMPARE(matrix[r * 8 + c], stored[c * 24 + r]);
    }

    void bertNames()
    {
        QTemporaryDir dir;
        const auto model = writeModel(dir.filePath("bert.safetensors"),
                                      {{"bert.encoder.layer.1.attention.self.query.weight", {4, 4}},
                                       {"bert.encoder.layer.1.attention.output.dense.weight", {4, 4}},
                                       {"bert.encoder.layer.1.attention.output.LayerNorm.weight", {4}},
                                       {"bert.encoder.layer.1.intermediate.dense.weight", {16, 4}},
                                       {"bert.encoder.layer.1.output.dense.weight", {4, 16}},
                                       {"bert.embeddings.word_embeddings.weight", {30, 4}}});
        const auto inventory = buildInventory(*model);
        QCOMPARE(inventory.architecture, Architecture::Bert);
        QCOMPARE(weight(inventory, "bert.encoder.layer.1.attention.self.query.weight").block, 1);
        QCOMPARE(weight(inventory, "bert.encoder.layer.1.attention.output.dense.weight").role, Role::O);
        QCOMPARE(weight(inventory, "bert.encoder.layer.1.attention.output.LayerNorm.weight").role, Role::Norm);
        QCOMPARE(weight(inventory, "bert.encoder.layer.1.intermediate.dense.weight").role, Role::Fc1);
        QCOMPARE(weight(inventory, "bert.encoder.layer.1.output.dense.weight").role, Role::Fc2);
        QCOMPARE(weight(inventory, "bert.embeddings.word_embeddings.weight").role, Role::Embed);
    }

    void configDecidesTheArchitecture()
    {
        QTemporaryDir dir;
        writeModel(dir.filePath("model.safetensors"), {{"layers.0.attention.wq.weight", {4, 4}}});
        test::writeFile(dir.filePath("config.json"), R"({"model_type": "gpt2"})");
        QCOMPARE(buildInventory(*openCheckpoint(dir.path().toStdString())).architecture, Architecture::Gpt2);
        test::writeFile(dir.filePath("config.json"), R"({"model_type": "mistral"})");
        QCOMPARE(buildInventory(*openCheckpoint(dir.path().toStdString())).architecture, Architecture::Llama);
    }

    void blockIndex_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("block");
        QTest::newRow("hf llama") << "model.layers.12.mlp.up_proj.weight" << 12;
        QTest::newRow("gguf") << "blk.3.attn_q.weight" << 3;
        QTest::newRow("gpt2") << "transformer.h.7.attn.c_attn.weight" << 7;
        QTest::newRow("timm") << "blocks.0.attn.proj.weight" << 0;
        QTest::newRow("bert") << "encoder.layer.11.output.dense.weight" << 11;
        QTest::newRow("outside") << "model.embed_tokens.weight" << -1;
        QTest::newRow("number not after a container") << "mlp_head.2.weight" << -1;
    }
    void blockIndex()
    {
        QFETCH(QString, name);
        QFETCH(int, block);
        QCOMPARE(blockIndexOf(name.toStdString()), block);
    }

    void roleFromGgufNames()
    {
        QCOMPARE(roleFromName("blk.0.attn_q.weight"), Role::Q);
        QCOMPARE(roleFromName("blk.0.attn_output.weight"), Role::O);
        QCOMPARE(roleFromName("blk.0.ffn_gate.weight"), Role::Gate);
        QCOMPARE(roleFromName("blk.0.ffn_down.weight"), Role::Down);
        QCOMPARE(roleFromName("blk.0.attn_norm.weight"), Role::Norm);
        QCOMPARE(roleFromName("token_embd.weight"), Role::Embed);
        QCOMPARE(roleFromName("output.weight"), Role::Head);
        QCOMPARE(roleFromName("two.weight"), Role::Other); // "wo" only as a whole component
    }
};

QTEST_APPLESS_MAIN(TestInventory)
#include "test_inventory.moc"
