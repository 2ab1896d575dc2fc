/// Pictures of what a layer holds: its output for one input as a grid of feature maps,
/// and its weights (filters) as tiles.
public enum FeatureMaps {
    /// Per-channel statistics of a layer's output `C×h×w`, `C×l` (or `C`).
    public struct ChannelStatistics: Sendable {
        public let channel: Int
        public let mean: Float
        public let std: Float
        public let min: Float
        public let max: Float
        /// Fraction of positions above zero.
        public let active: Float
    }

    /// Statistics of each channel of `activations` (`1×C×…`, the batch's first sample).
    public static func statistics(_ activations: Tensor) -> [ChannelStatistics] {
        let channels = activations.rank >= 2 ? activations.shape[1] : 1
        let plane = Swift.max(activations.count / Swift.max(activations.shape.first ?? 1, 1) / Swift.max(channels, 1), 1)
        let values = activations.toArray()
        return (0..<channels).map { channel in
            let slice = values[(channel * plane)..<((channel + 1) * plane)]
            let mean = slice.reduce(0, +) / Float(plane)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(plane)
            return ChannelStatistics(channel: channel, mean: mean, std: variance.squareRoot(), min: slice.min() ?? 0,
                                     max: slice.max() ?? 0, active: Float(slice.filter { $0 > 0 }.count) / Float(plane))
        }
    }

    /// The first `limit` feature maps of `activations` as one picture: for `1×C×h×w` a grid
    /// of maps, each min–max scaled on its own, its channel index underneath; for a series
    /// network's `1×C×l` one line panel per channel (`SeriesPlot`).
    public static func grid(_ activations: Tensor, limit: Int = 64) throws(StrataError) -> RawImage {
        if activations.rank == 3, activations.shape[0] == 1 {
            return try SeriesPlot.picture(activations, channelLimit: limit, panelHeight: 40)
        }
        guard activations.rank == 4 else {
            throw .shapeMismatch(op: "activations", message: "feature maps are 1×C×h×w (or 1×C×l along time); this layer gives \(Shape.describe(activations.shape)), so only its statistics are shown")
        }
        let shape = Array(activations.shape.suffix(3))
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let values = activations.toArray(), shown = Swift.min(channels, Swift.max(limit, 1))
        let tiles = (0..<shown).map { channel in
            ImageRendering.greyTile(Array(values[(channel * height * width)..<((channel + 1) * height * width)]), height: height, width: width)
        }
        let scale = Swift.max(1, 48 / Swift.max(height, width))
        return ImageRendering.grid(tiles, labels: (0..<shown).map(String.init), columns: Int(Double(shown).squareRoot().rounded(.up)),
                                   tileScale: scale)
    }

    /// A convolution's weights `O×I×kh×kw` as tiles: one RGB tile per filter when it reads
    /// 3 channels (the first layer of an image network), one grey tile per filter for 1,
    /// otherwise a grey tile per (filter, input channel) — up to `limit` filters and 16
    /// input channels, labelled `filter.input`. A 1-D convolution's `O×I×k` draws each
    /// (filter, input channel) kernel as a line (`SeriesPlot.kernel`).
    public static func filters(_ weight: Tensor, limit: Int = 64) throws(StrataError) -> RawImage {
        guard weight.rank == 4 || weight.rank == 3 else {
            throw .shapeMismatch(op: "filters", message: "filters are a convolution's weights O×I×kh×kw (O×I×k in 1-D); this layer's weight is \(Shape.describe(weight.shape))")
        }
        if weight.rank == 3 { return lineFilters(weight, limit: limit) }
        let (outputs, inputs, height, width) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let values = weight.toArray(), kernel = height * width
        let shown = Swift.min(outputs, Swift.max(limit, 1))
        let scale = Swift.max(1, 24 / Swift.max(height, width))
        var tiles: [RawImage] = [], labels: [String] = []
        for filter in 0..<shown {
            let start = filter * inputs * kernel
            if inputs == 3 {
                let scaled = ImageRendering.minMax(Array(values[start..<(start + 3 * kernel)]))
                var pixels = [UInt8](repeating: 0, count: kernel * 3)
                for pixel in 0..<kernel {
                    for channel in 0..<3 { pixels[pixel * 3 + channel] = UInt8((scaled[channel * kernel + pixel] * 255).rounded()) }
                }
                tiles.append(RawImage(width: width, height: height, channels: 3, pixels: pixels))
                labels.append(String(filter))
            } else {
                for input in 0..<Swift.min(inputs, 16) {
                    let offset = start + input * kernel
                    tiles.append(ImageRendering.greyTile(Array(values[offset..<(offset + kernel)]), height: height, width: width))
                    labels.append(inputs == 1 ? String(filter) : "\(filter).\(input)")
                }
            }
        }
        let columns = inputs == 3 || inputs == 1 ? Int(Double(tiles.count).squareRoot().rounded(.up)) : Swift.min(inputs, 16)
        return ImageRendering.grid(tiles, labels: labels, columns: columns, tileScale: scale)
    }

    /// A 1-D convolution's `O×I×k` as line tiles, a row per filter and a column per input
    /// channel (one square grid for a single input channel).
    private static func lineFilters(_ weight: Tensor, limit: Int) -> RawImage {
        let (outputs, inputs, kernel) = (weight.shape[0], weight.shape[1], weight.shape[2])
        let values = weight.toArray(), shown = Swift.min(outputs, Swift.max(limit, 1)), columns = Swift.min(inputs, 16)
        var tiles: [RawImage] = [], labels: [String] = []
        for filter in 0..<shown {
            for input in 0..<columns {
                let offset = (filter * inputs + input) * kernel
                tiles.append(SeriesPlot.kernel(Array(values[offset..<(offset + kernel)])))
                labels.append(inputs == 1 ? String(filter) : "\(filter).\(input)")
            }
        }
        return ImageRendering.grid(tiles, labels: labels, columns: inputs == 1 ? Int(Double(shown).squareRoot().rounded(.up)) : columns)
    }
}
