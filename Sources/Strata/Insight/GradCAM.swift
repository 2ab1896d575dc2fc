/// Grad-CAM (Selvaraju et al. 2017): where a layer's feature maps matter for a class —
/// the channels of the layer's output `A` (`1×C×h×w`) weighted by the spatial mean of
/// `∂ score_target / ∂ A`, summed, through ReLU, and upsampled bilinearly to the input's
/// `H×W`; as Captum's `LayerGradCam(relu_attributions=True)` followed by
/// `LayerAttribution.interpolate(…, "bilinear")`.
public enum GradCAM {
    /// The map at the input's resolution `H×W` and at the layer's own `h×w`.
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown layer (naming the nearest) or
    ///   a target outside the classes; `shapeMismatch` when the layer's output is not `1×C×h×w`.
    public static func map(_ model: Module, input: Tensor, target: Int, layer: String) throws(StrataError) -> (map: Tensor, coarse: Tensor) {
        let image = try Attribution.checkImage(input, op: "gradcam")
        // the input needs no gradient; the captured layer's comes from the graph behind it
        image.requiresGrad = true
        return try Attribution.withFrozenParameters(model) { () throws(StrataError) in try map(model, image: image, target: target, layer: layer) }
    }

    private static func map(_ model: Module, image: Tensor, target: Int, layer: String) throws(StrataError) -> (map: Tensor, coarse: Tensor) {
        let (logits, captured) = try model.forward(image, capturing: [layer], retainingGradients: true)
        try Attribution.checkTarget(target, logits: logits, op: "gradcam")
        guard let activations = captured[layer], activations.rank == 4 else {
            throw .shapeMismatch(op: "gradcam", message: "layer '\(layer)' gives \(Shape.describe(captured[layer]?.shape ?? [])); Grad-CAM needs feature maps 1×C×h×w (a convolutional layer)")
        }
        guard activations.requiresGrad else {
            throw .autograd(message: "layer '\(layer)' does not depend on anything that needs gradients")
        }
        try logits.backward(gradient: Attribution.oneHot(rows: 1, classes: logits.shape[1], target: target))
        guard let gradient = activations.grad else { throw .autograd(message: "no gradient reached layer '\(layer)'") }
        let coarse = try withoutGradients { () throws(StrataError) -> Tensor in
            let weights = try gradient.mean(axes: [2, 3], keepDims: true)
            return relu(try (weights * activations.detach()).sum(axes: [1], keepDims: true))
        }
        let map = try interpolateBilinear(coarse, size: AxisValues([image.shape[2], image.shape[3]]))
        return (try map.reshape([image.shape[2], image.shape[3]]), try coarse.reshape(Array(coarse.shape.suffix(2))))
    }
}
