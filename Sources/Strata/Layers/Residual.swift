/// `main(x) + shortcut(x)`, the shortcut being the identity unless given (ResNet's block
/// with or without a downsampling projection).
///
/// Children are named `main` and `shortcut` unless other names are given; an empty name
/// puts that branch's own children directly under the parent's path, so a block that
/// stores `conv1`, `bn1`, `downsample` under torchvision's names can run them through a
/// `Residual` without adding a level to its state-dict names (see `Composite`).
public final class Residual: Module {
    public let main: Module
    public let shortcut: Module?
    let mainName: String
    let shortcutName: String

    public init(_ main: Module, shortcut: Module? = nil, mainName: String = "main", shortcutName: String = "shortcut") {
        self.main = main
        self.shortcut = shortcut
        self.mainName = mainName
        self.shortcutName = shortcutName
    }

    public override var namedChildren: [(String, Module)] {
        [(mainName, main)] + (shortcut.map { [(shortcutName, $0)] } ?? [])
    }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        let branch = try main(input)
        let skip = try shortcut.map { module throws(StrataError) in try module(input) } ?? input
        guard branch.shape == skip.shape else {
            throw .shapeMismatch(op: "Residual", message: "the main branch gives \(ShapeNotation.describe(branch.shape)) but the shortcut gives \(ShapeNotation.describe(skip.shape)); add a shortcut projection (1×1 convolution) that fits")
        }
        return try branch + skip
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        let branch = try main.outputShape(for: input)
        let skip = try shortcut?.outputShape(for: input) ?? input
        guard branch == skip else {
            throw .shapeMismatch(op: "Residual", message: "the main branch gives \(ShapeNotation.describe(branch)) but the shortcut gives \(ShapeNotation.describe(skip))")
        }
        return branch
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let branch = try main.summarize(into: &rows, path: ModulePath.child(path, mainName), flow: flow)
        let skip = try shortcut?.summarize(into: &rows, path: ModulePath.child(path, shortcutName), flow: flow) ?? flow
        guard branch.shape == skip.shape else {
            throw .shapeMismatch(op: "summary", message: "layer \(path.isEmpty ? "Residual" : path): the main branch gives \(ShapeNotation.describe(branch.shape)) but the shortcut gives \(ShapeNotation.describe(skip.shape))")
        }
        return branch.merged(with: skip, shape: branch.shape)
    }
}

/// Runs branches on the same input and joins their outputs along the channel axis
/// (Inception's block, DenseNet's `cat(x, f(x))`). Children are named `0`, `1`, … unless
/// names are given (an empty name: see `Residual`).
public final class Concat: Module {
    public let branches: [Module]
    let names: [String]

    public init(_ branches: [Module], names: [String]? = nil) {
        self.branches = branches
        self.names = names ?? branches.indices.map(String.init)
    }

    public override var namedChildren: [(String, Module)] { Array(zip(names, branches)) }

    public override func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        var outputs: [Tensor] = []
        for branch in branches { outputs.append(try branch(input)) }
        return try Tensor.concat(outputs, axis: 1)
    }

    public override func outputShape(for input: [Int]) throws(StrataError) -> [Int] {
        var shapes: [[Int]] = []
        for branch in branches { shapes.append(try branch.outputShape(for: input)) }
        return try Self.joined(shapes)
    }

    static func joined(_ shapes: [[Int]]) throws(StrataError) -> [Int] {
        guard var result = shapes.first else { throw .invalidArgument(op: "Concat", message: "needs at least one branch") }
        for shape in shapes.dropFirst() {
            guard shape.count == result.count, shape.count >= 2, shape[0] == result[0], shape.dropFirst(2) == result.dropFirst(2) else {
                throw .shapeMismatch(op: "Concat", message: "branch outputs \(shapes.map(ShapeNotation.describe)) differ outside the channel axis")
            }
            result[1] += shape[1]
        }
        return result
    }

    public override func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        var flows: [ShapeFlow] = []
        for (name, branch) in zip(names, branches) {
            flows.append(try branch.summarize(into: &rows, path: ModulePath.child(path, name), flow: flow))
        }
        let shape: [Int]
        do { shape = try Self.joined(flows.map(\.shape)) } catch {
            throw .shapeMismatch(op: "summary", message: "layer \(path.isEmpty ? "Concat" : path): \(error)")
        }
        return flows.dropFirst().reduce(flows[0]) { $0.merged(with: $1, shape: shape) }
    }
}

/// Dotted module paths as state dicts write them.
enum ModulePath {
    /// `parent.name`; an empty side is left out (an unnamed branch keeps its parent's path).
    static func child(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : (name.isEmpty ? parent : "\(parent).\(name)")
    }
}
