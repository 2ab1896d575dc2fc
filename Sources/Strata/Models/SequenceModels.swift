extension Models {
    /// The fully convolutional network of Wang et al. (2017) for time-series
    /// classification: `Conv1d 128 k8`, `256 k5`, `128 k3`, each with `same` padding, batch
    /// norm and ReLU, then global average pooling over time and a linear classifier.
    public static func fcn(channels: Int, classes: Int) -> Sequential {
        Sequential {
            for (input, output, kernel) in [(channels, 128, 8), (128, 256, 5), (256, 128, 3)] {
                Conv1d(input, output, kernel: kernel, padding: .same)
                BatchNorm1d(output)
                ReLU()
            }
            GlobalAvgPool()
            Linear(128, classes)
        }
    }

    /// A 1-D CNN classifier with a growing receptive field: `Conv1d k3` blocks (batch norm,
    /// ReLU) with dilation 1, 2, 4, 8 and `same` padding, global average pooling, linear.
    public static func sequenceCNN(channels: Int, classes: Int, width: Int = 64) -> Sequential {
        Sequential {
            Conv1d(channels, width, kernel: 7, padding: .same)
            BatchNorm1d(width)
            ReLU()
            for dilation in [1, 2, 4, 8] {
                Conv1d(width, width, kernel: 3, padding: .same, dilation: dilation)
                BatchNorm1d(width)
                ReLU()
            }
            GlobalAvgPool()
            Linear(width, classes)
        }
    }

    /// A small 1-D CNN forecaster for windows `channels@frame`: two `Conv1d 32 k3` layers
    /// (`same` padding, ReLU), flattened, and a linear layer to `outputs` values.
    public static func forecaster(channels: Int, frame: Int, outputs: Int) -> Sequential {
        Sequential {
            Conv1d(channels, 32, kernel: 3, padding: .same)
            ReLU()
            Conv1d(32, 32, kernel: 3, padding: .same)
            ReLU()
            Flatten()
            Linear(32 * frame, outputs)
        }
    }
}

extension Models {
    /// A multilayer perceptron for feature vectors: `Linear(inputs, hidden)`, ReLU, and a
    /// linear classifier.
    public static func mlp(inputs: Int, hidden: Int = 64, classes: Int) -> Sequential {
        Sequential { Linear(inputs, hidden); ReLU(); Linear(hidden, classes) }
    }
}
