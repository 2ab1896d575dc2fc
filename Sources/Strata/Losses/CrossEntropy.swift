/// Cross-entropy between logits `N×K` (or `K` for one sample) and int64 class indices `N`,
/// with optional label smoothing ε: the target distribution is `(1 − ε)·onehot + ε/K`,
/// so the loss per sample is `−(1 − ε)·log p_target − ε/K·Σ_k log p_k` (PyTorch's rule).
///
/// - Throws: `StrataError.dtypeMismatch` when `target` is not int64,
///   `shapeMismatch` when the sample counts differ, `invalidArgument` for a class index
///   outside `0..<K` (naming the sample) or ε outside `[0, 1]`.
public func crossEntropy(_ logits: Tensor, target: Tensor, labelSmoothing: Float = 0,
                         reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let op = "crossEntropy"
    guard logits.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: logits.dtype) }
    guard target.dtype == .int64 else { throw .dtypeMismatch(op: op, expected: .int64, got: target.dtype) }
    guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
        throw .invalidArgument(op: op, message: "labelSmoothing must be in [0, 1], got \(labelSmoothing)")
    }
    let batched = logits.rank == 1 ? try logits.unsqueeze(axis: 0) : logits
    let labels = target.rank == 0 ? target.viewing(shape: [1]) : target
    guard batched.rank == 2, labels.rank == 1, labels.shape[0] == batched.shape[0] else {
        throw .shapeMismatch(op: op, message: "expects logits N×K and target N, got logits \(Shape.describe(logits.shape)) and target \(Shape.describe(target.shape))")
    }
    let (n, classes) = (batched.shape[0], batched.shape[1])
    let indices = labels.toLabels()
    if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        throw .invalidArgument(op: op, message: "target[\(bad)] = \(indices[bad]) is not a class index in 0..<\(classes)")
    }
    let logProbabilities = Kernels.backend.softmaxForward(input: batched, axis: 1, log: true)
    let lp = logProbabilities.floats
    let smoothing = labelSmoothing / Float(classes)
    let losses = Tensor(uninitializedShape: [n])
    for i in 0..<n {
        var total: Float = 0
        for k in 0..<classes { total += lp[i * classes + k] }
        losses.floats[i] = -(1 - labelSmoothing) * lp[i * classes + indices[i]] - smoothing * total
    }
    let perSample = Tensor.record(losses, op, inputs: [batched]) { grad in
        // d loss_i / d logits_ik = softmax_ik − target_ik
        let g = grad.dense()
        let result = Kernels.unary(.exp, logProbabilities)
        for i in 0..<n {
            let row = result.floats + i * classes
            for k in 0..<classes { row[k] = (row[k] - smoothing) * g.floats[i] }
            row[indices[i]] -= (1 - labelSmoothing) * g.floats[i]
        }
        return [result]
    }
    let reduced = reduction.apply(perSample)
    return logits.rank == 1 && reduction == .none ? try reduced.reshape([]) : reduced
}
