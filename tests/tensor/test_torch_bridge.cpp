// The torch side of a checkpoint: zero-copy views and float32 matrices on a device.

#include "io/error.h"
#include "io/formats.h"
#include "io/safetensors.h"
#include "model/inventory.h"
#include "tensor/torch_bridge.h"
#include "test_files.h"

#include <QTemporaryDir>

using namespace sculpt;

class TestTorchBridge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void storedTensorIsAViewOfTheMapping()
    {
        SCULPT_REQUIRE_SHARED(path, "stories260K/stories260K.bin");
        const auto model = openCheckpoint(path.toStdString());
        const auto &info = model->at("model.layers.1.mlp.down_proj.weight");
        const torch::Tensor t = storedTensor(*model, info);
        QCOMPARE(t.sizes().vec(), info.shape);
        QCOMPARE(static_cast<const void *>(t.data_ptr()), static_cast<const void *>(model->bytes(info).data()));
        const auto values = model->toFloat32(info);
        QCOMPARE(std::memcmp(t.data_ptr<float>(), values.data(), values.size() * 4), 0);
    }

    void matrixMatchesReadMatrix()
    {
        SCULPT_REQUIRE_SHARED(path, "mnist_cnn_tinygrad/mnist.safetensors");
        const auto model = openCheckpoint(path.toStdString());
        const auto inventory = buildInventory(*model);
        for (const auto &w : inventory.weights) {
            if (!w.matrix)
                continue;
            const torch::Tensor m = matrixTensor(*model, w, torch::Device(torch::kCPU));
            QCOMPARE(m.size(0), w.matrix->rows);
            QCOMPARE(m.size(1), w.matrix->cols);
            QVERIFY(m.is_contiguous());
            const auto expected = readMatrix(*model, w);
            QCOMPARE(std::memcmp(m.data_ptr<float>(), expected.data(), expected.size() * 4), 0);
        }
    }

    void halfPrecisionIsConvertedAndTransposed()
    {
        // A GPT-2 Conv1D weight stored [in=2, out=3] in float16.
        const std::vector<uint16_t> half{floatToHalf(1), floatToHalf(2), floatToHalf(3),
                                         floatToHalf(4), floatToHalf(5), floatToHalf(-6)};
        QTemporaryDir dir;
        const std::string path = dir.filePath("gpt2.safetensors").toStdString();
        writeSafetensors(path, {{"h.0.attn.c_attn.weight", DType::F16, {2, 3}, std::as_bytes(std::span(half))},
                                {"h.0.ln_1.weight", DType::F16, {2}, std::as_bytes(std::span(half).first(2))}});
        const auto model = openCheckpoint(path);
        const auto inventory = buildInventory(*model);
        const torch::Tensor m = matrixTensor(*model, inventory.weights.front());
        QCOMPARE(m.scalar_type(), torch::kFloat32);
        QCOMPARE(m.sizes().vec(), (std::vector<int64_t>{3, 2}));
        QCOMPARE(m[0][1].item<float>(), 4.0f);
        QCOMPARE(m[2][1].item<float>(), -6.0f);
        QVERIFY_THROWS_EXCEPTION(FileError, matrixTensor(*model, inventory.weights.back())); // a norm vector
    }
};

QTEST_APPLESS_MAIN(TestTorchBridge)
#include "test_torch_bridge.moc"
