/// Xception's block (timm's `legacy_xception` `Block`): `reps` × (ReLU, 3×3 separable
/// convolution, batch norm) in `rep` — the first ReLU left out at the network's entry —
/// then 3×3/2 max pooling when strided; added to the input, through a 1×1 `skip`
/// convolution and `skipbn` when the shape changes.
public final class XceptionBlock: Composite {
    public let skip: Conv2d?
    public let skipbn: BatchNorm2d?
    public let rep: Sequential

    public init(_ input: Int, _ output: Int, reps: Int, stride: Int = 1, startWithReLU: Bool = true, growFirst: Bool = true) {
        if output != input || stride != 1 {
            skip = Conv2d(input, output, kernel: 1, stride: AxisValues(integerLiteral: stride), bias: false)
            skipbn = BatchNorm2d(output)
        } else {
            (skip, skipbn) = (nil, nil)
        }
        var layers: [Module] = []
        for index in 0..<reps {
            let (from, to) = growFirst ? (index == 0 ? input : output, output) : (input, index < reps - 1 ? input : output)
            layers += [ReLU(), SeparableConv2d(from, to, kernel: 3, padding: 1), BatchNorm2d(to)]
        }
        if !startWithReLU { layers.removeFirst() }
        if stride != 1 { layers.append(MaxPool2d(3, stride: AxisValues(integerLiteral: stride), padding: 1)) }
        rep = Sequential(layers)
    }

    public override var body: Module {
        let shortcut = skip.map { Sequential(named: [("skip", $0), ("skipbn", skipbn ?? Identity())]) }
        return Residual(rep, shortcut: shortcut, mainName: "rep", shortcutName: "")
    }
}

extension Models {
    /// Xception (Chollet 2017) in timm's `legacy_xception` layout and names: entry flow
    /// (`conv1`, `conv2`, `block1`–`block3`), middle flow (`block4`–`block11`, 728 channels),
    /// exit flow (`block12`, separable `conv3` → 1536 and `conv4` → 2048), global average
    /// pooling, `fc`. 22,855,952 parameters for 1000 classes; input 3@299×299.
    public final class Xception: Composite {
        public let conv1 = Conv2d(3, 32, kernel: 3, stride: 2, bias: false)
        public let bn1 = BatchNorm2d(32)
        public let act1 = ReLU()
        public let conv2 = Conv2d(32, 64, kernel: 3, bias: false)
        public let bn2 = BatchNorm2d(64)
        public let act2 = ReLU()
        public let block1 = XceptionBlock(64, 128, reps: 2, stride: 2, startWithReLU: false)
        public let block2 = XceptionBlock(128, 256, reps: 2, stride: 2)
        public let block3 = XceptionBlock(256, 728, reps: 2, stride: 2)
        public let block4 = XceptionBlock(728, 728, reps: 3)
        public let block5 = XceptionBlock(728, 728, reps: 3)
        public let block6 = XceptionBlock(728, 728, reps: 3)
        public let block7 = XceptionBlock(728, 728, reps: 3)
        public let block8 = XceptionBlock(728, 728, reps: 3)
        public let block9 = XceptionBlock(728, 728, reps: 3)
        public let block10 = XceptionBlock(728, 728, reps: 3)
        public let block11 = XceptionBlock(728, 728, reps: 3)
        public let block12 = XceptionBlock(728, 1024, reps: 2, stride: 2, growFirst: false)
        public let conv3 = SeparableConv2d(1024, 1536, kernel: 3, padding: 1)
        public let bn3 = BatchNorm2d(1536)
        public let act3 = ReLU()
        public let conv4 = SeparableConv2d(1536, 2048, kernel: 3, padding: 1)
        public let bn4 = BatchNorm2d(2048)
        public let act4 = ReLU()
        public let global_pool = GlobalAvgPool()
        public let fc: Linear

        public init(classes: Int = 1000) {
            fc = Linear(2048, classes)
            super.init()
            TorchvisionInitialization.apply(.resnet, to: self)
        }
    }
}
