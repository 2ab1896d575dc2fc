/// A layer or a network: computes `forward`, owns named parameters and buffers, and
/// contains child modules — PyTorch's `nn.Module`.
///
/// Subclasses declare state with `@Parameter`/`@Buffer` and children as stored
/// properties; their Swift names become the state-dict names (`conv1.weight`,
/// `layer1.0.bn1.running_mean`), found by reflection in declaration order, so weights
/// saved from PyTorch load by name. Arrays of modules are numbered (`blocks.0`, …).
open class Module {
    /// Training mode (batch statistics, dropout active) or evaluation mode.
    public private(set) var isTraining = true

    public init() {}

    /// The layer's computation. Subclasses override it.
    open func forward(_ input: Tensor) throws(StrataError) -> Tensor {
        throw .invalidArgument(op: typeName, message: "has no forward(_:)")
    }

    /// Runs `forward`; while a `LayerCapture` is recording, a layer it watches leaves its output there.
    public func callAsFunction(_ input: Tensor) throws(StrataError) -> Tensor {
        ONNXTrace.current?.enter(self)
        defer { ONNXTrace.current?.leave() }
        let output = try forward(input)
        try BackendFailure.check()
        if let capture = LayerCapture.current { capture.record(self, output) }
        return output
    }

    /// The type's name as printed in summaries (`Conv2d`).
    public var typeName: String { String(describing: type(of: self)) }

    // MARK: Structure

    /// Direct children with their names, in declaration order. Containers override it.
    open var namedChildren: [(String, Module)] {
        var children: [(String, Module)] = []
        forEachStoredProperty { label, value in
            if let module = value as? Module {
                children.append((label, module))
            } else if let modules = value as? [Module] {
                children.append(contentsOf: modules.enumerated().map { ("\(label).\($0.offset)", $0.element) })
            }
        }
        return children
    }

    /// This module's own parameters and buffers (not its children's), in declaration order.
    var ownState: [(name: String, tensor: Tensor, isBuffer: Bool)] {
        var state: [(String, Tensor, Bool)] = []
        forEachStoredProperty { label, value in
            if let property = value as? StateProperty, let tensor = property.tensor {
                state.append((label, tensor, property.isBuffer))
            }
        }
        // PyTorch lists a module's parameters before its buffers
        return state.filter { !$0.2 } + state.filter { $0.2 }
    }

    /// Calls `body` with each stored property of this class and its superclasses
    /// (property-wrapper storage loses its leading underscore).
    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        var mirror: Mirror? = Mirror(reflecting: self)
        var levels: [Mirror] = []
        while let current = mirror, current.subjectType != Module.self {
            levels.append(current)
            mirror = current.superclassMirror
        }
        for level in levels.reversed() {
            for child in level.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                body(label, child.value)
            }
        }
    }

    /// Every module in the tree with its dotted path ("" for this one), parents first.
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        var result = [(prefix, self)]
        for (name, child) in namedChildren {
            result += child.namedModules(prefix: ModulePath.child(prefix, name))
        }
        return result
    }

    /// Learnable tensors with their state-dict names.
    public func namedParameters() -> [(String, Tensor)] {
        namedState().filter { !$0.isBuffer }.map { ($0.name, $0.tensor) }
    }

    /// Learnable tensors, in state-dict order.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Parameters that currently get gradients (not frozen).
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    /// Buffers (running statistics, counters) with their state-dict names.
    public func namedBuffers() -> [(String, Tensor)] {
        namedState().filter(\.isBuffer).map { ($0.name, $0.tensor) }
    }

    /// Parameters and buffers in PyTorch's `state_dict()` order.
    func namedState() -> [(name: String, tensor: Tensor, isBuffer: Bool)] {
        namedModules().flatMap { path, module in
            module.ownState.map { (ModulePath.child(path, $0.name), $0.tensor, $0.isBuffer) }
        }
    }

    // MARK: Shapes without numbers

    /// The output shape for an input shape (both with the batch axis), computed without
    /// running the layer; throws what `forward` would throw for such an input.
    /// The default suits layers that keep the shape (activations, normalisation).
    open func outputShape(for input: [Int]) throws(StrataError) -> [Int] { input }

    /// The layer as a summary prints it: type and hyperparameters in the field's notation.
    open var summaryText: String { typeName }

    /// Floating-point operations per sample for these shapes (a multiply-add counts 2).
    open func flops(input: [Int], output: [Int]) -> Int { 0 }

    /// How the layer changes the receptive field: point-wise by default.
    open func flow(_ flow: ShapeFlow, to output: [Int]) -> ShapeFlow {
        var next = flow
        next.shape = output
        return next
    }

    /// Adds this module's summary rows for an input flow and returns the flow after it.
    /// Layers add one row; containers override it to walk their children.
    ///
    /// - Throws: the layer's shape error, prefixed with its path and its input shape.
    open func summarize(into rows: inout [SummaryRow], path: String, flow: ShapeFlow) throws(StrataError) -> ShapeFlow {
        let output: [Int]
        do {
            output = try outputShape(for: flow.shape)
        } catch {
            throw .shapeMismatch(op: "summary", message: "layer \(path.isEmpty ? typeName : path) (\(summaryText)) on input \(ShapeNotation.describe(flow.shape)): \(error)")
        }
        let next = self.flow(flow, to: output)
        let ownParameters = namedParameters()
        rows.append(SummaryRow(name: path, layer: summaryText, outputShape: output,
                               parameters: ownParameters.reduce(0) { $0 + $1.1.count },
                               trainableParameters: ownParameters.filter { $0.1.requiresGrad }.reduce(0) { $0 + $1.1.count },
                               flops: flops(input: flow.shape, output: output),
                               receptiveField: next.receptiveField, jump: next.jump))
        return next
    }

    // MARK: Modes

    /// Switches this module and every child to training (`true`) or evaluation mode.
    public func train(_ on: Bool = true) {
        for (_, module) in namedModules() { module.isTraining = on }
    }

    /// Evaluation mode: running statistics in batch norm, no dropout.
    public func eval() { train(false) }

    /// Stops gradients to every parameter (the module becomes a fixed feature extractor).
    public func freeze() { for parameter in parameters() { parameter.requiresGrad = false } }

    /// Lets gradients reach every parameter again.
    public func unfreeze() { for parameter in parameters() { parameter.requiresGrad = true } }

    /// Freezes (or unfreezes) the parameters whose names match a pattern, where `*`
    /// matches any run of characters: `"features.*"`, `"*.bn*.weight"`.
    /// Returns the names it changed.
    @discardableResult
    public func freeze(matching pattern: String, frozen: Bool = true) -> [String] {
        namedParameters().filter { name, _ in Glob.matches(name, pattern) }.map { name, tensor in
            tensor.requiresGrad = !frozen
            return name
        }
    }
}

/// `*`-wildcard matching of dotted names.
enum Glob {
    static func matches(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text), p = Array(pattern)
        var ti = 0, pi = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == t[ti]) {
                ti += 1
                pi += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
