/// Saliency maps (Simonyan et al. 2014): how much each input pixel (or time step) moves a
/// class score — `max_c |∂ score_target / ∂ x_c|` over the channels, an `H×W` map at an
/// image's resolution or an `L` map along a series (Captum's `Saliency(abs=True)` then the
/// channel maximum). SmoothGrad (Smilkov et al. 2017) averages the absolute gradients of
/// `samples` copies of the input with Gaussian noise of standard deviation `noise` added
/// (Captum's `NoiseTunnel`, `smoothgrad`). `attributedChannels` limits both the noise and
/// the maximum to the first channels (nil: all): a `sample-level` run's level channels
/// after them describe the whole case, not a time step.
public enum Saliency {
    /// The vanilla gradient map of one image `1×C×H×W` (→ `H×W`) or series `1×C×L` (→ `L`),
    /// batch axis included, the network in evaluation mode.
    public static func map(_ model: Module, input: Tensor, target: Int, attributedChannels: Int? = nil) throws(StrataError) -> Tensor {
        try smoothGrad(model, input: input, target: target, samples: 1, noise: 0, attributedChannels: attributedChannels)
    }

    /// The SmoothGrad map: noisy copies in batches of up to 16, their absolute gradients averaged.
    ///
    /// - Throws: `StrataError.invalidArgument` for a target outside the network's classes,
    ///   a non-positive sample count or attributed channels outside 1…C; `shapeMismatch`
    ///   for an input that is not one image or series with its batch axis.
    public static func smoothGrad(_ model: Module, input: Tensor, target: Int, samples: Int, noise: Float,
                                  seed: UInt64 = 0, attributedChannels: Int? = nil) throws(StrataError) -> Tensor {
        let one = try Attribution.checkSample(input, op: "saliency")
        guard samples >= 1 else { throw .invalidArgument(op: "saliency", message: "samples must be ≥ 1, got \(samples)") }
        var generator = RandomGenerator(seed: seed)
        let channels = try Attribution.attributed(attributedChannels, of: one, op: "saliency"), positions = Array(one.shape.dropFirst(2))
        let plane = positions.reduce(1, *)
        var total = [Float](repeating: 0, count: channels * plane)
        let source = one.toArray()
        var done = 0
        while done < samples {
            let batch = Swift.min(16, samples - done)
            var noisy: [Float] = []
            noisy.reserveCapacity(batch * source.count)
            for _ in 0..<batch {
                for (index, value) in source.enumerated() {
                    noisy.append(value + (noise > 0 && index < channels * plane ? noise * generator.nextNormal() : 0))
                }
            }
            let copies = try Tensor(noisy, shape: [batch] + Array(one.shape.dropFirst()))
            let gradient = try Attribution.classGradient(model, input: copies, target: target).toArray()
            for sample in 0..<batch {
                for index in total.indices { total[index] += Swift.abs(gradient[sample * source.count + index]) }
            }
            done += batch
        }
        // the maximum over channels of the mean absolute gradient
        var map = [Float](repeating: 0, count: plane)
        for channel in 0..<channels {
            for position in map.indices { map[position] = Swift.max(map[position], total[channel * plane + position] / Float(samples)) }
        }
        return try Tensor(map, shape: positions)
    }
}

/// What the attribution methods share.
enum Attribution {
    /// The number of channels to attribute: `requested` (the first ones) or all of the sample's.
    static func attributed(_ requested: Int?, of sample: Tensor, op: String) throws(StrataError) -> Int {
        let channels = sample.shape[1]
        guard let requested else { return channels }
        guard requested >= 1, requested <= channels else {
            throw .invalidArgument(op: op, message: "attributed channels \(requested) must be 1…\(channels), the input's channels")
        }
        return requested
    }

    /// The input as one sample with its batch axis: a series `1×C×L` or an image `1×C×H×W`
    /// (an image without its batch axis is not accepted: `1×H×W` would read as a series).
    static func checkSample(_ input: Tensor, op: String) throws(StrataError) -> Tensor {
        guard input.rank == 3 || input.rank == 4, input.shape[0] == 1, input.dtype == .float32 else {
            throw .shapeMismatch(op: op, message: "expects one series 1×C×L or one image 1×C×H×W, got \(Shape.describe(input.shape))")
        }
        return input.dense().detach()
    }

    /// The input as one image `1×C×H×W` (a `C×H×W` image gets its batch axis).
    static func checkImage(_ input: Tensor, op: String) throws(StrataError) -> Tensor {
        let image = input.rank == 3 ? try input.unsqueeze(axis: 0) : input
        guard image.rank == 4, image.shape[0] == 1, image.dtype == .float32 else {
            throw .shapeMismatch(op: op, message: "expects one image 1×C×H×W, got \(Shape.describe(input.shape))")
        }
        return image.dense().detach()
    }

    /// Checks `target` against the network's outputs `N×K`.
    static func checkTarget(_ target: Int, logits: Tensor, op: String) throws(StrataError) {
        guard logits.rank == 2, target >= 0, target < logits.shape[1] else {
            throw .invalidArgument(op: op, message: "class \(target) is not one of the network's \(logits.rank == 2 ? logits.shape[1] : 0) outputs (0…\(Swift.max((logits.rank == 2 ? logits.shape[1] : 1) - 1, 0)))")
        }
    }

    /// `∂ Σ_n score[n, target] / ∂ input` for a batch of inputs (evaluation mode).
    static func classGradient(_ model: Module, input: Tensor, target: Int) throws(StrataError) -> Tensor {
        try withFrozenParameters(model) { () throws(StrataError) -> Tensor in
            let leaf = input.detach()
            leaf.requiresGrad = true
            let logits = try model(leaf)
            try checkTarget(target, logits: logits, op: "saliency")
            try logits.backward(gradient: oneHot(rows: logits.shape[0], classes: logits.shape[1], target: target))
            guard let gradient = leaf.grad else { throw .autograd(message: "no gradient reached the input") }
            return gradient
        }
    }

    /// Runs `body` with every parameter of `model` out of the autograd graph, so a backward
    /// pass computes only what the input (or a captured layer) needs — not the weight
    /// gradients, which cost as much as the rest; the parameters are restored after.
    static func withFrozenParameters<T>(_ model: Module, _ body: () throws(StrataError) -> T) throws(StrataError) -> T {
        let trainable = model.parameters().filter(\.requiresGrad)
        for parameter in trainable { parameter.requiresGrad = false }
        defer { for parameter in trainable { parameter.requiresGrad = true } }
        return try body()
    }

    /// `rows×classes` with 1 in column `target`.
    static func oneHot(rows: Int, classes: Int, target: Int) -> Tensor {
        let result = Tensor(zerosShape: [rows, classes])
        result.withMutableFloats { values in
            for row in 0..<rows { values[row * classes + target] = 1 }
        }
        return result
    }
}
