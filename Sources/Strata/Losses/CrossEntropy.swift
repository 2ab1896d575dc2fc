/// Cross-entropy between logits and int64 class indices, as `torch.nn.functional.cross_entropy`:
/// logits `N×K` with target `N`, `K` with a scalar target, or `N×K×d…` with target `N×d…`
/// (per-pixel classification). Per sample, with log-probabilities `lp`, optional class
/// weights `w` (default 1) and label smoothing ε:
///
///     loss = −(1 − ε)·w_t·lp_t − ε/K·Σ_k w_k·lp_k
///
/// Samples whose target is `ignoreIndex` contribute nothing. The mean divides by the
/// summed weight `Σ w_t` of the counted samples (their number without weights).
/// A float `target` of the logits' shape holds class probabilities instead:
/// `loss = −Σ_k w_k·q_k·lp_k` with `q = (1 − ε)·target + ε/K`, the mean over samples.
///
/// - Throws: `StrataError.dtypeMismatch` when `target` is not int64,
///   `shapeMismatch` when the shapes disagree or `weight` is not `[K]`,
///   `invalidArgument` for a class index outside `0..<K` (naming the sample) or ε
///   outside `[0, 1]`.
public func crossEntropy(_ logits: Tensor, target: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
                         labelSmoothing: Float = 0, reduction: Reduction = .mean) throws(StrataError) -> Tensor {
    let op = "crossEntropy"
    guard logits.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: logits.dtype) }
    if target.dtype == .float32 && target.shape == logits.shape && logits.rank >= 1 {
        return try softCrossEntropy(logits, probabilities: target, weight: weight, labelSmoothing: labelSmoothing,
                                    reduction: reduction)
    }
    guard target.dtype == .int64 else { throw .dtypeMismatch(op: op, expected: .int64, got: target.dtype) }
    guard labelSmoothing >= 0 && labelSmoothing <= 1 else {
        throw .invalidArgument(op: op, message: "labelSmoothing must be in [0, 1], got \(labelSmoothing)")
    }
    // bring the class axis last: rows × K logits, rows targets
    let batched = logits.rank == 1 ? try logits.unsqueeze(axis: 0) : logits
    let labels = logits.rank == 1 ? try target.reshape([1]) : target
    let expectedTarget = batched.rank >= 2 ? [batched.shape[0]] + Array(batched.shape.dropFirst(2)) : []
    guard batched.rank >= 2, labels.shape == expectedTarget else {
        throw .shapeMismatch(op: op, message: "expects logits N×K (or N×K×d…) and target N (or N×d…), got logits \(Shape.describe(logits.shape)) and target \(Shape.describe(target.shape))")
    }
    let classes = batched.shape[1]
    if let weight, weight.shape != [classes] || weight.dtype != .float32 {
        throw .shapeMismatch(op: op, message: "weight must be a float tensor of shape [\(classes)] (one per class), got \(Shape.describe(weight.shape))")
    }
    let rows = batched.rank == 2 ? batched
        : try batched.permute([0] + Array(2..<batched.rank) + [1]).reshape([-1, classes])
    let indices = labels.toLabels()
    if let bad = indices.firstIndex(where: { ($0 < 0 || $0 >= classes) && $0 != ignoreIndex }) {
        throw .invalidArgument(op: op, message: "target[\(bad)] = \(indices[bad]) is not a class index in 0..<\(classes)")
    }
    let classWeights = weight?.toArray() ?? [Float](repeating: 1, count: classes)
    let (losses, totalWeight) = perSampleCrossEntropy(rows, indices, classWeights, ignoreIndex, labelSmoothing)
    switch reduction {
    case .none:
        return logits.rank == 1 ? try losses.reshape([]) : try losses.reshape(expectedTarget)
    case .sum:
        return losses.sum()
    case .mean:
        return losses.sum() * (1 / totalWeight)
    }
}

/// The recorded per-row losses of `rows` (`M×K`) and the summed weight of counted rows.
private func perSampleCrossEntropy(_ rows: Tensor, _ indices: [Int], _ weights: [Float], _ ignoreIndex: Int?,
                                   _ smoothing: Float) -> (Tensor, Float) {
    let (n, classes) = (rows.shape[0], rows.shape[1])
    let logProbabilities = Kernels.backend.softmaxForward(input: rows, axis: 1, log: true)
    let lp = logProbabilities.toArray()
    let share = smoothing / Float(classes)
    let weightTotal = weights.reduce(0, +)
    var values = [Float](repeating: 0, count: n)
    var counted: Float = 0
    for i in 0..<n where indices[i] != ignoreIndex {
        var smoothed: Float = 0
        for k in 0..<classes { smoothed += weights[k] * lp[i * classes + k] }
        let t = indices[i]
        values[i] = -(1 - smoothing) * weights[t] * lp[i * classes + t] - share * smoothed
        counted += weights[t]
    }
    let losses = Tensor(values)
    let recorded = Tensor.record(losses, "crossEntropy", inputs: [rows]) { grad in
        // d loss_i / d z_j = p_j·((1 − ε)·w_t + ε/K·Σw) − (1 − ε)·w_t·[j = t] − ε/K·w_j
        let g = grad.toArray()
        let result = Kernels.unary(.exp, logProbabilities)
        result.withMutableFloats { probabilities in
            for i in 0..<n {
                let row = probabilities + i * classes
                guard indices[i] != ignoreIndex else {
                    for k in 0..<classes { row[k] = 0 }
                    continue
                }
                let t = indices[i], scale = g[i]
                let mass = (1 - smoothing) * weights[t] + share * weightTotal
                for k in 0..<classes { row[k] = (row[k] * mass - share * weights[k]) * scale }
                row[t] -= (1 - smoothing) * weights[t] * scale
            }
        }
        return [result]
    }
    return (recorded, counted)
}

/// Cross-entropy against class probabilities `N×K` (or `N×K×d…`), as PyTorch computes it
/// for a float target.
private func softCrossEntropy(_ logits: Tensor, probabilities: Tensor, weight: Tensor?, labelSmoothing: Float,
                              reduction: Reduction) throws(StrataError) -> Tensor {
    let classAxis = logits.rank == 1 ? 0 : 1
    let classes = logits.shape[classAxis]
    if let weight, weight.shape != [classes] {
        throw .shapeMismatch(op: "crossEntropy", message: "weight must have shape [\(classes)], got \(Shape.describe(weight.shape))")
    }
    var shape = [Int](repeating: 1, count: logits.rank)
    shape[classAxis] = classes
    let smoothed = labelSmoothing == 0 ? probabilities : probabilities * (1 - labelSmoothing) + labelSmoothing / Float(classes)
    let weighted = try weight.map { w throws(StrataError) in try smoothed.detach() * w.dense().viewing(shape: shape) } ?? smoothed.detach()
    let losses = try -(try logSoftmax(logits, axis: classAxis) * weighted).sum(axes: [classAxis])
    return reduction.apply(losses)
}
