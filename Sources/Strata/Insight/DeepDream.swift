/// DeepDream (Mordvintsev et al. 2015): a real image changed by gradient ascent on the
/// sum over chosen layers of their mean squared activations, so whatever those layers
/// see grows. The image is processed at `octaves` sizes, each `octaveScale` times the
/// previous, smallest first; at each size it takes `steps` normalised ascent steps with
/// random jitter, and the detail it gained is carried, upsampled, to the next size.
///
///     strata insight dream --model mobilenet_v2 --weights … --image coffee.png --layers features.10.conv.1 --octaves 3
public struct DeepDream: Sendable {
    public var layers: [String]
    public var octaves = 4
    public var octaveScale: Float = 1.4
    public var steps = 20
    public var stepSize: Float = 0.1
    /// Random shift in pixels at the full size (proportionally less at smaller octaves):
    /// strided networks see a pattern differently at every offset, so a large jitter
    /// favours shift-invariant patterns and slows the ascent.
    public var jitter = 4
    public var mean: [Float] = [0.485, 0.456, 0.406]
    public var std: [Float] = [0.229, 0.224, 0.225]
    public var seed: UInt64 = 0

    public init(layers: [String]) {
        self.layers = layers
    }

    /// The dreamed image (normalised, the input's size) and the objective at every step.
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown layer or settings out of range.
    public func run(_ model: Module, image input: Tensor, progress: ((Int, Float) -> Void)? = nil) throws(StrataError) -> (image: Tensor, objectives: [Float]) {
        let image = try Attribution.checkImage(input, op: "dream")
        guard !layers.isEmpty, octaves >= 1, octaves <= 12, octaveScale >= 1, steps >= 1 else {
            throw .invalidArgument(op: "dream", message: "needs at least one layer, 1…12 octaves, an octave scale ≥ 1 and steps ≥ 1")
        }
        for layer in layers { _ = try model.submodule(at: layer) }
        model.eval()
        return try Attribution.withFrozenParameters(model) { () throws(StrataError) in try dream(model, image: image, progress: progress) }
    }

    private func dream(_ model: Module, image: Tensor, progress: ((Int, Float) -> Void)?) throws(StrataError) -> (image: Tensor, objectives: [Float]) {
        var generator = RandomGenerator(seed: seed)
        // the octave pyramid, largest first
        var pyramid = [image]
        for _ in 1..<octaves {
            let (height, width) = (pyramid.last!.shape[2], pyramid.last!.shape[3])
            let size = [Swift.max(Int(Float(height) / octaveScale), 16), Swift.max(Int(Float(width) / octaveScale), 16)]
            pyramid.append(try interpolateBilinear(pyramid.last!, size: AxisValues(size)))
        }
        var detail = Tensor(zerosShape: pyramid.last!.shape)
        var objectives: [Float] = []
        var result = image
        for base in pyramid.reversed() {
            let size = [base.shape[2], base.shape[3]]
            if detail.shape != base.shape { detail = try interpolateBilinear(detail, size: AxisValues(size)) }
            var dreamed = try base + detail
            // jitter in proportion to this octave's size
            let shift = Swift.max(0, Int((Float(jitter) * Float(size[1]) / Float(image.shape[3])).rounded()))
            for _ in 0..<steps {
                let (dy, dx) = (generator.nextInt(below: 2 * shift + 1) - shift, generator.nextInt(below: 2 * shift + 1) - shift)
                let shifted = ImageRoll.roll(dreamed, dy: dy, dx: dx)
                shifted.requiresGrad = true
                let (_, captured) = try model.forward(shifted, capturing: layers)
                var objective = Tensor(zerosShape: [])
                for layer in layers { objective = try objective + captured[layer]!.square().mean() }
                try objective.backward()
                guard let gradient = shifted.grad else { throw .autograd(message: "no gradient reached the image") }
                dreamed = GradientAscent.step(shifted, gradient: gradient, size: stepSize, l2: 0, totalVariation: 0, unroll: (dy, dx),
                                              mean: mean, std: std)
                objectives.append(try objective.item())
                progress?(objectives.count, objectives.last!)
            }
            detail = try dreamed - base
            result = dreamed
        }
        return (result, objectives)
    }
}
