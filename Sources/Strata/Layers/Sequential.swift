/// Layers applied one after another (PyTorch's `nn.Sequential`). Children are named
/// `0`, `1`, … or by the names given, so state-dict keys read `features.0.weight`.
///
///     let lenet = Sequential {
///         Conv2d(1, 6, kernel: 5, padding: 2); ReLU(); MaxPool2d(2)
///         Conv2d(6, 16, kernel: 5); ReLU(); MaxPool2d(2)
///         Flatten(); Linear(400, 120); ReLU(); Linear(120, 84); ReLU(); Linear(84, 10)
///     }
public final class Sequential: Module {
    public private(set) var layers: [(name: String, module: Module)]

    /// Layers named by position.
    public init(_ layers: [Module]) {
        self.layers = layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// Layers with their own names (PyTorch's `Sequential(OrderedDict(...))`).
    public init(named layers: [(String, Module)]) {
        self.layers = layers.map { ($0.0, $0.1) }
    }

    /// Layers listed in a block.
    public convenience init(@LayerBuilder _ content: () throws -> [Module]) rethrows {
        self.init(try content())
    }

    public override var namedChildren: [(String, Module)] { layers.map { ($0.name, $0.module) } }

    /// The layer at a position.
    public subscript(index: Int) -> Module { layers[index].module }

    public var count: Int { layers.count }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        var x = input
        for (_, layer) in layers { x = try layer(x) }
        return x
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        var shape = input
        for (_, layer) in layers { shape = try layer.outputShape(for: shape) }
        return shape
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        var current = flow
        var previous: (path: String, text: String, input: [Int])?
        for (name, layer) in layers {
            let layerPath = ModulePath.child(path, name)
            do {
                let next = try layer.summarize(into: &rows, path: layerPath, flow: current)
                previous = (layerPath, layer.summaryText, current.shape)
                current = next
            } catch {
                // say where the misfitting input came from: "Flatten gives 576 = 16@6×6"
                guard let previous, !error.message.contains("; it follows ") else { throw error }
                var gives = ShapeNotation.describe(current.shape)
                if previous.input.count > current.shape.count { gives += " = " + ShapeNotation.describe(previous.input) }
                throw .shapeMismatch(op: "summary", message: "\(error.message); it follows \(previous.path) (\(previous.text)), which gives \(gives)")
            }
        }
        return current
    }
}

/// Collects the layers of a `Sequential { … }` block.
@resultBuilder
public enum LayerBuilder {
    public static func buildExpression(_ layer: Module) -> [Module] { [layer] }
    public static func buildExpression(_ layers: [Module]) -> [Module] { layers }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first part: [Module]) -> [Module] { part }
    public static func buildEither(second part: [Module]) -> [Module] { part }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}
