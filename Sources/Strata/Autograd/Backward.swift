extension Tensor {
    /// Computes gradients of this tensor with respect to every leaf that requires them
    /// and adds them to those leaves' `grad` (gradients accumulate across calls, as in
    /// PyTorch; clear them with `zeroGrad`).
    ///
    /// - Parameters:
    ///   - gradient: d(loss)/d(self), same shape as `self`; may be omitted for a tensor
    ///     with one element (then it is 1).
    ///   - retainGraph: keep the saved values so `backward` can run again on this graph.
    ///   - gradientFinal: called once for each leaf that requires gradients, as soon as the
    ///     last operation that reads it has passed its gradient back (its `grad` is complete
    ///     for this pass while backward goes on with earlier operations), in the order the
    ///     leaves complete: what DistributedDataParallel starts its allreduce from (PyTorch's
    ///     post-accumulate-grad hooks). Leaves no gradient reaches are not reported.
    /// - Throws: `StrataError.autograd` when `self` does not require gradients, when a
    ///   non-scalar is given no gradient, on a gradient of the wrong shape, or when the
    ///   graph was already freed by an earlier `backward`; `StrataError.modifiedInPlace` when
    ///   a tensor an operation saved was modified in place before its backward ran.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false,
                         gradientFinal: ((Tensor) -> Void)? = nil) throws(StrataError) {
        guard requiresGrad else {
            throw .autograd(message: "this tensor does not require gradients; set requiresGrad on a leaf it depends on")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                throw .autograd(message: "gradient has shape \(Shape.describe(gradient.shape)) but the tensor has shape \(Shape.describe(shape))")
            }
            guard gradient.dtype == .float32 else {
                throw .autograd(message: "gradient must be float32, got \(gradient.dtype)")
            }
            seed = gradient.detach()
        } else {
            guard count == 1 else {
                throw .autograd(message: "backward() without a gradient needs a tensor with one element, got shape \(Shape.describe(shape)); pass gradient: of the same shape")
            }
            seed = Tensor(filledShape: shape, value: 1)
        }
        guard let root = gradFn else {
            accumulateGradient(seed)
            gradientFinal?(self)
            return
        }
        let order = try GradGraph.reverseTopologicalOrder(from: root)
        let finalAfter = gradientFinal == nil ? [:] : GradGraph.leavesByLastReader(order)
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        try withoutGradients { () throws(StrataError) in
            for (index, node) in order.enumerated() {
                defer { if !retainGraph { node.release() } }
                // a node no gradient reached (its output fed only inputs that need none) passes nothing back
                if let outputGradient = pending.removeValue(forKey: ObjectIdentifier(node)) {
                    node.retainedOutput?.accumulateGradient(outputGradient)
                    let inputGradients = try node.gradients(for: outputGradient)
                    try BackendFailure.check()
                    for (input, inputGradient) in zip(node.inputs, inputGradients) {
                        guard let inputGradient, input.requiresGrad else { continue }
                        if let parent = input.gradFn {
                            let key = ObjectIdentifier(parent)
                            if let existing = pending[key] {
                                pending[key] = Kernels.add(existing, inputGradient)
                            } else {
                                pending[key] = inputGradient
                            }
                        } else {
                            input.accumulateGradient(inputGradient)
                        }
                    }
                }
                for leaf in finalAfter[index] ?? [] where leaf.grad != nil { gradientFinal?(leaf) }
            }
        }
    }

    /// Keeps this intermediate result's gradient in `grad` when `backward` runs (PyTorch's
    /// `retain_grad()`): what Grad-CAM needs of a layer's output. Leaves keep theirs anyway.
    public func retainGrad() {
        gradFn?.retainedOutput = self
    }

    /// Adds `gradient` to `grad` (a leaf's gradient accumulates across backward passes).
    func accumulateGradient(_ gradient: Tensor) {
        if let existing = grad {
            grad = Kernels.add(existing, gradient)
        } else {
            grad = gradient.isContiguous ? gradient.detach() : gradient.copyToContiguous()
        }
    }
}

/// Ordering of the recorded graph for the backward pass.
enum GradGraph {
    /// Nodes reachable from `root`, each after every node that consumes its output.
    static func reverseTopologicalOrder(from root: GradNode) throws(StrataError) -> [GradNode] {
        var visited = Set<ObjectIdentifier>()
        var postOrder: [GradNode] = []
        // iterative depth-first search: (node, index of the next input to visit)
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (node, next) = stack.popLast() {
            if node.isReleased {
                throw .autograd(message: "the graph through '\(node.name)' was already freed by an earlier backward(); pass retainGraph: true to the first call")
            }
            if next < node.inputs.count {
                stack.append((node, next + 1))
                if let child = node.inputs[next].gradFn, visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                postOrder.append(node)
            }
        }
        return postOrder.reversed()
    }

    /// The leaves that require gradients, keyed by the position in `order` of the last node
    /// that reads them (after it, their gradient is complete), each leaf once, in the order
    /// of that node's operands.
    static func leavesByLastReader(_ order: [GradNode]) -> [Int: [Tensor]] {
        var lastReader: [ObjectIdentifier: Int] = [:]
        for (index, node) in order.enumerated() {
            for input in node.inputs where input.requiresGrad && input.gradFn == nil {
                lastReader[ObjectIdentifier(input)] = index
            }
        }
        var leaves: [Int: [Tensor]] = [:]
        for (index, node) in order.enumerated() {
            for input in node.inputs where input.requiresGrad && input.gradFn == nil {
                let key = ObjectIdentifier(input)
                if lastReader[key] == index {
                    lastReader[key] = nil
                    leaves[index, default: []].append(input)
                }
            }
        }
        return leaves
    }
}
