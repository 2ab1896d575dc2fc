/// One line of a model summary: a layer, its output and its cost.
public struct SummaryRow: Sendable {
    /// State-dict path of the layer (`features.0`).
    public let name: String
    /// Type with hyperparameters in the field's notation (`Conv2d 1→6, k5×5, s1, p2, d1`).
    public let layer: String
    /// Output shape with the batch axis.
    public let outputShape: [Int]
    public let parameters: Int
    public let trainableParameters: Int
    /// Floating-point operations per sample (a multiply-add counts 2).
    public let flops: Int
    /// Receptive field per spatial axis on the input (`nil` once global).
    public let receptiveField: [Int]?
    /// Jump (effective stride) per spatial axis.
    public let jump: [Int]
}
