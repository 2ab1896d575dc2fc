/// The branches of Inception v3's mixed blocks, by torchvision's names, each a chain of
/// `BasicConv2d`s (an average or max pooling where torchvision pools functionally).
private func chain(_ parts: [(String, Module)]) -> Sequential { Sequential(named: parts) }

/// Inception v3's 35×35 block (torchvision's `InceptionA`): 1×1; 1×1 → 5×5; 1×1 → 3×3 → 3×3;
/// 3×3 average pooling → 1×1 (`pool_features` channels).
public final class InceptionA: Composite {
    public let branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool: BasicConv2d

    public init(_ input: Int, poolFeatures: Int) {
        branch1x1 = BasicConv2d(input, 64, kernel: 1)
        branch5x5_1 = BasicConv2d(input, 48, kernel: 1)
        branch5x5_2 = BasicConv2d(48, 64, kernel: 5, padding: 2)
        branch3x3dbl_1 = BasicConv2d(input, 64, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = BasicConv2d(96, 96, kernel: 3, padding: 1)
        branch_pool = BasicConv2d(input, poolFeatures, kernel: 1)
    }

    public override var body: Module {
        Concat([chain([("branch1x1", branch1x1)]),
                chain([("branch5x5_1", branch5x5_1), ("branch5x5_2", branch5x5_2)]),
                chain([("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2), ("branch3x3dbl_3", branch3x3dbl_3)]),
                chain([("branch_pool_avg", AvgPool2d(3, stride: 1, padding: 1)), ("branch_pool", branch_pool)])],
               names: ["", "", "", ""])
    }
}

/// Inception v3's grid reduction 35 → 17 (`InceptionB`): 3×3/2; 1×1 → 3×3 → 3×3/2; 3×3/2 max pooling.
public final class InceptionB: Composite {
    public let branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3: BasicConv2d

    public init(_ input: Int) {
        branch3x3 = BasicConv2d(input, 384, kernel: 3, stride: 2)
        branch3x3dbl_1 = BasicConv2d(input, 64, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = BasicConv2d(96, 96, kernel: 3, stride: 2)
    }

    public override var body: Module {
        Concat([chain([("branch3x3", branch3x3)]),
                chain([("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2), ("branch3x3dbl_3", branch3x3dbl_3)]),
                chain([("branch_pool", MaxPool2d(3, stride: 2))])],
               names: ["", "", ""])
    }
}

/// Inception v3's 17×17 block with factorised 7×7 convolutions (`InceptionC`).
public final class InceptionC: Composite {
    public let branch1x1, branch7x7_1, branch7x7_2, branch7x7_3: BasicConv2d
    public let branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool: BasicConv2d

    public init(_ input: Int, channels7x7 c7: Int) {
        let row = { (i: Int, o: Int) in BasicConv2d(i, o, kernel: [1, 7], padding: [0, 3]) }
        let column = { (i: Int, o: Int) in BasicConv2d(i, o, kernel: [7, 1], padding: [3, 0]) }
        branch1x1 = BasicConv2d(input, 192, kernel: 1)
        branch7x7_1 = BasicConv2d(input, c7, kernel: 1)
        branch7x7_2 = row(c7, c7)
        branch7x7_3 = column(c7, 192)
        branch7x7dbl_1 = BasicConv2d(input, c7, kernel: 1)
        branch7x7dbl_2 = column(c7, c7)
        branch7x7dbl_3 = row(c7, c7)
        branch7x7dbl_4 = column(c7, c7)
        branch7x7dbl_5 = row(c7, 192)
        branch_pool = BasicConv2d(input, 192, kernel: 1)
    }

    public override var body: Module {
        Concat([chain([("branch1x1", branch1x1)]),
                chain([("branch7x7_1", branch7x7_1), ("branch7x7_2", branch7x7_2), ("branch7x7_3", branch7x7_3)]),
                chain([("branch7x7dbl_1", branch7x7dbl_1), ("branch7x7dbl_2", branch7x7dbl_2), ("branch7x7dbl_3", branch7x7dbl_3),
                       ("branch7x7dbl_4", branch7x7dbl_4), ("branch7x7dbl_5", branch7x7dbl_5)]),
                chain([("branch_pool_avg", AvgPool2d(3, stride: 1, padding: 1)), ("branch_pool", branch_pool)])],
               names: ["", "", "", ""])
    }
}

/// Inception v3's grid reduction 17 → 8 (`InceptionD`).
public final class InceptionD: Composite {
    public let branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4: BasicConv2d

    public init(_ input: Int) {
        branch3x3_1 = BasicConv2d(input, 192, kernel: 1)
        branch3x3_2 = BasicConv2d(192, 320, kernel: 3, stride: 2)
        branch7x7x3_1 = BasicConv2d(input, 192, kernel: 1)
        branch7x7x3_2 = BasicConv2d(192, 192, kernel: [1, 7], padding: [0, 3])
        branch7x7x3_3 = BasicConv2d(192, 192, kernel: [7, 1], padding: [3, 0])
        branch7x7x3_4 = BasicConv2d(192, 192, kernel: 3, stride: 2)
    }

    public override var body: Module {
        Concat([chain([("branch3x3_1", branch3x3_1), ("branch3x3_2", branch3x3_2)]),
                chain([("branch7x7x3_1", branch7x7x3_1), ("branch7x7x3_2", branch7x7x3_2), ("branch7x7x3_3", branch7x7x3_3),
                       ("branch7x7x3_4", branch7x7x3_4)]),
                chain([("branch_pool", MaxPool2d(3, stride: 2))])],
               names: ["", "", ""])
    }
}

/// Inception v3's 8×8 block with split 1×3/3×1 branches (`InceptionE`).
public final class InceptionE: Composite {
    public let branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b: BasicConv2d
    public let branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool: BasicConv2d

    public init(_ input: Int) {
        branch1x1 = BasicConv2d(input, 320, kernel: 1)
        branch3x3_1 = BasicConv2d(input, 384, kernel: 1)
        branch3x3_2a = BasicConv2d(384, 384, kernel: [1, 3], padding: [0, 1])
        branch3x3_2b = BasicConv2d(384, 384, kernel: [3, 1], padding: [1, 0])
        branch3x3dbl_1 = BasicConv2d(input, 448, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(448, 384, kernel: 3, padding: 1)
        branch3x3dbl_3a = BasicConv2d(384, 384, kernel: [1, 3], padding: [0, 1])
        branch3x3dbl_3b = BasicConv2d(384, 384, kernel: [3, 1], padding: [1, 0])
        branch_pool = BasicConv2d(input, 192, kernel: 1)
    }

    public override var body: Module {
        Concat([chain([("branch1x1", branch1x1)]),
                chain([("branch3x3_1", branch3x3_1),
                       ("", Concat([branch3x3_2a, branch3x3_2b], names: ["branch3x3_2a", "branch3x3_2b"]))]),
                chain([("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2),
                       ("", Concat([branch3x3dbl_3a, branch3x3dbl_3b], names: ["branch3x3dbl_3a", "branch3x3dbl_3b"]))]),
                chain([("branch_pool_avg", AvgPool2d(3, stride: 1, padding: 1)), ("branch_pool", branch_pool)])],
               names: ["", "", "", ""])
    }
}

/// Inception v3's auxiliary classifier (training only): 5×5/3 average pooling, `conv0`
/// (1×1 → 128), `conv1` (5×5 → 768), global average pooling, `fc`.
public final class InceptionV3Auxiliary: Composite {
    public let conv0: BasicConv2d
    public let conv1: BasicConv2d
    public let fc: Linear

    public init(_ input: Int, classes: Int) {
        conv0 = BasicConv2d(input, 128, kernel: 1)
        conv1 = BasicConv2d(128, 768, kernel: 5)
        fc = Linear(768, classes)
    }

    public override var body: Module {
        Sequential(named: [("avgpool", AvgPool2d(5, stride: 3)), ("conv0", conv0), ("conv1", conv1),
                           ("pool", GlobalAvgPool()), ("fc", fc)])
    }
}

extension Models {
    /// Inception v3 (Szegedy et al. 2016) in torchvision's names (`Conv2d_1a_3x3` …
    /// `Mixed_7c`, `fc`); input 3@299×299 (75×75 at least). 23,834,568 parameters for 1000
    /// classes without the auxiliary classifier `AuxLogits` (27,161,264 with it; it loads
    /// and saves but does not run, as in torchvision's evaluation mode).
    public final class InceptionV3: Composite {
        public let Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel: 3, stride: 2)
        public let Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel: 3)
        public let Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel: 3, padding: 1)
        public let maxpool1 = MaxPool2d(3, stride: 2)
        public let Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel: 1)
        public let Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel: 3)
        public let maxpool2 = MaxPool2d(3, stride: 2)
        public let Mixed_5b = InceptionA(192, poolFeatures: 32)
        public let Mixed_5c = InceptionA(256, poolFeatures: 64)
        public let Mixed_5d = InceptionA(288, poolFeatures: 64)
        public let Mixed_6a = InceptionB(288)
        public let Mixed_6b = InceptionC(768, channels7x7: 128)
        public let Mixed_6c = InceptionC(768, channels7x7: 160)
        public let Mixed_6d = InceptionC(768, channels7x7: 160)
        public let Mixed_6e = InceptionC(768, channels7x7: 192)
        public let AuxLogits: InceptionV3Auxiliary?
        public let Mixed_7a = InceptionD(768)
        public let Mixed_7b = InceptionE(1280)
        public let Mixed_7c = InceptionE(2048)
        public let avgpool = GlobalAvgPool()
        public let dropout: Dropout
        public let fc: Linear
        /// Whether inputs are rescaled from ImageNet normalisation (torchvision's `transform_input`).
        public let transformInput: Bool

        public init(classes: Int = 1000, auxiliaryClassifier: Bool = false, transformInput: Bool = false, dropout: Float = 0.5) {
            AuxLogits = auxiliaryClassifier ? InceptionV3Auxiliary(768, classes: classes) : nil
            self.dropout = Dropout(dropout)
            fc = Linear(2048, classes)
            self.transformInput = transformInput
            super.init()
            var overrides: [ObjectIdentifier: Float] = [:]
            if let auxiliary = AuxLogits {
                overrides[ObjectIdentifier(auxiliary.conv1.conv)] = 0.01
                overrides[ObjectIdentifier(auxiliary.fc)] = 0.001
            }
            TorchvisionInitialization.apply(.truncatedNormal(std: 0.1, overrides: overrides), to: self)
        }

        public override var body: Module {
            let stages = namedChildren.filter { $0.0 != "AuxLogits" }
            return Sequential(named: (transformInput ? [("transform_input", GoogleInputTransform.make())] : []) + stages)
        }
    }
}
