/// Fully connected layer: `y = x·Wᵀ + b` for `x` of `…×in`, `weight` of `out×in` and
/// `bias` of `out`, giving `…×out`.
///
/// - Throws: `StrataError.shapeMismatch` naming both shapes when `x`'s last axis is not
///   `in` or `bias` is not `[out]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws(StrataError) -> Tensor {
    try ONNXTrace.op([input, weight, bias], emit: ONNXEmit.linear(inputRank: input.rank)) { () throws(StrataError) in
        let op = "linear"
        for tensor in [input, weight] + (bias.map { [$0] } ?? []) where tensor.dtype != .float32 {
            throw .dtypeMismatch(op: op, expected: .float32, got: tensor.dtype)
        }
        guard weight.rank == 2 else {
            throw .shapeMismatch(op: op, message: "weight must be out_features×in_features, got shape \(Shape.describe(weight.shape))")
        }
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        guard input.rank >= 1, input.shape[input.rank - 1] == inFeatures else {
            throw .shapeMismatch(op: op, message: "expects \(inFeatures) input features (weight \(Shape.describe(weight.shape))) but the input \(Shape.describe(input.shape)) has \(input.shape.last ?? 0) in its last axis")
        }
        if let bias, bias.shape != [outFeatures] {
            throw .shapeMismatch(op: op, message: "bias must have shape [\(outFeatures)], got \(Shape.describe(bias.shape))")
        }
        let rows = input.count / Swift.max(inFeatures, 1)
        let outputShape = Array(input.shape.dropLast()) + [outFeatures]
        let x = input.dense(), w = weight.dense()
        let result = Kernels.matmul(x, w, batch: 1, m: rows, k: inFeatures, n: outFeatures, transposeA: false, transposeB: true,
                                    bias: bias).viewing(shape: outputShape)
        try BackendFailure.check()
        let (savedInput, savedWeight) = (x.detach(), w.detach())
        let needs = (input.requiresGrad, weight.requiresGrad, bias?.requiresGrad ?? false)
        return Tensor.record(result, op, inputs: [input, weight] + (bias.map { [$0] } ?? [])) { grad in
            let dy = grad.dense()
            // dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy
            let dx = needs.0
                ? Kernels.matmul(dy, savedWeight, batch: 1, m: rows, k: outFeatures, n: inFeatures,
                                 transposeA: false, transposeB: false).viewing(shape: savedInput.shape)
                : nil
            let dw = needs.1
                ? Kernels.matmul(dy, savedInput, batch: 1, m: outFeatures, k: rows, n: inFeatures,
                                 transposeA: true, transposeB: false).viewing(shape: savedWeight.shape)
                : nil
            let db = needs.2 ? Kernels.sum(dy.viewing(shape: [rows, outFeatures]), axes: [0]).viewing(shape: [outFeatures]) : nil
            return [dx, dw] + (bias == nil ? [] : [db])
        }
    }
}
