/// Operators that move elements without arithmetic: reshapes, transposes, joins, slices,
/// padding, and the Shape → Gather → Unsqueeze → Concat chains exporters emit to compute a
/// reshape's target (these run on small int64 tensors; with constant inputs the importer
/// folds them once).
extension ONNXOperators {
    static let shapes: [String: ONNXOperator] = [
        "Flatten": .single { c throws(StrataError) in
            let x = try c.input(0)
            let given = try c.attributes.int("axis", default: 1)
            let axis = given < 0 ? given + x.rank : given
            guard axis >= 0, axis <= x.rank else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Flatten): axis \(given) is outside 0…\(x.rank)")
            }
            return try x.reshape([x.shape.prefix(axis).reduce(1, *), x.shape.dropFirst(axis).reduce(1, *)])
        },
        "Reshape": .single { c throws(StrataError) in
            let x = try c.input(0)
            var shape = try c.integers(1)
            // a 0 copies the input's size at that position unless allowzero is set
            if try c.attributes.int("allowzero", default: 0) == 0 {
                for index in shape.indices where shape[index] == 0 {
                    guard index < x.rank else {
                        throw .shapeMismatch(op: "onnx", message: "node '\(c.node)' (Reshape): shape \(shape) copies axis \(index) of a \(x.rank)-D input")
                    }
                    shape[index] = x.shape[index]
                }
            }
            return try x.reshape(shape)
        },
        "Transpose": .single { c throws(StrataError) in
            let x = try c.input(0)
            return try x.permute(try c.attributes.ints("perm") ?? Array((0..<x.rank).reversed()))
        },
        "Concat": .single { c throws(StrataError) in
            var tensors: [Tensor] = []
            for index in c.inputs.indices { tensors.append(try c.input(index)) }
            return try Tensor.concat(tensors, axis: try c.attributes.int("axis", default: 0))
        },
        "Squeeze": .single { c throws(StrataError) in
            var x = try c.input(0)
            let axes = try c.optionalInput(1) == nil ? x.shape.indices.filter { x.shape[$0] == 1 } : try c.integers(1)
            var normalized: [Int] = []
            for axis in axes { normalized.append(try c.axis(axis, rank: x.rank)) }
            for axis in normalized.sorted(by: >) {
                guard x.shape[axis] == 1 else {
                    throw .shapeMismatch(op: "onnx", message: "node '\(c.node)' (Squeeze): axis \(axis) of \(Shape.describe(x.shape)) is not 1")
                }
                x = try x.squeeze(axis: axis)
            }
            return x
        },
        "Unsqueeze": .single { c throws(StrataError) in
            var x = try c.input(0)
            let axes = try c.integers(1)
            let rank = x.rank + axes.count
            var normalized: [Int] = []
            for axis in axes { normalized.append(try c.axis(axis, rank: rank)) }
            for axis in normalized.sorted() { x = try x.unsqueeze(axis: axis) }
            return x
        },
        "Shape": .single { c throws(StrataError) in
            let shape = try c.input(0).shape
            func clip(_ value: Int) -> Int { min(max(value < 0 ? value + shape.count : value, 0), shape.count) }
            let start = clip(try c.attributes.int("start", default: 0))
            let end = max(start, clip(try c.attributes.int("end", default: shape.count)))
            return try ONNXTensorData.integers(shape[start..<end].map { Int64($0) }, shape: [end - start])
        },
        // an embedding table is a Gather from a learnable initializer
        "Gather": .single(parameters: [0]) { c throws(StrataError) in try gather(c) },
        "Slice": .single { c throws(StrataError) in try slice(c) },
        "ConstantOfShape": .single { c throws(StrataError) in
            let shape = try c.integers(0)
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (ConstantOfShape): shape \(shape) has a negative size")
            }
            try MemoryBudget.check(op: "ConstantOfShape", shapes: [shape])
            let value = try c.attributes.tensor("value").map { proto throws(StrataError) in
                try ONNXTensorData(modelPath: c.modelPath).tensor(proto)
            } ?? Tensor(zerosShape: [1])
            guard value.count == 1 else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (ConstantOfShape): value must hold one element")
            }
            return try value.reshape([]).expand(shape).copyToContiguous()
        },
        "Pad": .single(unsupported: { node in
            expect(node, "mode", in: ["constant", "reflect", "edge", "wrap"], default: "constant")
        }) { c throws(StrataError) in try pad(c) },
        // float16 and double compute as float32; every integer type as int64
        "Cast": .single(unsupported: { node in
            expect(node, "to", in: ONNXTensorData.ElementType.allCases.map { Int($0.rawValue) }, default: 1)
        }) { c throws(StrataError) in
            let x = try c.input(0)
            switch ONNXTensorData.ElementType(rawValue: Int32(clamping: try c.attributes.int("to", default: 1))) {
            case .float, .float16, .double: return x.toFloat()
            case .bool: return try ONNXTensorData.integers(x.toFloat().toArray().map { $0 != 0 ? 1 : 0 }, shape: x.shape)
            default: return x.toInt64()
            }
        },
        "Constant": .single(unsupported: { node in
            let known: Set = ["value", "value_float", "value_floats", "value_int", "value_ints"]
            let names = node.attributes.names
            return names.isSubset(of: known) && names.count == 1 ? nil : "attributes \(names.sorted()) (supported: one of \(known.sorted()))"
        }) { c throws(StrataError) in try constant(c) },
    ]

    /// Gather along `axis` with int64 indices of any shape: `data.shape[..<axis] +
    /// indices.shape + data.shape[(axis+1)...]`.
    private static func gather(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        let (data, indices) = (try c.input(0), try c.input(1))
        let axis = try c.axis(try c.attributes.int("axis", default: 0), rank: data.rank)
        let size = data.shape[axis]
        var positions: [Int] = []
        for index in try c.integers(1) {
            let position = index < 0 ? index + size : index
            guard position >= 0, position < size else {
                throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Gather): index \(index) is outside axis \(axis) of size \(size)")
            }
            positions.append(position)
        }
        // rows of a float table (an embedding) in one lookup
        if axis == 0, data.rank == 2, data.dtype == .float32 {
            return try embedding(try ONNXTensorData.integers(positions.map(Int64.init), shape: indices.shape), weight: data)
        }
        var slices: [Tensor] = []
        for position in positions { slices.append(try data.slice(axis: axis, start: position, end: position + 1)) }
        let shape = Array(data.shape.prefix(axis)) + indices.shape + Array(data.shape.dropFirst(axis + 1))
        guard !slices.isEmpty else { return Tensor(zerosShape: shape, dtype: data.dtype) }
        return try Tensor.concat(slices, axis: axis).reshape(shape)
    }

    /// Slice with ONNX's clamping; a negative step walks backwards (`starts` clamped to
    /// `size − 1`, `ends` to −1) and gathers the elements it visits.
    private static func slice(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        var x = try c.input(0)
        let (starts, ends) = (try c.integers(1), try c.integers(2))
        let axes = c.optionalInput(3) == nil ? Array(0..<starts.count) : try c.integers(3)
        let steps = c.optionalInput(4) == nil ? [Int](repeating: 1, count: starts.count) : try c.integers(4)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Slice): starts, ends, axes and steps need equal lengths")
        }
        for index in starts.indices {
            let (axis, step) = (try c.axis(axes[index], rank: x.rank), steps[index])
            guard step != 0 else { throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Slice): step 0") }
            if step > 0 {
                x = try x.slice(axis: axis, start: starts[index], end: ends[index], step: step)
                continue
            }
            let size = x.shape[axis]
            func clamp(_ value: Int, _ low: Int, _ high: Int) -> Int { min(max(value < 0 ? value + size : value, low), high) }
            let first = clamp(starts[index], 0, size - 1)
            let end = clamp(ends[index], -1, size - 1)
            var parts: [Tensor] = []
            for position in stride(from: first, to: end, by: step) {
                parts.append(try x.slice(axis: axis, start: position, end: position + 1))
            }
            var empty = x.shape
            empty[axis] = 0
            x = parts.isEmpty ? Tensor(zerosShape: empty, dtype: x.dtype) : try Tensor.concat(parts, axis: axis)
        }
        return x
    }

    /// Padding on all axes or those of the `axes` input (negative pads crop): a constant, or
    /// the input's own elements — mirrored without the edge (`reflect`), the edge repeated
    /// (`edge`), or the other end (`wrap`).
    private static func pad(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        var x = try c.input(0)
        let pads = try c.integers(1)
        let mode = try c.attributes.string("mode", default: "constant")
        let value = try c.scalar(2, default: 0)
        var axes: [Int] = []
        for axis in c.optionalInput(3) == nil ? Array(0..<x.rank) : try c.integers(3) { axes.append(try c.axis(axis, rank: x.rank)) }
        guard pads.count == 2 * axes.count else {
            throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Pad): pads \(pads) need \(2 * axes.count) values (all begins, then all ends)")
        }
        for (position, axis) in axes.enumerated() {
            let (before, after) = (pads[position], pads[axes.count + position])
            let size = x.shape[axis]
            if before < 0 || after < 0 {
                x = try x.slice(axis: axis, start: max(0, -before), end: size - max(0, -after))
            }
            var parts = [x]
            let length = x.shape[axis]
            for (count, atStart) in [(before, true), (after, false)] where count > 0 {
                var shape = x.shape
                shape[axis] = count
                try MemoryBudget.check(op: "Pad", shapes: [shape])
                let filler: Tensor
                if mode == "constant" {
                    filler = x.dtype == .int64
                        ? try ONNXTensorData.integers([Int64](repeating: Int64(value), count: Shape.count(shape)), shape: shape)
                        : Tensor(filledShape: shape, value: value)
                } else {
                    // the source index of each padded position, nearest the input first
                    let sources: [Int] = (1...count).map { step in
                        switch mode {
                        case "reflect": return atStart ? step : length - 1 - step
                        case "edge": return atStart ? 0 : length - 1
                        default: return atStart ? ((length - step) % length + length) % length : (step - 1) % length
                        }
                    }
                    guard length > 0, sources.allSatisfy({ $0 >= 0 && $0 < length }) else {
                        throw .invalidArgument(op: "onnx", message: "node '\(c.node)' (Pad): \(mode) padding of \(count) needs a longer axis than \(length)")
                    }
                    var slices: [Tensor] = []
                    for source in atStart ? sources.reversed() : sources {
                        slices.append(try x.slice(axis: axis, start: source, end: source + 1))
                    }
                    filler = try Tensor.concat(slices, axis: axis)
                }
                if atStart { parts.insert(filler, at: 0) } else { parts.append(filler) }
            }
            if parts.count > 1 { x = try Tensor.concat(parts, axis: axis) }
        }
        return x
    }

    private static func constant(_ c: ONNXNodeContext) throws(StrataError) -> Tensor {
        let attributes = c.attributes
        if let proto = attributes.tensor("value") { return try ONNXTensorData(modelPath: c.modelPath).tensor(proto) }
        if let values = try attributes.floats("value_floats") { return try Tensor(values, shape: [values.count]) }
        if let values = try attributes.ints("value_ints") { return try ONNXTensorData.integers(values.map(Int64.init), shape: [values.count]) }
        if attributes.names.contains("value_int") {
            return try ONNXTensorData.integers([Int64(try attributes.int("value_int", default: 0))], shape: [])
        }
        return try Tensor([try attributes.float("value_float", default: 0)], shape: [])
    }
}
