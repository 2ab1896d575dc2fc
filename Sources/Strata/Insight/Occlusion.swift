/// Occlusion (Zeiler & Fergus 2014), defined exactly as Captum's `Occlusion`: a window of
/// `window` pixels (all channels, or the first `attributedChannels`) slides over the image,
/// or `window` time steps along a series, by `stride`, starting at 0 and taking
/// `⌈(size − window)/stride⌉ + 1` positions per axis (the last one clipped at the border);
/// each position replaces the window by the baseline and records the drop of the class
/// score; a position's attribution is the mean drop over the windows covering it. The
/// occluded copies run in batches, never one forward pass per window.
public enum Occlusion {
    /// What replaces the occluded window.
    public enum Baseline: Sendable, Equatable {
        /// A constant (0: black after normalisation's shift, i.e. the dataset mean for ImageNet inputs).
        case value(Float)
        /// Each channel's mean over the image or series.
        case mean
        /// The input blurred by a Gaussian of standard deviation `sigma` pixels (time steps).
        case blur(sigma: Float)
    }

    /// The attribution map of one image `1×C×H×W` (`H×W`, `window` and `stride` with two
    /// values) or one series `1×C×L` (`L`, one value each), batch axis included. The window
    /// covers the first `attributedChannels` channels (nil: all): a `sample-level` run's
    /// level channels after them describe the whole case, not a time step.
    ///
    /// - Throws: `StrataError.invalidArgument` for a window larger than the input, a stride
    ///   larger than the window or below 1, a batch size below 1, attributed channels
    ///   outside 1…C or a target outside the classes; `shapeMismatch` for an input that is
    ///   not one image or series.
    public static func map(_ model: Module, input: Tensor, target: Int, window: [Int], stride: [Int],
                           baseline: Baseline = .value(0), batchSize: Int = 16, attributedChannels: Int? = nil,
                           progress: ((Int, Int) -> Void)? = nil) throws(StrataError) -> Tensor {
        let sample = try Attribution.checkSample(input, op: "occlusion")
        let occluded = try Attribution.attributed(attributedChannels, of: sample, op: "occlusion")
        guard batchSize >= 1 else { throw .invalidArgument(op: "occlusion", message: "batch size must be ≥ 1, got \(batchSize)") }
        let positionsShape = Array(sample.shape.dropFirst(2))
        guard window.count == positionsShape.count, stride.count == positionsShape.count,
              window.allSatisfy({ $0 >= 1 }), stride.allSatisfy({ $0 >= 1 }),
              zip(window, positionsShape).allSatisfy({ $0 <= $1 }),
              zip(zip(window, stride), positionsShape).allSatisfy({ $0.0 == $1 || $0.1 <= $0.0 }) else {
            let what = positionsShape.count == 1 ? "series of length \(positionsShape[0])" : "\(positionsShape.map(String.init).joined(separator: "×")) image"
            throw .invalidArgument(op: "occlusion", message: "window \(window) and stride \(stride) must fit the \(what), with 1 ≤ stride ≤ window (one value per axis)")
        }
        // a series is an image one row high, occluded by windows one row high
        let image = positionsShape.count == 1 ? try sample.reshape([1, sample.shape[1], 1, positionsShape[0]]) : sample
        let (planeWindow, planeStride) = positionsShape.count == 1 ? ([1] + window, [1] + stride) : (window, stride)
        let (channels, height, width) = (image.shape[1], image.shape[2], image.shape[3])
        let fill = try baselineValues(baseline, image: image)
        let source = image.toArray()
        // ⌈(size − window)/stride⌉ + 1 positions per axis
        let sizes = [height, width]
        var counts = [0, 0]
        for axis in 0..<2 { counts[axis] = (sizes[axis] - planeWindow[axis] + planeStride[axis] - 1) / planeStride[axis] + 1 }
        let positions = counts[0] * counts[1]
        let plane = height * width
        let reference = try withoutGradients { () throws(StrataError) in try model(sample) }
        try Attribution.checkTarget(target, logits: reference, op: "occlusion")
        let baseScore = reference.toArray()[target]
        var total = [Float](repeating: 0, count: plane), covered = [Float](repeating: 0, count: plane)
        var done = 0
        while done < positions {
            let batch = Swift.min(batchSize, positions - done)
            let copies = Tensor(uninitializedShape: [batch, channels, height, width])
            var windows: [(rows: Range<Int>, columns: Range<Int>)] = []
            copies.withMutableFloats { elements in
                for slot in 0..<batch {
                    let position = done + slot
                    let top = (position / counts[1]) * planeStride[0], left = (position % counts[1]) * planeStride[1]
                    let rows = top..<Swift.min(top + planeWindow[0], height), columns = left..<Swift.min(left + planeWindow[1], width)
                    windows.append((rows, columns))
                    let copy = elements + slot * source.count
                    copy.update(from: source, count: source.count)
                    for channel in 0..<occluded {
                        for row in rows {
                            for column in columns {
                                let index = channel * plane + row * width + column
                                copy[index] = fill[index]
                            }
                        }
                    }
                }
            }
            let inputs = try copies.reshape([batch] + Array(sample.shape.dropFirst()))
            let scores = try withoutGradients { () throws(StrataError) in try model(inputs) }.toArray()
            let classes = scores.count / batch
            for (slot, region) in windows.enumerated() {
                let drop = baseScore - scores[slot * classes + target]
                for row in region.rows {
                    for column in region.columns {
                        total[row * width + column] += drop
                        covered[row * width + column] += 1
                    }
                }
            }
            done += batch
            progress?(done, positions)
        }
        return try Tensor(zip(total, covered).map { $1 > 0 ? $0 / $1 : 0 }, shape: positionsShape)
    }

    /// The baseline as a full `C×H×W` array (a series one row high: the blur's edge
    /// extension leaves that row as it is across rows).
    private static func baselineValues(_ baseline: Baseline, image: Tensor) throws(StrataError) -> [Float] {
        let (channels, plane) = (image.shape[1], image.shape[2] * image.shape[3])
        switch baseline {
        case let .value(value):
            return [Float](repeating: value, count: channels * plane)
        case .mean:
            let values = image.toArray()
            return (0..<channels).flatMap { channel -> [Float] in
                let mean = values[(channel * plane)..<((channel + 1) * plane)].reduce(0, +) / Float(plane)
                return [Float](repeating: mean, count: plane)
            }
        case let .blur(sigma):
            guard sigma > 0 else { throw .invalidArgument(op: "occlusion", message: "blur sigma must be > 0, got \(sigma)") }
            return try GaussianBlur.apply(image, sigma: sigma).toArray()
        }
    }
}
