/// What is known at one point of a network when shapes flow through it without numbers:
/// the shape (with a batch axis) and, per spatial axis, the receptive field of one unit
/// on the input and the jump (effective stride) between neighbouring units.
public struct ShapeFlow: Sendable, Equatable {
    public var shape: [Int]
    /// Input positions one unit sees along each spatial axis; `nil` once a layer
    /// (flatten, global pooling, linear) mixes every position.
    public var receptiveField: [Int]?
    /// Input positions between neighbouring units along each spatial axis.
    public var jump: [Int]

    /// The flow at the input of a network: each unit sees itself.
    public init(input shape: [Int]) {
        self.shape = shape
        let spatial = Swift.max(shape.count - 2, 0)
        receptiveField = [Int](repeating: 1, count: spatial)
        jump = [Int](repeating: 1, count: spatial)
    }

    /// After a sliding window of `kernel`/`stride`/`dilation` per spatial axis:
    /// `rf += dilation·(kernel − 1)·jump`, `jump ·= stride`.
    func sliding(kernel: [Int], stride: [Int], dilation: [Int], to shape: [Int]) -> ShapeFlow {
        var next = self
        next.shape = shape
        if let field = receptiveField, field.count == kernel.count {
            next.receptiveField = (0..<kernel.count).map { field[$0] + dilation[$0] * (kernel[$0] - 1) * jump[$0] }
            next.jump = (0..<kernel.count).map { jump[$0] * stride[$0] }
        }
        return next
    }

    /// After a layer that mixes every spatial position.
    func global(to shape: [Int]) -> ShapeFlow {
        var next = self
        next.shape = shape
        next.receptiveField = nil
        next.jump = []
        return next
    }

    /// The wider view of two branches that meet (residual add, concat).
    func merged(with other: ShapeFlow, shape: [Int]) -> ShapeFlow {
        var next = self
        next.shape = shape
        if let a = receptiveField, let b = other.receptiveField, a.count == b.count {
            next.receptiveField = zip(a, b).map { Swift.max($0, $1) }
            next.jump = zip(jump, other.jump).map { Swift.max($0, $1) }
        } else {
            next.receptiveField = nil
            next.jump = []
        }
        return next
    }
}

/// Shapes in the field's notation: `6@28×28` (channels@height×width), `12@196` for
/// sequences, `120` for feature vectors; the batch axis is left out.
public enum ShapeNotation {
    public static func describe(_ shapeWithBatch: [Int]) -> String {
        describeSample(Array(shapeWithBatch.dropFirst()))
    }

    /// A sample's shape (no batch axis).
    public static func describeSample(_ shape: [Int]) -> String {
        switch shape.count {
        case 0: return "scalar"
        case 1: return "\(shape[0])"
        default: return "\(shape[0])@" + shape.dropFirst().map(String.init).joined(separator: "×")
        }
    }
}
