extension Models {
    /// The pretrained MNIST CNN of `digit-recognizer-py` (`shared/data/pretrained`), with
    /// its PyTorch names: `conv_layers.{0,3,6}` (3×3 convolutions to 32, 64, 128 channels,
    /// each with ReLU and 2×2 max pooling), `fc_layers.{0,2}` (1152 → 256 → 10).
    public static func digitRecognizerCNN() -> Sequential {
        Sequential(named: [
            ("conv_layers", Sequential {
                Conv2d(1, 32, kernel: 3, padding: 1); ReLU(); MaxPool2d(2)
                Conv2d(32, 64, kernel: 3, padding: 1); ReLU(); MaxPool2d(2)
                Conv2d(64, 128, kernel: 3, padding: 1); ReLU(); MaxPool2d(2)
            }),
            ("flatten", Flatten()),
            ("fc_layers", Sequential { Linear(1152, 256); ReLU(); Linear(256, 10) }),
        ])
    }

    /// A small CNN for the 8×8 digits: two 3×3 convolution blocks (BN, ReLU), pooling to
    /// 4×4, dropout and a linear classifier.
    public static func digitsCNN(classes: Int = 10) -> Sequential {
        Sequential {
            Conv2d(1, 32, kernel: 3, padding: 1); BatchNorm2d(32); ReLU()
            Conv2d(32, 64, kernel: 3, padding: 1); BatchNorm2d(64); ReLU()
            MaxPool2d(2)
            Flatten()
            Dropout(0.25)
            Linear(64 * 4 * 4, classes)
        }
    }

    /// Strata's default for 28×28 digits: two 3×3 convolution blocks (32 and 64 channels,
    /// batch norm, ReLU, 2×2 max pooling), dropout, a 128-unit hidden layer and the
    /// classifier; 421,834 parameters. With one-cycle Adam it passes 99% on MNIST within
    /// three epochs.
    public static func mnistCNN(classes: Int = 10) -> Sequential {
        Sequential {
            Conv2d(1, 32, kernel: 3, padding: 1); BatchNorm2d(32); ReLU(); MaxPool2d(2)
            Conv2d(32, 64, kernel: 3, padding: 1); BatchNorm2d(64); ReLU(); MaxPool2d(2)
            Flatten()
            Dropout(0.25)
            Linear(64 * 7 * 7, 128); ReLU()
            Dropout(0.25)
            Linear(128, classes)
        }
    }
}
