/// ResNet's basic block (ResNet-18/34): two 3×3 convolutions with batch norm, added to the
/// input (through a 1×1 convolution and batch norm, `downsample`, when the shape changes),
/// then ReLU. Names as torchvision's: `conv1`, `bn1`, `conv2`, `bn2`, `downsample.0/1`.
public final class BasicBlock: Composite {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let relu = ReLU()
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(_ input: Int, _ output: Int, stride: Int = 1) {
        conv1 = Conv2d(input, output, kernel: 3, stride: AxisValues(integerLiteral: stride), padding: 1, bias: false)
        bn1 = BatchNorm2d(output)
        conv2 = Conv2d(output, output, kernel: 3, padding: 1, bias: false)
        bn2 = BatchNorm2d(output)
        downsample = ResNetShortcut.projection(input, output, stride: stride)
    }

    public override var body: Module {
        let main = Sequential(named: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2)])
        return Sequential(named: [("", Residual(main, shortcut: downsample, mainName: "", shortcutName: "downsample")),
                                  ("relu", relu)])
    }
}

/// ResNet's bottleneck block (ResNet-50 and deeper): 1×1 reduce, 3×3 (with the stride and,
/// for ResNeXt, groups), 1×1 expand ×4, each with batch norm, added to the (projected)
/// input, then ReLU. The inner width is `planes·widthPerGroup/64·groups` as torchvision's.
public final class Bottleneck: Composite {
    public static let expansion = 4
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let relu = ReLU()
    public let downsample: Sequential?

    public init(_ input: Int, _ planes: Int, stride: Int = 1, groups: Int = 1, widthPerGroup: Int = 64) {
        let width = planes * widthPerGroup / 64 * groups
        let output = planes * Self.expansion
        conv1 = Conv2d(input, width, kernel: 1, bias: false)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, width, kernel: 3, stride: AxisValues(integerLiteral: stride), padding: 1, groups: groups, bias: false)
        bn2 = BatchNorm2d(width)
        conv3 = Conv2d(width, output, kernel: 1, bias: false)
        bn3 = BatchNorm2d(output)
        downsample = ResNetShortcut.projection(input, output, stride: stride)
    }

    public override var body: Module {
        let main = Sequential(named: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2),
                                      ("relu", relu), ("conv3", conv3), ("bn3", bn3)])
        return Sequential(named: [("", Residual(main, shortcut: downsample, mainName: "", shortcutName: "downsample")),
                                  ("relu", relu)])
    }
}

/// The 1×1 projection of a residual block's input when stride or width change.
enum ResNetShortcut {
    static func projection(_ input: Int, _ output: Int, stride: Int) -> Sequential? {
        guard stride != 1 || input != output else { return nil }
        return Sequential { Conv2d(input, output, kernel: 1, stride: AxisValues(integerLiteral: stride), bias: false); BatchNorm2d(output) }
    }
}

extension Models {
    /// ResNet (He et al. 2016) in torchvision's layout and names (`conv1`, `bn1`, `layer1…4`,
    /// `fc`), so torchvision state dicts load by name: a 7×7/2 stem, 3×3/2 max pooling, four
    /// stages of blocks (64, 128, 256, 512 channels; stride 2 from the second), global
    /// average pooling and a linear classifier. `groups`/`widthPerGroup` give ResNeXt and
    /// wide ResNets.
    public final class ResNet: Composite {
        public let conv1: Conv2d
        public let bn1: BatchNorm2d
        public let relu = ReLU()
        public let maxpool = MaxPool2d(3, stride: 2, padding: 1)
        public let layer1: Sequential
        public let layer2: Sequential
        public let layer3: Sequential
        public let layer4: Sequential
        public let avgpool = GlobalAvgPool()
        public let fc: Linear

        /// - Parameters:
        ///   - blocks: blocks per stage (`[2, 2, 2, 2]` for ResNet-18).
        ///   - bottleneck: bottleneck blocks (ResNet-50) instead of basic ones.
        ///   - groups, widthPerGroup: the bottleneck's grouped 3×3 convolution (ResNeXt-50 32×4d: 32, 4;
        ///     wide ResNet-50-2: 1, 128).
        public init(blocks: [Int], bottleneck: Bool, classes: Int = 1000, inputChannels: Int = 3,
                    groups: Int = 1, widthPerGroup: Int = 64) {
            conv1 = Conv2d(inputChannels, 64, kernel: 7, stride: 2, padding: 3, bias: false)
            bn1 = BatchNorm2d(64)
            var channels = 64
            var stages: [Sequential] = []
            for (index, (width, count)) in zip([64, 128, 256, 512], blocks).enumerated() {
                var layers: [Module] = []
                for block in 0..<count {
                    let stride = block == 0 && index > 0 ? 2 : 1
                    if bottleneck {
                        layers.append(Bottleneck(channels, width, stride: stride, groups: groups, widthPerGroup: widthPerGroup))
                        channels = width * Bottleneck.expansion
                    } else {
                        layers.append(BasicBlock(channels, width, stride: stride))
                        channels = width
                    }
                }
                stages.append(Sequential(layers))
            }
            (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
            fc = Linear(channels, classes)
            super.init()
            TorchvisionInitialization.apply(.resnet, to: self)
        }
    }

    /// ResNet-18: 11,689,512 parameters for 1000 classes (as torchvision's).
    public static func resnet18(classes: Int = 1000) -> ResNet { ResNet(blocks: [2, 2, 2, 2], bottleneck: false, classes: classes) }
    /// ResNet-34: 21,797,672 parameters for 1000 classes.
    public static func resnet34(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 4, 6, 3], bottleneck: false, classes: classes) }
    /// ResNet-50: 25,557,032 parameters for 1000 classes.
    public static func resnet50(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 4, 6, 3], bottleneck: true, classes: classes) }
    /// ResNet-101: 44,549,160 parameters for 1000 classes.
    public static func resnet101(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 4, 23, 3], bottleneck: true, classes: classes) }
    /// ResNet-152: 60,192,808 parameters for 1000 classes.
    public static func resnet152(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 8, 36, 3], bottleneck: true, classes: classes) }
}
