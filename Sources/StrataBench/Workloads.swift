import Dispatch
import Strata

/// The benchmark workloads W1–W5 of `../shared/bench/README.md`, written with Strata's ops
/// (same architectures, batch sizes and optimizers as `torch_reference.py`).
enum Workloads {
    /// One measured quantity of a workload: name, unit, value (higher is better).
    struct Measurement {
        let workload: String
        let unit: String
        let value: Double
    }

    static let all = ["W1", "W2", "W3", "W4", "W5", "W2L", "W6", "W7", "W8", "W9"]

    static func run(_ name: String) throws -> [Measurement] {
        var rng = RandomGenerator(seed: 0)
        switch name {
        case "W1": return [try lenet(&rng)]
        case "W2": return [try cifar(&rng)]
        case "W3": return try resnet18(&rng)
        case "W4": return [try sensor(&rng)]
        case "W5": return try singleOps(&rng)
        case "W2L": return try cifarLoader(&rng)
        case "W6": return try mobilenetInference(&rng)
        case "W7": return [try mobilenetFineTuning(&rng)]
        case "W8": return [try occlusionMap(&rng)]
        case "W9": return [try activationMaximization()]
        default: throw StrataError.invalidArgument(op: "strata-bench", message: "unknown workload \(name) (known: \(all.joined(separator: ", ")))")
        }
    }

    /// A trainable parameter drawn uniformly from ±1/√fanIn (PyTorch's default bound).
    static func parameter(_ shape: [Int], fanIn: Int, _ rng: inout RandomGenerator) throws -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        let tensor = try Tensor.uniform(shape, low: -bound, high: bound, generator: &rng)
        tensor.requiresGrad = true
        return tensor
    }

    static func labels(_ count: Int, classes: Int, _ rng: inout RandomGenerator) throws -> Tensor {
        try Tensor(labels: (0..<count).map { _ in rng.nextInt(below: classes) })
    }

    /// A convolution's weight and bias.
    struct Conv {
        let weight: Tensor
        let bias: Tensor?
        init(_ input: Int, _ output: Int, kernel: [Int], bias: Bool = true, _ rng: inout RandomGenerator) throws {
            let fanIn = input * kernel.reduce(1, *)
            weight = try parameter([output, input] + kernel, fanIn: fanIn, &rng)
            self.bias = bias ? try parameter([output], fanIn: fanIn, &rng) : nil
        }
        var parameters: [Tensor] { [weight] + (bias.map { [$0] } ?? []) }
    }

    /// Batch norm's parameters and running statistics.
    struct Norm {
        let weight: Tensor, bias: Tensor, mean: Tensor, variance: Tensor
        init(_ channels: Int) throws {
            weight = try Tensor.ones([channels])
            bias = try Tensor.zeros([channels])
            mean = try Tensor.zeros([channels])
            variance = try Tensor.ones([channels])
            weight.requiresGrad = true
            bias.requiresGrad = true
        }
        func callAsFunction(_ x: Tensor, training: Bool) throws -> Tensor {
            try batchNorm(x, weight: weight, bias: bias, runningMean: mean, runningVar: variance, training: training)
        }
        var parameters: [Tensor] { [weight, bias] }
    }

    /// A linear layer's weight and bias.
    struct Dense {
        let weight: Tensor, bias: Tensor
        init(_ input: Int, _ output: Int, _ rng: inout RandomGenerator) throws {
            weight = try parameter([output, input], fanIn: input, &rng)
            bias = try parameter([output], fanIn: input, &rng)
        }
        func callAsFunction(_ x: Tensor) throws -> Tensor { try linear(x, weight: weight, bias: bias) }
        var parameters: [Tensor] { [weight, bias] }
    }

    /// One training step: zero gradients, forward, cross-entropy, backward, update.
    static func trainStep(_ optimizer: any Optimizer, _ labels: Tensor, _ forward: () throws -> Tensor) throws {
        optimizer.zeroGrad()
        let loss = try crossEntropy(try forward(), target: labels)
        try loss.backward()
        optimizer.step()
    }

    // MARK: W1 LeNet-5, batch 64, SGD momentum 0.9

    static func lenet(_ rng: inout RandomGenerator) throws -> Measurement {
        let batch = 64
        let c1 = try Conv(1, 6, kernel: [5, 5], &rng), c2 = try Conv(6, 16, kernel: [5, 5], &rng)
        let f1 = try Dense(400, 120, &rng), f2 = try Dense(120, 84, &rng), f3 = try Dense(84, 10, &rng)
        let parameters = c1.parameters + c2.parameters + f1.parameters + f2.parameters + f3.parameters
        let optimizer = try SGD(parameters: parameters, learningRate: 0.01, momentum: 0.9)
        let x = try Tensor.randn([batch, 1, 28, 28], generator: &rng), y = try labels(batch, classes: 10, &rng)
        let timing = try Timing.measure(iterations: 50, warmup: 20) {
            try trainStep(optimizer, y) {
                var h = try maxPool2d(relu(try conv2d(x, weight: c1.weight, bias: c1.bias, padding: 2)), kernel: 2)
                h = try maxPool2d(relu(try conv2d(h, weight: c2.weight, bias: c2.bias)), kernel: 2)
                h = try h.flatten(from: 1)
                return try f3(relu(try f2(relu(try f1(h)))))
            }
        }
        return Measurement(workload: "W1", unit: "samples/s", value: Double(batch) / timing.median)
    }

    // MARK: W2 CIFAR CNN + BN, batch 128, Adam

    /// The W2 network as a model (same layers as `cifar`).
    static func cifarModel() -> Module { Models.cifarCNN() }

    /// W2 trained from a DataLoader (shuffled batches of a 2,560-image dataset assembled on
    /// a background thread, plain and with crop+flip augmentation) against the same steps
    /// on pre-made batch tensors: throughput as a percentage of the latter. The three run in
    /// turn, an epoch each, five times over, and each percentage is the median of the five
    /// rounds' ratios — so a machine that speeds up or slows down during the measurement
    /// (a busy neighbour, a clock change) moves both sides of a ratio alike.
    static func cifarLoader(_ rng: inout RandomGenerator) throws -> [Measurement] {
        let batch = 128, batches = 20, rounds = 5
        let images = try Tensor.randn([batch * batches, 3, 32, 32], generator: &rng)
        let dataset = try TensorDataset(inputs: images, targets: try labels(batch * batches, classes: 10, &rng))
        let model = cifarModel()
        let optimizer = try Adam(parameters: model.parameters(), learningRate: 1e-3)
        let premade = try (0..<batches).map { index in try dataset.batch(Array((index * batch)..<((index + 1) * batch))) }
        func step(_ inputs: Tensor, _ targets: Tensor) throws {
            try trainStep(optimizer, targets) { try model(inputs) }
        }
        let loaders = try [("W2L loader", dataset as any Dataset),
                           ("W2L loader+aug", AugmentedDataset(dataset, augmentations: [RandomCrop(padding: 4), HorizontalFlip()]))]
            .map { name, source in (name, try DataLoader(source, batchSize: batch, shuffle: true, seed: 1)) }
        /// Seconds for one epoch from `loader`, or from the pre-made tensors.
        func epoch(_ loader: DataLoader?, _ index: Int) throws -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            if let loader {
                for result in loader.batches(epoch: index) {
                    let (inputs, targets) = try result.get()
                    try step(inputs, targets)
                }
            } else {
                for (inputs, targets) in premade { try step(inputs, targets) }
            }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        // a warm-up round, then the measured ones
        var ratios = Array(repeating: [Double](), count: loaders.count)
        for round in 0...rounds {
            let reference = try epoch(nil, round)
            for (index, (_, loader)) in loaders.enumerated() {
                let seconds = try epoch(loader, round)
                if round > 0 { ratios[index].append(reference / seconds) }
            }
        }
        return zip(loaders, ratios).map { loader, ratios in
            Measurement(workload: loader.0, unit: "% of pre-made", value: 100 * ratios.sorted()[ratios.count / 2])
        }
    }

    static func cifar(_ rng: inout RandomGenerator) throws -> Measurement {
        let batch = 128
        let widths = [(3, 32), (32, 32), (32, 64), (64, 64), (64, 128), (128, 128)]
        var convs: [Conv] = [], norms: [Norm] = []
        for (input, output) in widths {
            convs.append(try Conv(input, output, kernel: [3, 3], &rng))
            norms.append(try Norm(output))
        }
        let head = try Dense(128, 10, &rng)
        let parameters = convs.flatMap(\.parameters) + norms.flatMap(\.parameters) + head.parameters
        let optimizer = try Adam(parameters: parameters, learningRate: 1e-3)
        let x = try Tensor.randn([batch, 3, 32, 32], generator: &rng), y = try labels(batch, classes: 10, &rng)
        let timing = try Timing.measure(iterations: 3, warmup: 3) {
            try trainStep(optimizer, y) {
                var h = x
                for i in 0..<6 {
                    h = relu(try norms[i](try conv2d(h, weight: convs[i].weight, bias: convs[i].bias, padding: 1), training: true))
                    if i == 1 || i == 3 { h = try maxPool2d(h, kernel: 2) }
                }
                return try head(try globalAvgPool2d(h).flatten(from: 1))
            }
        }
        return Measurement(workload: "W2", unit: "samples/s", value: Double(batch) / timing.median)
    }

    // MARK: W3 ResNet-18 inference, batch 16, 224×224; the same network through ONNX

    /// W3, and the throughput of the same ResNet-18 written as ONNX and imported, as a share
    /// of the built-in network's (the two alternate, seven rounds, medians).
    static func resnet18(_ rng: inout RandomGenerator) throws -> [Measurement] {
        let batch = 16
        let model = Models.resnet18()
        model.eval()
        let imported = try ONNXModel.decode(try ONNXExport.encode(model, inputShape: [3, 224, 224]))
        imported.eval()
        let x = try Tensor.randn([batch, 3, 224, 224], generator: &rng)
        let seconds = { (network: Module) throws -> Double in
            try Timing.measure(iterations: 1, repetitions: 1, warmup: 1) {
                _ = try withoutGradients { () throws(StrataError) in try network(x) }
            }.median
        }
        var builtIn: [Double] = [], fromONNX: [Double] = []
        for _ in 0..<7 {
            builtIn.append(try seconds(model))
            fromONNX.append(try seconds(imported))
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let flops = Double(try summary(model, input: [3, 224, 224]).flops)
        // batch norm and ReLU fused into the convolutions (the FLOPs counted are the unfused network's)
        try model.fuseForInference(inputShape: [3, 224, 224])
        var folded: [Double] = []
        for _ in 0..<7 { folded.append(try seconds(model)) }
        return [Measurement(workload: "W3", unit: "images/s", value: Double(batch) / median(builtIn)),
                Measurement(workload: "W3 GFLOP/s", unit: "GFLOP/s", value: flops * Double(batch) / median(builtIn) / 1e9),
                Measurement(workload: "W3 fused", unit: "images/s", value: Double(batch) / median(folded)),
                Measurement(workload: "W3 ONNX import vs built-in", unit: "× throughput", value: median(builtIn) / median(fromONNX))]
    }

    // MARK: W6 MobileNetV2 inference, batch 16, 224×224; W7 its fine-tuning step, batch 32, 96×96

    static func mobilenetInference(_ rng: inout RandomGenerator) throws -> [Measurement] {
        let batch = 16
        let model = try Models.zoo("mobilenet_v2")
        model.eval()
        let x = try Tensor.randn([batch, 3, 224, 224], generator: &rng)
        let timing = try Timing.measure(iterations: 1, warmup: 2) {
            _ = try withoutGradients { () throws(StrataError) in try model(x) }
        }
        let flops = Double(try summary(model, input: [3, 224, 224]).flops)
        try model.fuseForInference(inputShape: [3, 224, 224])
        let folded = try Timing.measure(iterations: 1, warmup: 2) {
            _ = try withoutGradients { () throws(StrataError) in try model(x) }
        }
        return [Measurement(workload: "W6", unit: "images/s", value: Double(batch) / timing.median),
                Measurement(workload: "W6 GFLOP/s", unit: "GFLOP/s", value: flops * Double(batch) / timing.median / 1e9),
                Measurement(workload: "W6 fused", unit: "images/s", value: Double(batch) / folded.median)]
    }

    /// Transfer learning way (b): every layer trains (batch norm on batch statistics), a
    /// 10-class head, Adam at 10⁻⁴.
    static func mobilenetFineTuning(_ rng: inout RandomGenerator) throws -> Measurement {
        let batch = 32
        let model = try Models.zoo("mobilenet_v2", classes: 10)
        model.train()
        let optimizer = try Adam(parameters: model.parameters(), learningRate: 1e-4)
        let x = try Tensor.randn([batch, 3, 96, 96], generator: &rng), y = try labels(batch, classes: 10, &rng)
        let timing = try Timing.measure(iterations: 1, warmup: 2) {
            try trainStep(optimizer, y) { try model(x) }
        }
        return Measurement(workload: "W7", unit: "samples/s", value: Double(batch) / timing.median)
    }

    // MARK: W8 occlusion map, W9 activation maximisation (MobileNetV2, 224×224)

    /// Captum's occlusion: window 15, stride 8, baseline 0, 16 occluded copies per forward pass.
    static func occlusionMap(_ rng: inout RandomGenerator) throws -> Measurement {
        let model = try Models.zoo("mobilenet_v2")
        model.eval()
        let x = try Tensor.randn([1, 3, 224, 224], generator: &rng)
        let timing = try Timing.measure(iterations: 1, repetitions: 3, warmup: 1) {
            _ = try Occlusion.map(model, input: x, target: 1, window: [15, 15], stride: [8, 8], batchSize: 16)
        }
        return Measurement(workload: "W8", unit: "maps/min", value: 60 / timing.median)
    }

    /// 100 steps of activation maximisation of a class logit at 224×224 (one size).
    static func activationMaximization() throws -> Measurement {
        let model = try Models.zoo("mobilenet_v2")
        var maximization = ActivationMaximization(objective: .classLogit(963))
        maximization.steps = 100
        maximization.sizes = [224]
        let timing = try Timing.measure(iterations: 1, repetitions: 3, warmup: 1) { _ = try maximization.run(model) }
        return Measurement(workload: "W9", unit: "steps/s", value: 100 / timing.median)
    }

    // MARK: W4 1D sensor CNN, batch 64, 3×200, Adam

    static func sensor(_ rng: inout RandomGenerator) throws -> Measurement {
        let batch = 64
        var convs = [try Conv(3, 64, kernel: [3], &rng)], norms = [try Norm(64)]
        for _ in 0..<4 {
            convs.append(try Conv(64, 64, kernel: [3], &rng))
            norms.append(try Norm(64))
        }
        let dilations = [1, 1, 2, 4, 8]
        let head = try Dense(64, 6, &rng)
        let optimizer = try Adam(parameters: convs.flatMap(\.parameters) + norms.flatMap(\.parameters) + head.parameters,
                                 learningRate: 1e-3)
        let x = try Tensor.randn([batch, 3, 200], generator: &rng), y = try labels(batch, classes: 6, &rng)
        let timing = try Timing.measure(iterations: 20, warmup: 10) {
            try trainStep(optimizer, y) {
                var h = x
                for i in 0..<5 {
                    let d = dilations[i]
                    h = relu(try norms[i](try conv1d(h, weight: convs[i].weight, bias: convs[i].bias,
                                                     padding: .explicit(AxisValues(integerLiteral: d)),
                                                     dilation: AxisValues(integerLiteral: d)), training: true))
                }
                return try head(try h.mean(axes: [2]))
            }
        }
        return Measurement(workload: "W4", unit: "samples/s", value: Double(batch) / timing.median)
    }

    // MARK: W5 single ops

    static func singleOps(_ rng: inout RandomGenerator) throws -> [Measurement] {
        let (n, c, h, w, k) = (16, 64, 56, 56, 64)
        let flops = 2.0 * Double(n * k * h * w * c * 9)
        let x = try Tensor.randn([n, c, h, w], generator: &rng), weight = try Tensor.randn([k, c, 3, 3], generator: &rng)
        let backend = Backends.cpu
        let geometry = ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1], dilation: [1, 1], groups: 1)
        let forward = try Timing.measure(iterations: 3) { _ = try conv2d(x, weight: weight, padding: 1) }
        let gradOutput = try Tensor.randn([n, k, h, w], generator: &rng)
        let backward = Timing.measure(iterations: 2) {
            _ = backend.convolutionBackward(gradOutput: gradOutput, input: x, weight: weight, geometry: geometry,
                                            needsInput: true, needsWeight: true, withBias: false)
        }
        let size = 2048
        let a = try Tensor.randn([size, size], generator: &rng), b = try Tensor.randn([size, size], generator: &rng)
        let product = try Timing.measure(iterations: 2) { _ = try Tensor.matmul(a, b) }
        return [Measurement(workload: "W5 conv fwd", unit: "GFLOP/s", value: flops / forward.median / 1e9),
                Measurement(workload: "W5 conv bwd", unit: "GFLOP/s", value: 2 * flops / backward.median / 1e9),
                Measurement(workload: "W5 sgemm 2048", unit: "GFLOP/s", value: 2 * Double(size * size * size) / product.median / 1e9)]
    }
}
