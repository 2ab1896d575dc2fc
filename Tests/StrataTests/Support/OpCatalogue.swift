@testable import Strata

/// Every differentiable operation with a way to draw well-conditioned random arguments:
/// shared by the gradient checks and the fast-vs-reference checks, so both cover the same ops.
struct OpCase {
    let name: String
    let inputs: [Tensor]
    let function: ([Tensor]) throws -> Tensor

    /// The output and each input's gradient for a fixed random output gradient, computed
    /// on `backend` from contiguous copies of the inputs.
    func outputAndGradients(on backend: any Backend) throws -> [Tensor] {
        try withBackend(backend) {
            let leaves = inputs.map { input -> Tensor in
                let copy = input.copyToContiguous()
                copy.requiresGrad = true
                return copy
            }
            let output = try function(leaves)
            var generator = RandomGenerator(seed: 3)
            try output.backward(gradient: Tensor.filled(output.shape) { generator.nextUniform() - 0.5 })
            return [output.detach()] + leaves.map { $0.grad ?? Tensor(zerosShape: $0.shape) }
        }
    }
}

enum OpCatalogue {
    /// Values in ±[0.1, 1] (away from the kinks of ReLU, abs, L1 at 0).
    static func signed(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
        Tensor.filled(shape) {
            let magnitude = 0.1 + 0.9 * rng.nextUniform()
            return rng.nextUniform() < 0.5 ? -magnitude : magnitude
        }
    }

    /// Values in [0.5, 2] (for log, sqrt, pow, division).
    static func positive(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
        Tensor.filled(shape) { 0.5 + 1.5 * rng.nextUniform() }
    }

    /// Distinct values spaced 0.05 apart in random order (no ties for max/min/pooling).
    static func distinct(_ shape: [Int], _ rng: inout RandomGenerator) -> Tensor {
        let count = Shape.count(shape)
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
        var index = 0
        return Tensor.filled(shape) {
            defer { index += 1 }
            return Float(order[index]) * 0.05 - Float(count) * 0.025
        }
    }

    /// Values in `range` at least 0.05 from each of `kinks` (for piecewise activations).
    static func awayFrom(_ kinks: [Float], _ shape: [Int], in range: ClosedRange<Float>, _ rng: inout RandomGenerator) -> Tensor {
        Tensor.filled(shape) {
            var value = range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUniform()
            if let kink = kinks.first(where: { Swift.abs($0 - value) < 0.05 }) { value = kink + (value < kink ? -0.05 : 0.05) }
            return value
        }
    }

    static func size(_ range: ClosedRange<Int>, _ rng: inout RandomGenerator) -> Int {
        range.lowerBound + rng.nextInt(below: range.count)
    }

    /// A seeded generator and random sizes: batch, channels (× `scale`), height, width and
    /// sequence length (× `scale`).
    static func dimensions(seed: UInt64, scale: Int) -> (RandomGenerator, Int, Int, Int, Int, Int) {
        var rng = RandomGenerator(seed: seed)
        let n = size(1...3, &rng), c = size(2...4, &rng) * scale, h = size(5...8, &rng), w = size(5...8, &rng)
        return (rng, n, c, h, w, size(8...14, &rng) * scale)
    }

    /// Random cases for every op; `scale` grows the shapes (1 for gradient checks, larger
    /// for backend agreement, where oneDNN's blocked kernels need channels ≥ 16 to engage).
    static func cases(seed: UInt64, scale: Int) -> [OpCase] {
        var (rng, n, c, h, w, len) = dimensions(seed: seed, scale: scale)
        var cases: [OpCase] = []
        func add(_ name: String, _ inputs: [Tensor], _ f: @escaping ([Tensor]) throws -> Tensor) {
            cases.append(OpCase(name: name, inputs: inputs, function: f))
        }

        // element-wise arithmetic with broadcasting
        add("add", [signed([n, c, h], &rng), signed([c, 1], &rng)]) { try $0[0] + $0[1] }
        add("subtract", [signed([n, c], &rng), signed([c], &rng)]) { try $0[0] - $0[1] }
        add("multiply", [signed([n, 1, w], &rng), signed([c, w], &rng)]) { try $0[0] * $0[1] }
        add("divide", [signed([n, c], &rng), positive([n, 1], &rng)]) { try $0[0] / $0[1] }
        add("pow", [positive([c, h], &rng), signed([c, h], &rng)]) { try Tensor.pow($0[0], $0[1]) }
        add("maximum", [distinct([n, c], &rng), distinct([n, c], &rng)]) { try Tensor.maximum($0[0], $0[1]) }
        add("minimum", [distinct([n, c], &rng), distinct([c], &rng)]) { try Tensor.minimum($0[0], $0[1]) }
        add("scalar arithmetic", [signed([n, c], &rng)]) { (2 - $0[0] * 3 + 1) / 4 }
        add("negate", [signed([c, h], &rng)]) { -$0[0] }
        add("exp", [signed([c, h], &rng)]) { $0[0].exp() }
        add("log", [positive([c, h], &rng)]) { $0[0].log() }
        add("sqrt", [positive([c, h], &rng)]) { $0[0].sqrt() }
        add("abs", [signed([c, h], &rng)]) { $0[0].abs() }
        add("square", [signed([c, h], &rng)]) { $0[0].square() }
        add("reciprocal", [positive([c, h], &rng)]) { $0[0].reciprocal() }
        add("pow scalar", [positive([c, h], &rng)]) { $0[0].pow(2.5) }
        // inputs on multiples of 0.05, bounds 0.025 from any of them
        add("clamp", [distinct([c, h], &rng) * 2]) { try $0[0].clamp(min: -0.325, max: 0.425) }
        // reductions
        add("sum axes", [signed([n, c, h], &rng)]) { try $0[0].sum(axes: [0, 2], keepDims: true) }
        add("sum all", [signed([n, c, h], &rng)]) { $0[0].sum() }
        add("mean", [signed([n, c, h], &rng)]) { try $0[0].mean(axes: [1]) }
        add("variance", [signed([n, c, h], &rng)]) { try $0[0].variance(axes: [2], unbiased: true) }
        add("max axis", [distinct([n, c, h], &rng)]) { try $0[0].max(axis: 1) }
        add("min axis", [distinct([n, c, h], &rng)]) { try $0[0].min(axis: -1, keepDims: true) }
        // views and copies
        add("reshape", [signed([n, c, h], &rng)]) { try $0[0].reshape([-1, h]) * Tensor.arange(0, Float(h)) }
        add("permute", [signed([n, c, h], &rng)]) { try $0[0].permute([2, 0, 1]) * Tensor.arange(0, Float(c)) }
        add("transpose+contiguous", [signed([c, h], &rng)]) { try $0[0].transpose(0, 1).contiguous().square() }
        add("slice", [signed([n, c, h], &rng)]) { try $0[0].slice(axis: 2, start: 1, end: -1, step: 2).square() }
        add("expand", [signed([c, 1], &rng)]) { try $0[0].expand([n, c, h]).square() }
        add("squeeze unsqueeze", [signed([c, 1, h], &rng)]) { try $0[0].squeeze(axis: 1).unsqueeze(axis: 0).square() }
        add("flatten", [signed([n, c, h], &rng)]) { try $0[0].flatten(from: 1).square() }
        add("concat", [signed([n, c], &rng), signed([n, 2], &rng)]) { try Tensor.concat([$0[0], $0[1]], axis: 1).square() }
        add("stack", [signed([c, h], &rng), signed([c, h], &rng)]) { try Tensor.stack([$0[0], $0[1]], axis: 1).square() }
        add("matmul", [signed([n, c, h], &rng), signed([h, w], &rng)]) { try Tensor.matmul($0[0], $0[1]) }
        add("matmul vector", [signed([c, h], &rng), signed([h], &rng)]) { try Tensor.matmul($0[0], $0[1]) }
        // embedding lookup: repeated ids add their gradients (the padding row's frozen
        // gradient is not the true one, see TextClassificationTests)
        let tokenIds = try! Tensor(labels: (0..<(n * len)).map { _ in rng.nextInt(below: c + 2) }).reshape([n, len])
        add("embedding", [signed([c + 2, h], &rng)]) { try embedding(tokenIds, weight: $0[0]).square() }
        // convolutions
        add("conv2d", [signed([n, c, h, w], &rng), signed([3, c, 3, 2], &rng), signed([3], &rng)]) {
            try conv2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 1], padding: [1, 0])
        }
        add("conv2d dilated same", [signed([n, c, h, w], &rng), signed([2, c, 3, 3], &rng)]) {
            try conv2d($0[0], weight: $0[1], padding: .same, dilation: 2)
        }
        add("conv2d grouped", [signed([n, 2 * c, h, w], &rng), signed([2 * c, 2, 3, 3], &rng), signed([2 * c], &rng)]) {
            try conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1, groups: c)
        }
        add("conv1d", [signed([n, c, len], &rng), signed([4, c, 3], &rng), signed([4], &rng)]) {
            try conv1d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, dilation: 2)
        }
        add("conv1d causal", [signed([n, c, len], &rng), signed([3, c, 2], &rng)]) {
            try conv1d($0[0], weight: $0[1], padding: .causal, dilation: 3)
        }
        add("convTranspose2d", [signed([n, c, 4, 3], &rng), signed([c, 3, 3, 3], &rng), signed([3], &rng)]) {
            try convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
        add("convTranspose2d grouped dilated", [signed([n, 2 * c, 3, 4], &rng), signed([2 * c, 1, 2, 3], &rng)]) {
            try convTranspose2d($0[0], weight: $0[1], stride: [1, 2], padding: [0, 1], dilation: 2, groups: 2)
        }
        // pooling
        add("maxPool2d", [distinct([n, c, h, w], &rng)]) { try maxPool2d($0[0], kernel: 3, stride: 2, padding: 1) }
        add("avgPool2d", [signed([n, c, h, w], &rng)]) { try avgPool2d($0[0], kernel: [3, 2], stride: [1, 2], padding: [1, 0]) }
        add("avgPool2d exclude pad", [signed([n, c, h, w], &rng)]) {
            try avgPool2d($0[0], kernel: 3, stride: 2, padding: 1, countIncludePad: false)
        }
        add("maxPool1d", [distinct([n, c, len], &rng)]) { try maxPool1d($0[0], kernel: 3, stride: 2, padding: 1) }
        add("avgPool1d", [signed([n, c, len], &rng)]) { try avgPool1d($0[0], kernel: 2) }
        add("globalAvgPool2d", [signed([n, c, h, w], &rng)]) { try globalAvgPool2d($0[0]) }
        add("globalAvgPool1d", [signed([n, c, len], &rng)]) { try globalAvgPool1d($0[0]) }
        add("adaptiveAvgPool2d unequal bins", [signed([n, c, h, w], &rng)]) { try adaptiveAvgPool2d($0[0], outputSize: [3, 4]) }
        add("adaptiveAvgPool2d overlapping bins", [signed([n, c, 2, 3], &rng)]) { try adaptiveAvgPool2d($0[0], outputSize: [5, 7]) }
        add("adaptiveAvgPool1d", [signed([n, c, len], &rng)]) { try adaptiveAvgPool1d($0[0], outputSize: 5) }
        add("interpolateBilinear", [signed([n, c, h, w], &rng)]) { try interpolateBilinear($0[0], size: [h + 5, w - 2]) }
        add("interpolateBilinear corners", [signed([n, c, h, w], &rng)]) {
            try interpolateBilinear($0[0], size: [2 * h, w + 1], alignCorners: true)
        }
        // normalisation
        let stats = (positive([c], &rng), signed([c], &rng))
        add("batchNorm training", [signed([n + 1, c, h, w], &rng), positive([c], &rng), signed([c], &rng)]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], training: true)
        }
        add("batchNorm eval", [signed([n, c, len], &rng), positive([c], &rng), signed([c], &rng)]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: stats.1, runningVar: stats.0, training: false)
        }
        add("batchNorm1d features", [signed([n + 3, c], &rng), positive([c], &rng), signed([c], &rng)]) {
            try batchNorm($0[0], weight: $0[1], bias: $0[2], training: true)
        }
        add("linear", [signed([n, c, h], &rng), signed([w, h], &rng), signed([w], &rng)]) {
            try linear($0[0], weight: $0[1], bias: $0[2])
        }
        // activations
        add("relu", [signed([n, c, h], &rng)]) { relu($0[0]) }
        add("leakyRelu", [signed([n, c, h], &rng)]) { leakyRelu($0[0], negativeSlope: 0.2) }
        add("elu", [signed([n, c, h], &rng)]) { elu($0[0], alpha: 1.5) }
        add("gelu", [signed([n, c, h], &rng)]) { gelu($0[0]) }
        add("geluTanh", [signed([n, c, h], &rng)]) { geluTanh($0[0]) }
        add("sigmoid", [signed([n, c, h], &rng)]) { sigmoid($0[0]) }
        add("softplus", [signed([n, c, h], &rng) * 6]) { softplus($0[0]) }
        add("tanh", [signed([n, c, h], &rng)]) { tanh($0[0]) }
        add("relu6", [awayFrom([0, 6], [n, c, h], in: -3...8, &rng)]) { relu6($0[0]) }
        add("hardswish", [awayFrom([-3, 3], [n, c, h], in: -5...5, &rng)]) { hardswish($0[0]) }
        add("hardsigmoid", [awayFrom([-3, 3], [n, c, h], in: -5...5, &rng)]) { hardsigmoid($0[0]) }
        add("squeeze-excitation", [signed([n, c, h, w], &rng), signed([2, c, 1, 1], &rng), signed([2], &rng),
                                   signed([c, 2, 1, 1], &rng), signed([c], &rng)]) {
            let block = SqueezeExcitation(c, squeeze: 2, scaleActivation: Sigmoid())
            block.fc1.weight = $0[1]
            block.fc1.bias = $0[2]
            block.fc2.weight = $0[3]
            block.fc2.bias = $0[4]
            return try block($0[0])
        }
        add("separable conv2d", [signed([n, c, h, w], &rng), signed([c, 1, 3, 3], &rng), signed([3, c, 1, 1], &rng)]) {
            let layer = SeparableConv2d(c, 3, kernel: 3, stride: 2, padding: 1)
            layer.conv1.weight = $0[1]
            layer.pointwise.weight = $0[2]
            return try layer($0[0])
        }
        add("softmax", [signed([n, c, h], &rng)]) { try softmax($0[0], axis: 1) }
        add("logSoftmax", [signed([n, c, h], &rng)]) { try logSoftmax($0[0], axis: -1) }
        add("prelu", [signed([n, c, h], &rng), positive([c], &rng)]) { try prelu($0[0], weight: $0[1] * 0.2) }
        add("dropout", [signed([n, c, h], &rng)]) {
            var generator = RandomGenerator(seed: 7)
            return try dropout($0[0], p: 0.3, training: true, generator: &generator)
        }
        // losses
        let classes = c + 2
        let labels = try! Tensor(labels: (0..<(n * 2)).map { _ in rng.nextInt(below: classes) })
        add("crossEntropy", [signed([n * 2, classes], &rng)]) { try crossEntropy($0[0], target: labels, labelSmoothing: 0.1) }
        add("crossEntropy sum", [signed([n * 2, classes], &rng)]) { try crossEntropy($0[0], target: labels, reduction: .sum) }
        let classWeights = positive([classes], &rng)
        add("crossEntropy weighted ignore", [signed([n * 2, classes], &rng)]) {
            try crossEntropy($0[0], target: labels, weight: classWeights, ignoreIndex: labels.toLabels()[0], labelSmoothing: 0.05)
        }
        let pixelLabels = try! Tensor(labels: (0..<(n * h)).map { _ in rng.nextInt(below: classes) }, shape: [n, h])
        add("crossEntropy per pixel", [signed([n, classes, h], &rng)]) { try crossEntropy($0[0], target: pixelLabels) }
        let binary = Tensor.filled([n, c]) { rng.nextUniform() < 0.5 ? 0 : 1 }
        add("bceWithLogits weighted", [signed([n, c], &rng), positive([n, c], &rng)]) {
            try binaryCrossEntropyWithLogits($0[0], target: $0[1] * 0.5, weight: classWeights.slice(axis: 0, end: 1),
                                             positiveWeight: try Tensor.full([c], value: 2.5))
        }
        add("bceWithLogits", [signed([n, c], &rng)]) { try binaryCrossEntropyWithLogits($0[0], target: binary) }
        let target = signed([n, c], &rng)
        add("mse", [signed([n, c], &rng), signed([n, c], &rng)]) { try mseLoss($0[0], target: $0[1]) }
        // both on multiples of 0.05, the target shifted by 0.025: no difference near the kink at 0
        let offGrid = distinct([n, c], &rng) + 0.025
        add("l1", [distinct([n, c], &rng)]) { try l1Loss($0[0], target: offGrid, reduction: .sum) }
        add("huber", [signed([n, c], &rng)]) { try huberLoss($0[0] * 3, target: target, delta: 1.3, reduction: .none) }
        return cases
    }

    /// Networks in miniature for the backend agreement checks: chains that keep oneDNN's
    /// blocked formats between ops and pass blocked gradients back. (Not for finite
    /// differences: inner ReLUs and max pools sit on unpredictable kinks.)
    static func chains(seed: UInt64, scale: Int) -> [OpCase] {
        var (rng, n, c, h, w, len) = dimensions(seed: seed, scale: scale)
        var cases: [OpCase] = []
        func add(_ name: String, _ inputs: [Tensor], _ f: @escaping ([Tensor]) throws -> Tensor) {
            cases.append(OpCase(name: name, inputs: inputs, function: f))
        }
        add("conv-bn-relu-pool-residual chain", [signed([n, c, h + 2, w + 2], &rng), signed([c, c, 3, 3], &rng),
                                                 positive([c], &rng), signed([c], &rng), signed([c, c, 3, 3], &rng)]) {
            let first = try conv2d($0[0], weight: $0[1], padding: 1)
            let normalized = relu(try batchNorm(first, weight: $0[2], bias: $0[3], training: true))
            let pooled = try maxPool2d(normalized, kernel: 2)
            let second = try conv2d(pooled, weight: $0[4], padding: 1)
            return try globalAvgPool2d(relu(try second + pooled)) * 4
        }
        let block = InvertedResidual(c, c, stride: 1, expandRatio: 2)
        block.eval()
        add("inverted residual with relu6", [signed([n, c, h, w], &rng)]) { try block($0[0]) * 2 }
        add("conv1d-bn-relu chain", [signed([n + 1, c, len], &rng), signed([c, c, 3], &rng), positive([c], &rng)]) {
            let first = try conv1d($0[0], weight: $0[1], padding: 2, dilation: 2)
            let normalized = relu(try batchNorm(first, weight: $0[2], training: true))
            return try conv1d(normalized, weight: $0[1], padding: .same).square()
        }
        return cases
    }
}
