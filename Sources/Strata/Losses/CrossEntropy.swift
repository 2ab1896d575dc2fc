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
    let (losses, totalWeight) = try perSampleCrossEntropy(rows, indices, classWeights, ignoreIndex, labelSmoothing)
    switch reduction {
    case .none:
        return logits.rank == 1 ? try losses.reshape([]) : try losses.reshape(expectedTarget)
    case .sum:
        return losses.sum()
    case .mean:
        return losses.sum() * (1 / totalWeight)
    }
}

/// The per-row losses of `rows` (`M×K`) and the summed weight of counted rows: each row's
/// target as a distribution over the classes — `(1 − ε)·w_t` at the target plus `ε/K·w_k`
/// everywhere, zero for an ignored row — against the log-softmax of its logits, so the
/// arithmetic (and its gradient, `p·Σq − q` per row) runs in the backend's kernels.
private func perSampleCrossEntropy(_ rows: Tensor, _ indices: [Int], _ weights: [Float], _ ignoreIndex: Int?,
                                   _ smoothing: Float) throws(StrataError) -> (Tensor, Float) {
    let (n, classes) = (rows.shape[0], rows.shape[1])
    let share = smoothing / Float(classes)
    var targets = [Float](repeating: 0, count: n * classes)
    var counted: Float = 0
    for i in 0..<n where indices[i] != ignoreIndex {
        for k in 0..<classes { targets[i * classes + k] = share * weights[k] }
        targets[i * classes + indices[i]] += (1 - smoothing) * weights[indices[i]]
        counted += weights[indices[i]]
    }
    let distribution = try Tensor(targets, shape: [n, classes])
    return (try -(try logSoftmax(rows, axis: 1) * distribution).sum(axes: [1]), counted)
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
