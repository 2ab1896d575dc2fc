/// Pooling by its definition. Window `(oh, ow)` covers input rows
/// `oh·stride − paddingBefore ..< … + kernel` (likewise columns); positions outside the
/// input are −∞ for max and zeros for the average.
enum ReferencePooling {
    /// The window of one output position: its taps inside the input (every `dilation`-th
    /// row and column) and the average's divisor.
    private struct Window {
        let rows: [Int]
        let columns: [Int]
        let divisor: Int
    }

    private static func window(oh: Int, ow: Int, height: Int, width: Int, geometry g: PoolingGeometry) -> Window {
        let top = oh * g.stride[0] - g.paddingBefore[0], left = ow * g.stride[1] - g.paddingBefore[1]
        let bottom = Swift.min(top + g.extent(0), height + g.paddingAfter[0])
        let right = Swift.min(left + g.extent(1), width + g.paddingAfter[1])
        let rows = (0..<g.kernel[0]).map { top + $0 * g.dilation[0] }.filter { $0 >= 0 && $0 < height }
        let columns = (0..<g.kernel[1]).map { left + $0 * g.dilation[1] }.filter { $0 >= 0 && $0 < width }
        let divisor = g.kind == .averageIncludingPadding
            ? (bottom - top) * (right - left) : rows.count * columns.count
        return Window(rows: rows, columns: columns, divisor: Swift.max(divisor, 1))
    }

    /// Calls `body(plane, outputIndex, window)` for every output element; `plane` is `n·C + c`.
    private static func forEachWindow(inputShape: [Int], geometry: PoolingGeometry,
                                      _ body: (Int, Int, Window) -> Void) {
        let (planes, height, width) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3])
        let out = geometry.outputSize(input: [height, width])
        for plane in 0..<planes {
            for oh in 0..<out[0] {
                for ow in 0..<out[1] {
                    body(plane, (plane * out[0] + oh) * out[1] + ow,
                         window(oh: oh, ow: ow, height: height, width: width, geometry: geometry))
                }
            }
        }
    }

    /// Index (in the plane) of the first maximum of a window; NaN counts as the maximum.
    private static func argmax(_ x: UnsafePointer<Float>, width: Int, _ window: Window) -> Int? {
        var best = -Float.infinity, bestIndex: Int?
        for r in window.rows {
            for c in window.columns {
                let value = x[r * width + c]
                if bestIndex == nil || value > best || (value.isNaN && !best.isNaN) {
                    best = value
                    bestIndex = r * width + c
                }
            }
        }
        return bestIndex
    }

    static func forward(input: Tensor, geometry: PoolingGeometry) -> Tensor {
        let (height, width) = (input.shape[2], input.shape[3])
        let out = geometry.outputSize(input: [height, width])
        let result = Tensor(uninitializedShape: [input.shape[0], input.shape[1], out[0], out[1]])
        input.withDenseFloats { x in
            result.withMutableFloats { output in
                forEachWindow(inputShape: input.shape, geometry: geometry) { plane, index, window in
                    let base = x + plane * height * width
                    if geometry.kind == .max {
                        output[index] = argmax(base, width: width, window).map { base[$0] } ?? -.infinity
                    } else {
                        var total: Double = 0
                        for r in window.rows { for c in window.columns { total += Double(base[r * width + c]) } }
                        output[index] = Float(total / Double(window.divisor))
                    }
                }
            }
        }
        return result
    }

    static func backward(gradOutput: Tensor, input: Tensor, geometry: PoolingGeometry) -> Tensor {
        let (height, width) = (input.shape[2], input.shape[3])
        var accumulator = [Double](repeating: 0, count: input.count)
        input.withDenseFloats { x in
            gradOutput.withDenseFloats { dy in
                forEachWindow(inputShape: input.shape, geometry: geometry) { plane, index, window in
                    let planeBase = plane * height * width
                    if geometry.kind == .max {
                        if let position = argmax(x + planeBase, width: width, window) {
                            accumulator[planeBase + position] += Double(dy[index])
                        }
                    } else {
                        let share = Double(dy[index]) / Double(window.divisor)
                        for r in window.rows { for c in window.columns { accumulator[planeBase + r * width + c] += share } }
                    }
                }
            }
        }
        return Tensor.fromDoubles(accumulator, shape: input.shape)
    }
}
