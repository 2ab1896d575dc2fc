/// Activation maximisation (Erhan et al. 2009; Olah et al. 2017): an input found by
/// gradient ascent that excites a chosen unit — the mean of one channel of a layer's output,
/// or a class logit — starting from faint noise, with the regularisers that make the
/// picture readable: random jitter (the image rolled by up to `jitter` pixels each step),
/// a Gaussian blur every `blurEvery` steps, L2 and total-variation penalties, and growing
/// the image through `sizes` (coarse structure first). Each step moves the image along the
/// gradient divided by its mean magnitude (a scale-free step), then clamps it to the
/// valid pixel range of the normalisation.
public struct ActivationMaximization: Sendable {
    /// What to maximise.
    public enum Objective: Sendable, Equatable {
        /// The mean activation of channel `channel` of the layer at `layer`.
        case channel(layer: String, channel: Int)
        /// The network's output (logit) for class `index`.
        case classLogit(Int)
    }

    public var objective: Objective
    public var steps = 200
    /// Image side lengths, smallest first; the steps are shared equally among them.
    public var sizes = [96, 160, 224]
    public var stepSize: Float = 0.05
    public var jitter = 8
    public var blurEvery = 4
    public var blurSigma: Float = 0.5
    /// Weights of the penalties: the mean square of the image and its mean squared
    /// difference between neighbouring pixels.
    public var l2: Float = 0.01
    public var totalVariation: Float = 0.05
    /// The network's input normalisation (ImageNet's by default): the valid range per channel
    /// is `(0 − mean)/std … (1 − mean)/std`.
    public var mean: [Float] = [0.485, 0.456, 0.406]
    public var std: [Float] = [0.229, 0.224, 0.225]
    public var seed: UInt64 = 0
    /// Standard deviation of the starting noise, in normalised units (large enough that
    /// units behind a ReLU are not all silent at the start).
    public var initialNoise: Float = 0.5

    public init(objective: Objective) {
        self.objective = objective
    }

    /// The optimised image `1×C×H×W` (normalised, at the last size) and the objective at
    /// every step (before its update).
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown layer, a channel or class out
    ///   of range, or sizes the network cannot take.
    public func run(_ model: Module, progress: ((Int, Float) -> Void)? = nil) throws(StrataError) -> (image: Tensor, objectives: [Float]) {
        guard steps >= 1, !sizes.isEmpty, sizes.allSatisfy({ $0 >= 8 && $0 <= 2048 }) else {
            throw .invalidArgument(op: "maximize", message: "needs steps ≥ 1 and sizes between 8 and 2048, got \(steps) steps, sizes \(sizes)")
        }
        model.eval()
        var generator = RandomGenerator(seed: seed)
        let channels = mean.count
        var image = Tensor.filled([1, channels, sizes[0], sizes[0]]) { initialNoise * generator.nextNormal() }
        var objectives: [Float] = []
        try Attribution.withFrozenParameters(model) { () throws(StrataError) in
            for (stage, size) in sizes.enumerated() {
                if image.shape[2] != size { image = try interpolateBilinear(image, size: AxisValues([size, size])) }
                let stageSteps = steps / sizes.count + (stage < steps % sizes.count ? 1 : 0)
                for _ in 0..<stageSteps {
                    let (dy, dx) = (generator.nextInt(below: 2 * jitter + 1) - jitter, generator.nextInt(below: 2 * jitter + 1) - jitter)
                    let shifted = ImageRoll.roll(image, dy: dy, dx: dx)
                    shifted.requiresGrad = true
                    let value = try objectiveValue(model, shifted)
                    try value.backward()
                    guard let gradient = shifted.grad else { throw .autograd(message: "no gradient reached the image") }
                    image = GradientAscent.step(shifted, gradient: gradient, size: stepSize, l2: l2, totalVariation: totalVariation,
                                                unroll: (dy, dx), mean: mean, std: std)
                    if blurEvery > 0, (objectives.count + 1) % blurEvery == 0 { image = try GaussianBlur.apply(image, sigma: blurSigma) }
                    objectives.append(try value.item())
                    progress?(objectives.count, objectives.last!)
                }
            }
        }
        return (image, objectives)
    }

    private func objectiveValue(_ model: Module, _ image: Tensor) throws(StrataError) -> Tensor {
        switch objective {
        case let .classLogit(index):
            let logits = try model(image)
            try Attribution.checkTarget(index, logits: logits, op: "maximize")
            return try logits.slice(axis: 1, start: index, end: index + 1).sum()
        case let .channel(layer, channel):
            let (_, captured) = try model.forward(image, capturing: [layer])
            guard let output = captured[layer], output.rank >= 2 else {
                throw .invalidArgument(op: "maximize", message: "layer '\(layer)' has no channels to maximise")
            }
            guard channel >= 0, channel < output.shape[1] else {
                throw .invalidArgument(op: "maximize", message: "channel \(channel) is not one of layer '\(layer)'s \(output.shape[1]) channels (0…\(output.shape[1] - 1))")
            }
            return try output.slice(axis: 1, start: channel, end: channel + 1).mean()
        }
    }
}

/// The ascent step shared by activation maximisation and DeepDream, in one pass over the
/// image: the objective's gradient minus the penalties' (`l2·mean(x²)` and
/// `totalVariation·mean((x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])²)`, in closed form),
/// divided by its mean magnitude (a step whose length does not depend on the gradient's
/// scale), the jitter undone, and the result clamped to what a normalisation
/// `(x − mean)/std` gives for pixels in 0…1.
enum GradientAscent {
    static func step(_ image: Tensor, gradient: Tensor, size: Float, l2: Float, totalVariation: Float, unroll: (dy: Int, dx: Int),
                     mean: [Float], std: [Float]) -> Tensor {
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let plane = height * width, count = channels * plane
        let x = image.toArray()
        var direction = gradient.toArray()
        if l2 > 0 {
            let scale = 2 * l2 / Float(count)
            for index in 0..<count { direction[index] -= scale * x[index] }
        }
        if totalVariation > 0 {
            let down = 2 * totalVariation / Float(Swift.max(channels * (height - 1) * width, 1))
            let right = 2 * totalVariation / Float(Swift.max(channels * height * (width - 1), 1))
            for channel in 0..<channels {
                let base = channel * plane
                for row in 0..<height {
                    for column in 0..<width {
                        let at = base + row * width + column
                        if row + 1 < height {
                            let difference = x[at + width] - x[at]
                            direction[at + width] -= down * difference
                            direction[at] += down * difference
                        }
                        if column + 1 < width {
                            let difference = x[at + 1] - x[at]
                            direction[at + 1] -= right * difference
                            direction[at] += right * difference
                        }
                    }
                }
            }
        }
        let magnitude = direction.reduce(0) { $0 + Swift.abs($1) } / Float(Swift.max(count, 1))
        let scale = size / Swift.max(magnitude, 1e-8)
        let result = Tensor(uninitializedShape: image.shape)
        result.withMutableFloats { values in
            for channel in 0..<channels {
                let low = channel < mean.count ? (0 - mean[channel]) / std[channel] : -Float.infinity
                let high = channel < mean.count ? (1 - mean[channel]) / std[channel] : Float.infinity
                let base = channel * plane
                for row in 0..<height {
                    // output pixel (row, column) comes from the shifted image at (row + dy, column + dx)
                    let from = ((row + unroll.dy) % height + height) % height
                    for column in 0..<width {
                        let at = base + from * width + ((column + unroll.dx) % width + width) % width
                        values[base + row * width + column] = Swift.min(Swift.max(x[at] + scale * direction[at], low), high)
                    }
                }
            }
        }
        return result
    }
}

/// Circular shifts of images (jitter).
enum ImageRoll {
    /// `images` (`N×C×H×W`) rolled down by `dy` and right by `dx` pixels, wrapping around.
    static func roll(_ images: Tensor, dy: Int, dx: Int) -> Tensor {
        let (height, width) = (images.shape[2], images.shape[3])
        let planes = images.shape[0] * images.shape[1]
        let source = images.toArray()
        let result = Tensor(uninitializedShape: images.shape)
        result.withMutableFloats { (values: UnsafeMutablePointer<Float>) in
            for plane in 0..<planes {
                let base = plane * height * width
                for row in 0..<height {
                    let from: Int = ((row - dy) % height + height) % height
                    for column in 0..<width {
                        let at: Int = base + from * width + ((column - dx) % width + width) % width
                        values[base + row * width + column] = source[at]
                    }
                }
            }
        }
        return result
    }
}
