/// ResNet's basic block (ResNet-18/34): two 3×3 convolutions with batch norm, added to the
/// input (through a 1×1 convolution and batch norm, `downsample`, when the shape changes),
/// then ReLU. Names as torchvision's: `conv1`, `bn1`, `conv2`, `bn2`, `downsample.0/1`.
public final class BasicBlock: Module {
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
        downsample = stride != 1 || input != output
            ? Sequential { Conv2d(input, output, kernel: 1, stride: AxisValues(integerLiteral: stride), bias: false); BatchNorm2d(output) }
            : nil
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        let branch = try bn2(try conv2(try relu(try bn1(try conv1(input)))))
        return try relu(try branch + (try downsample?(input) ?? input))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try ResidualShapes.check(main: [conv1, bn1, relu, conv2, bn2], shortcut: downsample, input: input)
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        try ResidualShapes.summarize(main: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2)],
                                     shortcut: downsample, after: relu, rows: &rows, path: path, flow: flow)
    }
}

/// ResNet's bottleneck block (ResNet-50 and deeper): 1×1 reduce, 3×3 (with the stride),
/// 1×1 expand ×4, each with batch norm, added to the (projected) input, then ReLU.
public final class Bottleneck: Module {
    public static let expansion = 4
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let relu = ReLU()
    public let downsample: Sequential?

    public init(_ input: Int, _ width: Int, stride: Int = 1) {
        let output = width * Self.expansion
        conv1 = Conv2d(input, width, kernel: 1, bias: false)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, width, kernel: 3, stride: AxisValues(integerLiteral: stride), padding: 1, bias: false)
        bn2 = BatchNorm2d(width)
        conv3 = Conv2d(width, output, kernel: 1, bias: false)
        bn3 = BatchNorm2d(output)
        downsample = stride != 1 || input != output
            ? Sequential { Conv2d(input, output, kernel: 1, stride: AxisValues(integerLiteral: stride), bias: false); BatchNorm2d(output) }
            : nil
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        var branch = try relu(try bn1(try conv1(input)))
        branch = try relu(try bn2(try conv2(branch)))
        branch = try bn3(try conv3(branch))
        return try relu(try branch + (try downsample?(input) ?? input))
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        try ResidualShapes.check(main: [conv1, bn1, relu, conv2, bn2, relu, conv3, bn3], shortcut: downsample, input: input)
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        try ResidualShapes.summarize(main: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2),
                                            ("relu", relu), ("conv3", conv3), ("bn3", bn3)],
                                     shortcut: downsample, after: relu, rows: &rows, path: path, flow: flow)
    }
}

/// Shapes and summary rows of a residual block: a main path and a shortcut that must
/// agree, then a point-wise layer after the sum.
enum ResidualShapes {
    static func check(main: [Module], shortcut: Module?, input: [Int]) throws(StrataError) -> [Int] {
        var shape = input
        for layer in main { shape = try layer.outputShape(for: shape) }
        let skip = try shortcut?.outputShape(for: input) ?? input
        guard shape == skip else {
            throw .shapeMismatch(op: "residual block", message: "the main path gives \(ShapeNotation.describe(shape)) but the shortcut \(ShapeNotation.describe(skip))")
        }
        return shape
    }

    static func summarize(main: [(String, Module)], shortcut: Module?, after: Module, rows: inout [SummaryRow],
                          path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let prefix = path.isEmpty ? "" : path + "."
        var current = flow
        for (name, layer) in main { current = try layer.summarize(into: &rows, path: prefix + name, flow: current) }
        let skip = try shortcut?.summarize(into: &rows, path: prefix + "downsample", flow: flow) ?? flow
        guard current.shape == skip.shape else {
            throw .shapeMismatch(op: "summary", message: "layer \(path): the main path gives \(ShapeNotation.describe(current.shape)) but the shortcut \(ShapeNotation.describe(skip.shape))")
        }
        return try after.summarize(into: &rows, path: prefix + "relu", flow: current.merged(with: skip, shape: current.shape))
    }
}

extension Models {
    /// ResNet (He et al. 2016) in torchvision's layout and names (`conv1`, `bn1`, `layer1…4`,
    /// `fc`), so torchvision state dicts load by name: a 7×7/2 stem, 3×3/2 max pooling, four
    /// stages of blocks (64, 128, 256, 512 channels; stride 2 from the second), global
    /// average pooling and a linear classifier.
    public final class ResNet: Module {
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
        public init(blocks: [Int], bottleneck: Bool, classes: Int = 1000, inputChannels: Int = 3) {
            conv1 = Conv2d(inputChannels, 64, kernel: 7, stride: 2, padding: 3, bias: false)
            bn1 = BatchNorm2d(64)
            var channels = 64
            var stages: [Sequential] = []
            for (index, (width, count)) in zip([64, 128, 256, 512], blocks).enumerated() {
                var layers: [Module] = []
                for block in 0..<count {
                    let stride = block == 0 && index > 0 ? 2 : 1
                    if bottleneck {
                        layers.append(Bottleneck(channels, width, stride: stride))
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
        }

        /// The stages in order, as the `Sequential` that runs, shapes and summarises them
        /// (built on demand, so it adds no level to the state-dict names).
        private var body: Sequential {
            Sequential(named: [("conv1", conv1), ("bn1", bn1), ("relu", relu), ("maxpool", maxpool), ("layer1", layer1),
                               ("layer2", layer2), ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool), ("fc", fc)])
        }

        public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { try body(input) }

        public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] { try body.outputShape(for: input) }

        public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
            try body.summarize(into: &rows, path: path, flow: flow)
        }
    }

    /// ResNet-18: 11,689,512 parameters for 1000 classes (as torchvision's).
    public static func resnet18(classes: Int = 1000) -> ResNet { ResNet(blocks: [2, 2, 2, 2], bottleneck: false, classes: classes) }
    /// ResNet-34: 21,797,672 parameters for 1000 classes.
    public static func resnet34(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 4, 6, 3], bottleneck: false, classes: classes) }
    /// ResNet-50: 25,557,032 parameters for 1000 classes.
    public static func resnet50(classes: Int = 1000) -> ResNet { ResNet(blocks: [3, 4, 6, 3], bottleneck: true, classes: classes) }
}
