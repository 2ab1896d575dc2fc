import Foundation

/// What a data set holds, before training on it: sizes of its parts, class counts,
/// per-channel statistics, missing values, sequence lengths — and pictures of samples.
public struct DatasetInspection: Sendable, CustomStringConvertible {
    public struct ChannelStatistics: Sendable, Equatable {
        public let mean: Double
        public let std: Double
        public let min: Float
        public let max: Float
    }

    public let name: String
    /// Sample count per part (`train`, `test`, …), in order.
    public let parts: [(name: String, count: Int)]
    /// Class names and, per part, the count of each class.
    public let classNames: [String]
    public let classCounts: [String: [Int]]
    /// Shape of one sample.
    public let sampleShape: [Int]
    /// Statistics of each channel over the first part's samples (NaN excluded).
    public let channels: [ChannelStatistics]
    /// Missing (NaN) values over all parts.
    public let missingValues: Int
    /// Shortest and longest sequence, for time series.
    public let lengths: ClosedRange<Int>?
    /// For token ids (int64 inputs, text): how the first part's texts fill their length.
    public let tokens: TokenStatistics?

    public struct TokenStatistics: Sendable, Equatable {
        /// One more than the largest id.
        public let idRange: Int
        /// Tokens per sample, padding (id 0) excluded.
        public let meanLength: Double
        /// Share of padding among all positions, and of unknown tokens (id 1) among the rest.
        public let paddingShare: Double
        public let unknownShare: Double
    }

    /// Inspects labelled parts (the first is the one channel statistics describe).
    public init(name: String, parts: [(String, TensorDataset)], missingValues: Int? = nil, lengths: ClosedRange<Int>? = nil) {
        self.name = name
        self.parts = parts.map { ($0.0, $0.1.count) }
        let names = parts.first?.1.classNames ?? []
        classNames = names
        var counts: [String: [Int]] = [:]
        for (part, dataset) in parts where !names.isEmpty {
            var histogram = [Int](repeating: 0, count: names.count)
            for label in dataset.labels where label >= 0 && label < names.count { histogram[label] += 1 }
            counts[part] = histogram
        }
        classCounts = counts
        sampleShape = parts.first?.1.sampleShape ?? []
        let first = parts.first?.1.inputs
        channels = first.flatMap { $0.dtype == .float32 ? Self.statistics($0) : nil } ?? []
        tokens = first.flatMap { $0.dtype == .int64 ? Self.tokenStatistics($0) : nil }
        self.missingValues = missingValues ?? parts.reduce(0) { total, part in
            total + (part.1.inputs.dtype == .float32 ? part.1.inputs.toArray().filter(\.isNaN).count : 0)
        }
        self.lengths = lengths
    }

    private static func tokenStatistics(_ ids: Tensor) -> TokenStatistics {
        let values = ids.toLabels(), samples = Swift.max(ids.shape.first ?? 1, 1)
        let padding = values.filter { $0 == Tokenizer.padding }.count, unknown = values.filter { $0 == Tokenizer.unknown }.count
        let tokens = values.count - padding
        return TokenStatistics(idRange: (values.max() ?? -1) + 1, meanLength: Double(tokens) / Double(samples),
                               paddingShare: Double(padding) / Double(Swift.max(values.count, 1)),
                               unknownShare: Double(unknown) / Double(Swift.max(tokens, 1)))
    }

    private static func statistics(_ inputs: Tensor) -> [ChannelStatistics] {
        let count = inputs.shape.first ?? 0, channels = inputs.rank >= 2 ? inputs.shape[1] : 1
        let plane = inputs.count / Swift.max(count, 1) / Swift.max(channels, 1)
        return (0..<channels).map { c in
            var sum = 0.0, squares = 0.0, n = 0.0, low = Float.infinity, high = -Float.infinity
            inputs.withDenseFloats { x in
                for sample in 0..<count {
                    let base = (sample * channels + c) * plane
                    for i in 0..<plane {
                        let value = x[base + i]
                        guard !value.isNaN else { continue }
                        sum += Double(value)
                        squares += Double(value) * Double(value)
                        n += 1
                        low = Swift.min(low, value)
                        high = Swift.max(high, value)
                    }
                }
            }
            let mean = n > 0 ? sum / n : .nan
            return ChannelStatistics(mean: mean, std: n > 0 ? Swift.max(squares / n - mean * mean, 0).squareRoot() : .nan,
                                     min: low, max: high)
        }
    }

    public var description: String {
        var lines = ["Data: \(name)", "Samples: " + parts.map { "\($0.name) \($0.count)" }.joined(separator: ", "),
                     "Sample shape: \(ShapeNotation.describeSample(sampleShape))"]
        if let lengths { lines.append("Sequence lengths: \(lengths.lowerBound)…\(lengths.upperBound)") }
        lines.append("Missing values: \(missingValues)")
        if !classNames.isEmpty {
            let width = Swift.max(classNames.map(\.count).max() ?? 5, 5)
            lines.append("Classes (\(classNames.count)):")
            lines.append("  " + "class".padding(toLength: width, withPad: " ", startingAt: 0) + parts.map { String(repeating: " ", count: Swift.max(8 - $0.name.count, 1)) + $0.name }.joined())
            for (index, name) in classNames.enumerated() {
                lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                             + parts.map { String(format: "%8d", classCounts[$0.name]?[index] ?? 0) }.joined())
            }
        }
        if let tokens {
            lines.append(String(format: "Token ids (%@): 0…%d, %.1f tokens per sample, %.1f%% padding, %.1f%% unknown",
                                parts.first?.name ?? "", tokens.idRange - 1, tokens.meanLength, 100 * tokens.paddingShare,
                                100 * tokens.unknownShare))
            return lines.joined(separator: "\n")
        }
        lines.append("Channels (\(parts.first?.name ?? "")):")
        for (index, channel) in channels.enumerated().prefix(16) {
            lines.append(String(format: "  %2d  mean %10.4f  std %10.4f  min %10.4f  max %10.4f", index, channel.mean, channel.std,
                                Double(channel.min), Double(channel.max)))
        }
        return lines.joined(separator: "\n")
    }

    /// A PNG grid of images (`N×C×H×W`, C = 1 or 3): one row per class, up to
    /// `perClass` samples each, every image scaled to its own value range and small
    /// images enlarged (nearest neighbour) to at least 32 pixels.
    public static func imageGrid(_ dataset: TensorDataset, perClass: Int = 8) throws(StrataError) -> Data {
        let shape = dataset.sampleShape
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3 else {
            throw .invalidArgument(op: "data", message: "an image grid needs C×H×W samples with 1 or 3 channels, got \(ShapeNotation.describeSample(shape))")
        }
        let (channels, sourceHeight, sourceWidth) = (shape[0], shape[1], shape[2])
        let zoom = Swift.max(1, 32 / Swift.max(sourceHeight, sourceWidth))
        let (height, width) = (sourceHeight * zoom, sourceWidth * zoom)
        let classes = Swift.max(dataset.classNames?.count ?? 1, 1)
        let labels = dataset.labels
        let (cellH, cellW) = (height + 2, width + 2)
        var pixels = [UInt8](repeating: 255, count: classes * cellH * perClass * cellW * channels)
        let gridWidth = perClass * cellW
        let sampleSize = channels * sourceHeight * sourceWidth
        dataset.inputs.withDenseFloats { values in
            for label in 0..<classes {
                let members = labels.indices.filter { labels[$0] == label || classes == 1 }.prefix(perClass)
                for (column, index) in members.enumerated() {
                    let sample = UnsafeBufferPointer(start: values + index * sampleSize, count: sampleSize).filter { !$0.isNaN }
                    let low = sample.min() ?? 0, high = sample.max() ?? 1, range = high - low > 1e-12 ? high - low : 1
                    for y in 0..<height {
                        for x in 0..<width {
                            for c in 0..<channels {
                                let value = values[((index * channels + c) * sourceHeight + y / zoom) * sourceWidth + x / zoom]
                                let pixel = UInt8(Swift.max(0, Swift.min(255, ((value - low) / range * 255).rounded())))
                                pixels[((label * cellH + 1 + y) * gridWidth + column * cellW + 1 + x) * channels + c] = pixel
                            }
                        }
                    }
                }
            }
        }
        return try ImageCodec.encodePNG(RawImage(width: gridWidth, height: classes * cellH, channels: channels, pixels: pixels))
    }

    /// An SVG with one panel per class showing up to `perClass` example series (first
    /// channel of `N×C×L` samples).
    public static func seriesPlot(_ dataset: TensorDataset, perClass: Int = 3) -> String {
        let classes = dataset.classNames ?? ["all"]
        let shape = dataset.sampleShape, length = shape.last ?? 1, channels = shape.count >= 2 ? shape[0] : 1
        let labels = dataset.labels, values = dataset.inputs.toArray()
        let (panelWidth, panelHeight) = (600.0, 140.0)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(panelWidth))\" height=\"\(Int(panelHeight) * classes.count)\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
        for (label, name) in classes.enumerated() {
            let top = Double(label) * panelHeight
            let members = labels.indices.filter { labels[$0] == label || classes.count == 1 }.prefix(perClass)
            let series = members.map { index in Array(values[index * channels * length ..< index * channels * length + length]) }
            let finite = series.flatMap { $0 }.filter(\.isFinite)
            let low = finite.min() ?? 0, high = finite.max() ?? 1, range = high - low > 1e-12 ? high - low : 1
            svg += "<text x=\"8\" y=\"\(top + 16)\" font-weight=\"bold\">\(name) (\(labels.filter { $0 == label }.count))</text>\n"
            for (k, values) in series.enumerated() {
                let points = values.enumerated().compactMap { t, v -> String? in
                    guard v.isFinite else { return nil }
                    let x = 40 + Double(t) / Double(Swift.max(length - 1, 1)) * (panelWidth - 60)
                    let y = top + panelHeight - 16 - Double((v - low) / range) * (panelHeight - 40)
                    return String(format: "%.1f,%.1f", x, y)
                }
                svg += "<polyline fill=\"none\" stroke=\"\(colours[k % colours.count])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }
}
