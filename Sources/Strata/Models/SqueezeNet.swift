/// SqueezeNet's fire module: a 1×1 `squeeze` convolution, then 1×1 and 3×3 `expand`
/// convolutions side by side whose outputs are concatenated (each with ReLU).
public final class Fire: Composite {
    public let squeeze: Conv2d
    public let squeeze_activation = ReLU()
    public let expand1x1: Conv2d
    public let expand1x1_activation = ReLU()
    public let expand3x3: Conv2d
    public let expand3x3_activation = ReLU()

    public init(_ input: Int, squeeze: Int, expand1x1: Int, expand3x3: Int) {
        self.squeeze = Conv2d(input, squeeze, kernel: 1)
        self.expand1x1 = Conv2d(squeeze, expand1x1, kernel: 1)
        self.expand3x3 = Conv2d(squeeze, expand3x3, kernel: 3, padding: 1)
    }

    public override var body: Module {
        let expand = Concat([Sequential(named: [("expand1x1", expand1x1), ("expand1x1_activation", expand1x1_activation)]),
                             Sequential(named: [("expand3x3", expand3x3), ("expand3x3_activation", expand3x3_activation)])],
                            names: ["", ""])
        return Sequential(named: [("squeeze", squeeze), ("squeeze_activation", squeeze_activation), ("", expand)])
    }
}

extension Models {
    /// SqueezeNet (Iandola et al. 2016) 1.0 or 1.1 in torchvision's names: `features` (a
    /// strided convolution, max poolings in ceil mode and eight fire modules) and
    /// `classifier` (dropout, a 1×1 convolution to the classes, ReLU, global average
    /// pooling). 1,248,424 (1.0) or 1,235,496 (1.1) parameters for 1000 classes.
    public final class SqueezeNet: Composite {
        public let features: Sequential
        public let classifier: Sequential

        /// - Parameter version: `"1_0"` or `"1_1"`.
        public init(version: String = "1_1", classes: Int = 1000, dropout: Float = 0.5) {
            let pool = { MaxPool2d(3, stride: 2, ceilMode: true) }
            if version == "1_0" {
                features = Sequential {
                    Conv2d(3, 96, kernel: 7, stride: 2); ReLU(); pool()
                    Fire(96, squeeze: 16, expand1x1: 64, expand3x3: 64)
                    Fire(128, squeeze: 16, expand1x1: 64, expand3x3: 64)
                    Fire(128, squeeze: 32, expand1x1: 128, expand3x3: 128); pool()
                    Fire(256, squeeze: 32, expand1x1: 128, expand3x3: 128)
                    Fire(256, squeeze: 48, expand1x1: 192, expand3x3: 192)
                    Fire(384, squeeze: 48, expand1x1: 192, expand3x3: 192)
                    Fire(384, squeeze: 64, expand1x1: 256, expand3x3: 256); pool()
                    Fire(512, squeeze: 64, expand1x1: 256, expand3x3: 256)
                }
            } else {
                features = Sequential {
                    Conv2d(3, 64, kernel: 3, stride: 2); ReLU(); pool()
                    Fire(64, squeeze: 16, expand1x1: 64, expand3x3: 64)
                    Fire(128, squeeze: 16, expand1x1: 64, expand3x3: 64); pool()
                    Fire(128, squeeze: 32, expand1x1: 128, expand3x3: 128)
                    Fire(256, squeeze: 32, expand1x1: 128, expand3x3: 128); pool()
                    Fire(256, squeeze: 48, expand1x1: 192, expand3x3: 192)
                    Fire(384, squeeze: 48, expand1x1: 192, expand3x3: 192)
                    Fire(384, squeeze: 64, expand1x1: 256, expand3x3: 256)
                    Fire(512, squeeze: 64, expand1x1: 256, expand3x3: 256)
                }
            }
            let finalConvolution = Conv2d(512, classes, kernel: 1)
            classifier = Sequential { Dropout(dropout); finalConvolution; ReLU(); AdaptiveAvgPool([1, 1]) }
            super.init()
            TorchvisionInitialization.apply(.squeezenet(classifier: finalConvolution), to: self)
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("classifier", classifier), ("flatten", Flatten())])
        }
    }
}
