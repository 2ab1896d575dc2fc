/// GoogLeNet's inception block (torchvision's `Inception`): four branches concatenated —
/// 1×1; 1×1 then 3×3; 1×1 then 3×3 (torchvision's 3×3 where the paper has 5×5); 3×3 max
/// pooling then 1×1.
public final class InceptionBlock: Composite {
    public let branch1: BasicConv2d
    public let branch2: Sequential
    public let branch3: Sequential
    public let branch4: Sequential

    public init(_ input: Int, _ ch1x1: Int, _ ch3x3reduce: Int, _ ch3x3: Int, _ ch5x5reduce: Int, _ ch5x5: Int, _ poolProjection: Int) {
        branch1 = BasicConv2d(input, ch1x1, kernel: 1)
        branch2 = Sequential { BasicConv2d(input, ch3x3reduce, kernel: 1); BasicConv2d(ch3x3reduce, ch3x3, kernel: 3, padding: 1) }
        branch3 = Sequential { BasicConv2d(input, ch5x5reduce, kernel: 1); BasicConv2d(ch5x5reduce, ch5x5, kernel: 3, padding: 1) }
        branch4 = Sequential { MaxPool2d(3, stride: 1, padding: 1, ceilMode: true); BasicConv2d(input, poolProjection, kernel: 1) }
    }

    public override var body: Module {
        Concat([branch1, branch2, branch3, branch4], names: ["branch1", "branch2", "branch3", "branch4"])
    }
}

/// GoogLeNet's auxiliary classifier (used in training only): 4×4 adaptive average
/// pooling, a 1×1 `conv` to 128 channels, `fc1` (2048 → 1024) with ReLU, dropout, `fc2`.
public final class InceptionAuxiliary: Composite {
    public let conv: BasicConv2d
    public let fc1: Linear
    public let fc2: Linear
    public let dropout: Dropout

    public init(_ input: Int, classes: Int, dropout: Float = 0.7) {
        conv = BasicConv2d(input, 128, kernel: 1)
        fc1 = Linear(2048, 1024)
        fc2 = Linear(1024, classes)
        self.dropout = Dropout(dropout)
    }

    public override var body: Module {
        Sequential(named: [("avgpool", AdaptiveAvgPool([4, 4])), ("conv", conv), ("flatten", Flatten()), ("fc1", fc1),
                           ("relu", ReLU()), ("dropout", dropout), ("fc2", fc2)])
    }
}

/// The input scaling of torchvision's GoogLeNet and Inception v3 with `transform_input`:
/// from ImageNet-normalised values to the `(x − 0.5)/0.5` scaling Google's weights expect.
enum GoogleInputTransform {
    static func make() -> ChannelAffine {
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        return ChannelAffine(scale: std.map { $0 / 0.5 }, shift: mean.map { ($0 - 0.5) / 0.5 })
    }
}

extension Models {
    /// GoogLeNet (Szegedy et al. 2015) in torchvision's names: a 7×7/2 stem, max poolings in
    /// ceil mode, nine inception blocks (`inception3a` … `inception5b`), global average
    /// pooling, dropout, `fc`. 6,624,904 parameters for 1000 classes without the auxiliary
    /// classifiers `aux1`/`aux2` (13,004,888 with them; they load and save with the state
    /// dict but do not run: in evaluation torchvision ignores them too).
    public final class GoogLeNet: Composite {
        public let conv1 = BasicConv2d(3, 64, kernel: 7, stride: 2, padding: 3)
        public let maxpool1 = MaxPool2d(3, stride: 2, ceilMode: true)
        public let conv2 = BasicConv2d(64, 64, kernel: 1)
        public let conv3 = BasicConv2d(64, 192, kernel: 3, padding: 1)
        public let maxpool2 = MaxPool2d(3, stride: 2, ceilMode: true)
        public let inception3a = InceptionBlock(192, 64, 96, 128, 16, 32, 32)
        public let inception3b = InceptionBlock(256, 128, 128, 192, 32, 96, 64)
        public let maxpool3 = MaxPool2d(3, stride: 2, ceilMode: true)
        public let inception4a = InceptionBlock(480, 192, 96, 208, 16, 48, 64)
        public let inception4b = InceptionBlock(512, 160, 112, 224, 24, 64, 64)
        public let inception4c = InceptionBlock(512, 128, 128, 256, 24, 64, 64)
        public let inception4d = InceptionBlock(512, 112, 144, 288, 32, 64, 64)
        public let inception4e = InceptionBlock(528, 256, 160, 320, 32, 128, 128)
        public let maxpool4 = MaxPool2d(2, stride: 2, ceilMode: true)
        public let inception5a = InceptionBlock(832, 256, 160, 320, 32, 128, 128)
        public let inception5b = InceptionBlock(832, 384, 192, 384, 48, 128, 128)
        public let aux1: InceptionAuxiliary?
        public let aux2: InceptionAuxiliary?
        public let avgpool = GlobalAvgPool()
        public let dropout: Dropout
        public let fc: Linear
        /// Whether inputs are rescaled from ImageNet normalisation (torchvision's `transform_input`).
        public let transformInput: Bool

        public init(classes: Int = 1000, auxiliaryClassifiers: Bool = false, transformInput: Bool = false,
                    dropout: Float = 0.2, auxiliaryDropout: Float = 0.7) {
            aux1 = auxiliaryClassifiers ? InceptionAuxiliary(512, classes: classes, dropout: auxiliaryDropout) : nil
            aux2 = auxiliaryClassifiers ? InceptionAuxiliary(528, classes: classes, dropout: auxiliaryDropout) : nil
            self.dropout = Dropout(dropout)
            fc = Linear(1024, classes)
            self.transformInput = transformInput
            super.init()
            TorchvisionInitialization.apply(.truncatedNormal(std: 0.01, overrides: [:]), to: self)
        }

        public override var body: Module {
            let stages = namedChildren.filter { !["aux1", "aux2"].contains($0.0) }
            return Sequential(named: (transformInput ? [("transform_input", GoogleInputTransform.make())] : []) + stages)
        }
    }
}
