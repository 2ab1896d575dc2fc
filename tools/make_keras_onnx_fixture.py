#!/usr/bin/env python3
"""A small CNN built and exported to ONNX by Keras 3 (PyTorch backend), for the importer's test:
channels-last input (N×28×28×1, so the graph opens with a Transpose), 'same' and 'valid'
convolutions, max pooling, batch normalisation, global average pooling and a dense softmax head.

Writes Tests/Fixtures/onnx/keras/small_cnn.onnx (weights inside, seeded), input.npy (4 samples) and
output.npy (Keras's predictions for them).

    pip install torch==2.13.0 keras==3.15.1 onnx==1.22.0 onnxscript && KERAS_BACKEND=torch python3 tools/make_keras_onnx_fixture.py
"""
import os
import sys
import types

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "onnx", "keras")


def main():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(16, 3, padding="valid"),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    # batch norm with statistics that are not the identity
    bn = model.layers[3]
    rng = np.random.default_rng(0)
    bn.set_weights([1 + 0.1 * rng.standard_normal(16), 0.1 * rng.standard_normal(16),
                    0.1 * rng.standard_normal(16), 1 + rng.random(16)])
    x = rng.standard_normal((4, 28, 28, 1)).astype(np.float32)
    y = model.predict(x, verbose=0)
    os.makedirs(OUT, exist_ok=True)
    model.export(os.path.join(OUT, "small_cnn.onnx"), format="onnx")
    np.save(os.path.join(OUT, "input.npy"), x)
    np.save(os.path.join(OUT, "output.npy"), y.astype(np.float32))
    print("keras", keras.__version__, "output", y.shape)


if __name__ == "__main__":
    main()
