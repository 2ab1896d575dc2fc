extension Models {
    /// VGG (Simonyan & Zisserman 2015) in torchvision's names: `features` (3×3 convolutions
    /// with padding 1, optional batch norm, ReLU, and 2×2 max pooling after each stage),
    /// adaptive average pooling to 7×7, and `classifier` (25088 → 4096 → 4096 → classes with
    /// ReLU and dropout). Configurations A, B, D, E are VGG-11, 13, 16, 19.
    public final class VGG: Composite {
        public let features: Sequential
        public let avgpool = AdaptiveAvgPool([7, 7])
        public let classifier: Sequential

        /// Stage widths per depth; `0` marks a max pooling.
        static let configurations: [Int: [Int]] = [
            11: [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
            13: [64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0],
            16: [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0],
            19: [64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0],
        ]

        /// - Parameter depth: 11, 13, 16 or 19 (another value builds VGG-16).
        public init(depth: Int, batchNorm: Bool, classes: Int = 1000, dropout: Float = 0.5) {
            var layers: [Module] = []
            var channels = 3
            for width in Self.configurations[depth] ?? Self.configurations[16]! {
                if width == 0 {
                    layers.append(MaxPool2d(2, stride: 2))
                    continue
                }
                layers.append(Conv2d(channels, width, kernel: 3, padding: 1))
                if batchNorm { layers.append(BatchNorm2d(width)) }
                layers.append(ReLU())
                channels = width
            }
            features = Sequential(layers)
            classifier = Sequential {
                Linear(512 * 7 * 7, 4096); ReLU(); Dropout(dropout)
                Linear(4096, 4096); ReLU(); Dropout(dropout)
                Linear(4096, classes)
            }
            super.init()
            TorchvisionInitialization.apply(.vgg, to: self)
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("avgpool", avgpool), ("flatten", Flatten()), ("classifier", classifier)])
        }
    }
}
