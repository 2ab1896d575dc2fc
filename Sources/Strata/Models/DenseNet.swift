/// One layer of a dense block (torchvision's `_DenseLayer`): batch norm, ReLU, a 1×1
/// bottleneck to `bottleneck·growth` channels, batch norm, ReLU, a 3×3 convolution to
/// `growth` channels — whose output is concatenated to its input, so every later layer
/// sees every earlier one.
public final class DenseLayer: Composite {
    public let norm1: BatchNorm2d
    public let relu1 = ReLU()
    public let conv1: Conv2d
    public let norm2: BatchNorm2d
    public let relu2 = ReLU()
    public let conv2: Conv2d
    public let dropout: Dropout?

    public init(_ input: Int, growth: Int, bottleneck: Int, dropRate: Float = 0) {
        norm1 = BatchNorm2d(input)
        conv1 = Conv2d(input, bottleneck * growth, kernel: 1, bias: false)
        norm2 = BatchNorm2d(bottleneck * growth)
        conv2 = Conv2d(bottleneck * growth, growth, kernel: 3, padding: 1, bias: false)
        dropout = dropRate > 0 ? Dropout(dropRate) : nil
    }

    public override var body: Module {
        var layers: [(String, Module)] = [("norm1", norm1), ("relu1", relu1), ("conv1", conv1), ("norm2", norm2),
                                          ("relu2", relu2), ("conv2", conv2)]
        if let dropout { layers.append(("dropout", dropout)) }
        return Concat([Identity(), Sequential(named: layers)], names: ["", ""])
    }
}

extension Models {
    /// DenseNet (Huang et al. 2017) in torchvision's names: `features` (`conv0`, `norm0`,
    /// `relu0`, `pool0`, dense blocks `denseblockN` of `denselayerM`, transitions
    /// `transitionN` that halve channels and size, `norm5`), ReLU, global average pooling,
    /// `classifier`. DenseNet-121: growth 32, blocks 6-12-24-16, 7,978,856 parameters.
    public final class DenseNet: Composite {
        public let features: Sequential
        public let classifier: Linear

        public init(growth: Int = 32, blocks: [Int] = [6, 12, 24, 16], initialFeatures: Int = 64, bottleneck: Int = 4,
                    dropRate: Float = 0, classes: Int = 1000) {
            var stages: [(String, Module)] = [
                ("conv0", Conv2d(3, initialFeatures, kernel: 7, stride: 2, padding: 3, bias: false)),
                ("norm0", BatchNorm2d(initialFeatures)), ("relu0", ReLU()), ("pool0", MaxPool2d(3, stride: 2, padding: 1)),
            ]
            var channels = initialFeatures
            for (index, count) in blocks.enumerated() {
                var layers: [(String, Module)] = []
                for layer in 0..<count {
                    layers.append(("denselayer\(layer + 1)", DenseLayer(channels + layer * growth, growth: growth,
                                                                       bottleneck: bottleneck, dropRate: dropRate)))
                }
                stages.append(("denseblock\(index + 1)", Sequential(named: layers)))
                channels += count * growth
                if index < blocks.count - 1 {
                    stages.append(("transition\(index + 1)", Sequential(named: [
                        ("norm", BatchNorm2d(channels)), ("relu", ReLU()),
                        ("conv", Conv2d(channels, channels / 2, kernel: 1, bias: false)), ("pool", AvgPool2d(2, stride: 2)),
                    ])))
                    channels /= 2
                }
            }
            stages.append(("norm5", BatchNorm2d(channels)))
            features = Sequential(named: stages)
            classifier = Linear(channels, classes)
            super.init()
            TorchvisionInitialization.apply(.densenet, to: self)
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("relu", ReLU()), ("avgpool", GlobalAvgPool()), ("classifier", classifier)])
        }
    }
}
