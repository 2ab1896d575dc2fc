/// A block or network that stores its children under PyTorch's names and describes its
/// computation as a `body` of generic containers (`Sequential`, `Residual`, `Concat`) over
/// those same children. The body is built on demand, so it adds no level to state-dict
/// names, and forward, output shapes and summaries all follow it — one description of the
/// data flow instead of three hand-written loops.
///
///     final class Fire: Composite {            // SqueezeNet: squeeze, then two expands side by side
///         let squeeze: Conv2d, squeeze_activation = ReLU(), expand1x1: Conv2d, …
///         override var body: Module {
///             Sequential(named: [("squeeze", squeeze), ("squeeze_activation", squeeze_activation),
///                                ("", Concat([expand1, expand3], names: ["", ""]))])
///         }
///     }
///
/// The default body runs the stored children one after another in declaration order,
/// which is PyTorch's most common `forward`.
open class Composite: Module {
    /// The computation over this module's children; paths inside it are relative to this
    /// module (an empty name keeps the parent's path).
    open var body: Module { Sequential(named: namedChildren) }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { try body(input) }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] { try body.outputShape(for: input) }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        try body.summarize(into: &rows, path: path, flow: flow)
    }
}

/// Passes its input on unchanged (PyTorch's `nn.Identity`); adds no summary row.
public final class Identity: Module {
    public override init() {}

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor { input }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        flow
    }
}
