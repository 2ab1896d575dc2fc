/// MobileNetV2's inverted residual: a 1×1 expansion (unless the ratio is 1), a 3×3
/// depthwise convolution (with the stride), each with batch norm and ReLU6, then a linear
/// 1×1 projection with batch norm; the input is added when stride is 1 and the width
/// stays. torchvision's names: `conv.0` … `conv.3`.
public final class InvertedResidual: Composite {
    public let conv: Sequential
    public let usesResidual: Bool

    public init(_ input: Int, _ output: Int, stride: Int, expandRatio: Int) {
        let hidden = input * expandRatio
        var layers: [Module] = []
        if expandRatio != 1 { layers.append(Models.convNormActivation(input, hidden, kernel: 1, activation: ReLU6())) }
        layers += [Models.convNormActivation(hidden, hidden, stride: stride, groups: hidden, activation: ReLU6()),
                   Conv2d(hidden, output, kernel: 1, bias: false), BatchNorm2d(output)]
        conv = Sequential(layers)
        usesResidual = stride == 1 && input == output
    }

    public override var body: Module {
        usesResidual ? Residual(conv, mainName: "conv") : Sequential(named: [("conv", conv)])
    }
}

/// MobileNetV3's inverted residual (torchvision's names: `block.0` …): optional 1×1
/// expansion, a k×k depthwise convolution, optional squeeze-and-excitation (hard-sigmoid
/// gate), a linear 1×1 projection; ReLU or hard-swish; the input is added when stride is 1
/// and the width stays. Batch norm eps 10⁻³.
public final class InvertedResidualV3: Composite {
    public let block: Sequential
    public let usesResidual: Bool

    public init(_ input: Int, kernel: Int, expanded: Int, _ output: Int, squeezeExcite: Bool, hardswish: Bool,
                stride: Int, dilation: Int) {
        let activation: () -> Module = { hardswish ? Hardswish() : ReLU() }
        var layers: [Module] = []
        if expanded != input {
            layers.append(Models.convNormActivation(input, expanded, kernel: 1, eps: 1e-3, activation: activation()))
        }
        layers.append(Models.convNormActivation(expanded, expanded, kernel: kernel, stride: dilation > 1 ? 1 : stride,
                                                groups: expanded, dilation: dilation, eps: 1e-3, activation: activation()))
        if squeezeExcite {
            layers.append(SqueezeExcitation(expanded, squeeze: Models.makeDivisible(Double(expanded / 4)),
                                            scaleActivation: Hardsigmoid()))
        }
        layers.append(Models.convNormActivation(expanded, output, kernel: 1, eps: 1e-3, activation: nil))
        block = Sequential(layers)
        usesResidual = stride == 1 && input == output
    }

    public override var body: Module {
        usesResidual ? Residual(block, mainName: "block") : Sequential(named: [("block", block)])
    }
}

extension Models {
    /// MobileNetV2 (Sandler et al. 2018) in torchvision's names: `features` (a 3×3/2 stem,
    /// 17 inverted residuals, a 1×1 convolution to 1280 channels; ReLU6 throughout),
    /// global average pooling, `classifier` (dropout 0.2, linear). 3,504,872 parameters
    /// for 1000 classes; `widthMultiplier` scales every width (rounded to multiples of 8).
    public final class MobileNetV2: Composite {
        public let features: Sequential
        public let classifier: Sequential

        public init(classes: Int = 1000, widthMultiplier: Double = 1, dropout: Float = 0.2) {
            var channels = Models.makeDivisible(32 * widthMultiplier)
            let last = Models.makeDivisible(1280 * Swift.max(1, widthMultiplier))
            var layers: [Module] = [Models.convNormActivation(3, channels, stride: 2, activation: ReLU6())]
            for (expand, width, repeats, stride) in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                                                     (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)] {
                let output = Models.makeDivisible(Double(width) * widthMultiplier)
                for index in 0..<repeats {
                    layers.append(InvertedResidual(channels, output, stride: index == 0 ? stride : 1, expandRatio: expand))
                    channels = output
                }
            }
            layers.append(Models.convNormActivation(channels, last, kernel: 1, activation: ReLU6()))
            features = Sequential(layers)
            classifier = Sequential { Dropout(dropout); Linear(last, classes) }
            super.init()
            TorchvisionInitialization.apply(.mobilenet, to: self)
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("avgpool", GlobalAvgPool()), ("classifier", classifier)])
        }
    }

    /// MobileNetV3 (Howard et al. 2019) small or large in torchvision's names: `features`
    /// (hard-swish stem, inverted residuals with squeeze-and-excitation, a 1×1 convolution
    /// to 6× the last width), global average pooling, `classifier` (linear, hard-swish,
    /// dropout, linear). 2,542,856 (small) or 5,483,032 (large) parameters for 1000 classes.
    public final class MobileNetV3: Composite {
        public let features: Sequential
        public let classifier: Sequential

        /// - Parameters:
        ///   - reducedTail: halve the last stage's widths (torchvision's `reduced_tail`).
        ///   - dilated: dilation 2 instead of stride in the last stage (`dilated`).
        public init(large: Bool, classes: Int = 1000, widthMultiplier: Double = 1, reducedTail: Bool = false,
                    dilated: Bool = false, dropout: Float = 0.2) {
            let divider = reducedTail ? 2 : 1, dilation = dilated ? 2 : 1
            // input, kernel, expanded, output, squeeze-excite, hard-swish, stride, dilation
            let settings: [(Int, Int, Int, Int, Bool, Bool, Int, Int)] = large ? [
                (16, 3, 16, 16, false, false, 1, 1), (16, 3, 64, 24, false, false, 2, 1), (24, 3, 72, 24, false, false, 1, 1),
                (24, 5, 72, 40, true, false, 2, 1), (40, 5, 120, 40, true, false, 1, 1), (40, 5, 120, 40, true, false, 1, 1),
                (40, 3, 240, 80, false, true, 2, 1), (80, 3, 200, 80, false, true, 1, 1), (80, 3, 184, 80, false, true, 1, 1),
                (80, 3, 184, 80, false, true, 1, 1), (80, 3, 480, 112, true, true, 1, 1), (112, 3, 672, 112, true, true, 1, 1),
                (112, 5, 672, 160 / divider, true, true, 2, dilation),
                (160 / divider, 5, 960 / divider, 160 / divider, true, true, 1, dilation),
                (160 / divider, 5, 960 / divider, 160 / divider, true, true, 1, dilation),
            ] : [
                (16, 3, 16, 16, true, false, 2, 1), (16, 3, 72, 24, false, false, 2, 1), (24, 3, 88, 24, false, false, 1, 1),
                (24, 5, 96, 40, true, true, 2, 1), (40, 5, 240, 40, true, true, 1, 1), (40, 5, 240, 40, true, true, 1, 1),
                (40, 5, 120, 48, true, true, 1, 1), (48, 5, 144, 48, true, true, 1, 1),
                (48, 5, 288, 96 / divider, true, true, 2, dilation),
                (96 / divider, 5, 576 / divider, 96 / divider, true, true, 1, dilation),
                (96 / divider, 5, 576 / divider, 96 / divider, true, true, 1, dilation),
            ]
            let adjust = { (channels: Int) in Models.makeDivisible(Double(channels) * widthMultiplier) }
            var layers: [Module] = [Models.convNormActivation(3, adjust(settings[0].0), stride: 2, eps: 1e-3, activation: Hardswish())]
            for (input, kernel, expanded, output, squeeze, hardswish, stride, dilation) in settings {
                layers.append(InvertedResidualV3(adjust(input), kernel: kernel, expanded: adjust(expanded), adjust(output),
                                                 squeezeExcite: squeeze, hardswish: hardswish, stride: stride, dilation: dilation))
            }
            let lastInput = adjust(settings[settings.count - 1].3)
            layers.append(Models.convNormActivation(lastInput, 6 * lastInput, kernel: 1, eps: 1e-3, activation: Hardswish()))
            features = Sequential(layers)
            let last = adjust((large ? 1280 : 1024) / divider)
            classifier = Sequential { Linear(6 * lastInput, last); Hardswish(); Dropout(dropout); Linear(last, classes) }
            super.init()
            TorchvisionInitialization.apply(.mobilenet, to: self)
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("avgpool", GlobalAvgPool()), ("classifier", classifier)])
        }
    }
}
