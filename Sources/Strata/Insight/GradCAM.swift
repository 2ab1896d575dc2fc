/// Grad-CAM (Selvaraju et al. 2017): where a layer's feature maps matter for a class —
/// the channels of the layer's output `A` (`1×C×h×w`, or `1×C×l` in a network for series)
/// weighted by the mean over positions of `∂ score_target / ∂ A`, summed, through ReLU,
/// and upsampled to the input's `H×W` (bilinear) or `L` (linear); as Captum's
/// `LayerGradCam(relu_attributions=True)` followed by `LayerAttribution.interpolate(…,
/// "bilinear")` for images and `(…, "linear")` for series — the class activation maps Wang
/// et al. (2017) draw for time-series classifiers.
public enum GradCAM {
    /// The map at the input's resolution (`H×W` or `L`) and at the layer's own (`h×w` or `l`).
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown layer (naming the nearest) or
    ///   a target outside the classes; `shapeMismatch` when the input is not one image or
    ///   series, or the layer's output does not have the input's positions axes.
    public static func map(_ model: Module, input: Tensor, target: Int, layer: String) throws(StrataError) -> (map: Tensor, coarse: Tensor) {
        let sample = try Attribution.checkSample(input, op: "gradcam")
        // the input needs no gradient; the captured layer's comes from the graph behind it
        sample.requiresGrad = true
        return try Attribution.withFrozenParameters(model) { () throws(StrataError) in try map(model, sample: sample, target: target, layer: layer) }
    }

    private static func map(_ model: Module, sample: Tensor, target: Int, layer: String) throws(StrataError) -> (map: Tensor, coarse: Tensor) {
        let (logits, captured) = try model.forward(sample, capturing: [layer], retainingGradients: true)
        try Attribution.checkTarget(target, logits: logits, op: "gradcam")
        guard let activations = captured[layer], activations.rank == sample.rank else {
            let wanted = sample.rank == 3 ? "feature maps along time 1×C×l (a convolutional layer of the series network)"
                : "feature maps 1×C×h×w (a convolutional layer)"
            throw .shapeMismatch(op: "gradcam", message: "layer '\(layer)' gives \(Shape.describe(captured[layer]?.shape ?? [])); Grad-CAM needs \(wanted)")
        }
        guard activations.requiresGrad else {
            throw .autograd(message: "layer '\(layer)' does not depend on anything that needs gradients")
        }
        try logits.backward(gradient: Attribution.oneHot(rows: 1, classes: logits.shape[1], target: target))
        guard let gradient = activations.grad else { throw .autograd(message: "no gradient reached layer '\(layer)'") }
        let positionAxes = Array(2..<sample.rank)
        let coarse = try withoutGradients { () throws(StrataError) -> Tensor in
            let weights = try gradient.mean(axes: positionAxes, keepDims: true)
            return relu(try (weights * activations.detach()).sum(axes: [1], keepDims: true))
        }
        let size = Array(sample.shape.dropFirst(2)), coarseSize = Array(coarse.shape.dropFirst(2))
        // a series is an image one row high: bilinear along a single row is linear interpolation
        let planar = { (shape: [Int]) in shape.count == 1 ? [1] + shape : shape }
        let map = try interpolateBilinear(try coarse.reshape([1, 1] + planar(coarseSize)), size: AxisValues(planar(size)))
        return (try map.reshape(size), try coarse.reshape(coarseSize))
    }
}
