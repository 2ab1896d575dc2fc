/// A series as a picture: each channel of one sample `1×C×L` drawn as a line in its own
/// panel (scaled to the channel's own range, its index at the left), up to `channelLimit`
/// channels. With an attribution map `L` the lines are coloured along time by the map
/// (min–max scaled, "jet": blue low, red high) and the map runs as a heat strip under the
/// panels — the class activation maps of Wang et al. (2017); without one they are dark blue.
/// Non-finite values leave a gap in the line and count as the map's lowest value. A 1-D
/// kernel (`filters` of a 1-D convolution) is drawn the same way, as a small line tile.
public enum SeriesPlot {
    /// - Throws: `StrataError.shapeMismatch` when `series` is not `1×C×L` or the map does
    ///   not hold `L` values.
    public static func picture(_ series: Tensor, attribution: Tensor? = nil, channelLimit: Int = 8,
                               panelHeight: Int = 80) throws(StrataError) -> RawImage {
        guard series.rank == 3, series.shape[0] == 1, series.shape[2] >= 1 else {
            throw .shapeMismatch(op: "plot", message: "draws one series 1×C×L, got \(Shape.describe(series.shape))")
        }
        let (channels, length) = (series.shape[1], series.shape[2])
        if let attribution, attribution.count != length {
            throw .shapeMismatch(op: "plot", message: "the map holds \(attribution.count) values; the series has \(length) time steps")
        }
        let shown = Swift.min(channels, Swift.max(channelLimit, 1))
        let panel = Swift.max(panelHeight, 16), gap = 4, stripHeight = attribution == nil ? 0 : 14
        let left = 28, plotWidth = Swift.min(Swift.max(length, 480), 1280)
        let width = left + plotWidth + 6
        let height = gap + shown * (panel + gap) + (stripHeight > 0 ? stripHeight + gap : 0)
        var canvas = Canvas(width: width, height: height)
        let scaled = attribution.map { ImageRendering.minMax($0.toArray()) }
        let values = series.toArray()
        // time step t sits at x(t); the map's value at a column is interpolated between steps,
        // or the largest of the steps the column covers when there are more steps than columns
        func x(_ step: Int) -> Int { left + (length == 1 ? 0 : step * (plotWidth - 1) / (length - 1)) }
        func mapValue(atColumn column: Int) -> Float {
            guard let scaled else { return 0 }
            if length > plotWidth {
                let first = column * length / plotWidth, end = Swift.max((column + 1) * length / plotWidth, first + 1)
                return scaled[first..<Swift.min(end, length)].max() ?? 0
            }
            let t = length == 1 ? 0 : Double(column) * Double(length - 1) / Double(plotWidth - 1)
            let below = Swift.min(Int(t), length - 1), above = Swift.min(below + 1, length - 1), fraction = Float(t - Double(below))
            return scaled[below] * (1 - fraction) + scaled[above] * fraction
        }
        for channel in 0..<shown {
            let top = gap + channel * (panel + gap)
            canvas.fill(x: left, y: top, width: plotWidth, height: panel, colour: (246, 246, 246))
            let line = values[(channel * length)..<((channel + 1) * length)]
            let finite = line.filter(\.isFinite), low = finite.min() ?? 0, high = finite.max() ?? 0
            func y(_ value: Float) -> Int {
                let fraction = high > low ? (value - low) / (high - low) : 0.5
                return top + 2 + Int(((1 - fraction) * Float(panel - 5)).rounded())
            }
            for step in 0..<length {
                let next = Swift.min(step + 1, length - 1)
                guard line[line.startIndex + step].isFinite, line[line.startIndex + next].isFinite else { continue }
                let colour = scaled.map { ImageRendering.jet(($0[step] + $0[next]) / 2) } ?? (31, 60, 140)
                canvas.line(from: (x(step), y(line[line.startIndex + step])), to: (x(next), y(line[line.startIndex + next])), colour: colour)
            }
            let label = String(channel)
            PixelFont.draw(label, into: &canvas.pixels, imageWidth: width, imageHeight: height,
                           x: left - 4 - PixelFont.width(label, scale: 2), y: top + panel / 2 - 5, scale: 2, color: (40, 40, 40))
        }
        if stripHeight > 0 {
            let top = gap + shown * (panel + gap)
            for column in 0..<plotWidth {
                canvas.fill(x: left + column, y: top, width: 1, height: stripHeight, colour: ImageRendering.jet(mapValue(atColumn: column)))
            }
        }
        return RawImage(width: width, height: height, channels: 3, pixels: canvas.pixels)
    }

    /// One 1-D kernel's weights as a small tile: the weights joined by a dark blue line over
    /// a grey zero line, scaled by their largest magnitude so that the sign shows (a zero
    /// kernel lies on the zero line).
    static func kernel(_ weights: [Float], width: Int = 48, height: Int = 32) -> RawImage {
        var canvas = Canvas(width: width, height: height)
        canvas.fill(x: 0, y: 0, width: width, height: height, colour: (246, 246, 246))
        let middle = height / 2
        canvas.fill(x: 0, y: middle, width: width, height: 1, colour: (190, 190, 190))
        let largest = weights.filter(\.isFinite).map(Swift.abs).max() ?? 0
        func x(_ index: Int) -> Int { 2 + (weights.count == 1 ? (width - 6) / 2 : index * (width - 6) / (weights.count - 1)) }
        func y(_ value: Float) -> Int { middle - Int((largest > 0 ? value / largest : 0) * Float(middle - 3)) }
        for index in weights.indices {
            let next = Swift.min(index + 1, weights.count - 1)
            guard weights[index].isFinite, weights[next].isFinite else { continue }
            canvas.line(from: (x(index), y(weights[index])), to: (x(next), y(weights[next])), colour: (31, 60, 140))
        }
        return RawImage(width: width, height: height, channels: 3, pixels: canvas.pixels)
    }

    /// An RGB pixel buffer on white, with the two drawing operations the plot needs.
    private struct Canvas {
        let width: Int, height: Int
        var pixels: [UInt8]

        init(width: Int, height: Int) {
            (self.width, self.height) = (width, height)
            pixels = [UInt8](repeating: 255, count: width * height * 3)
        }

        mutating func fill(x: Int, y: Int, width w: Int, height h: Int, colour: (UInt8, UInt8, UInt8)) {
            for row in Swift.max(y, 0)..<Swift.min(y + h, height) {
                for column in Swift.max(x, 0)..<Swift.min(x + w, width) {
                    let at = (row * width + column) * 3
                    (pixels[at], pixels[at + 1], pixels[at + 2]) = colour
                }
            }
        }

        /// A segment two pixels thick, stepped one pixel at a time along its longer axis.
        mutating func line(from start: (Int, Int), to end: (Int, Int), colour: (UInt8, UInt8, UInt8)) {
            let steps = Swift.max(Swift.abs(end.0 - start.0), Swift.abs(end.1 - start.1), 1)
            for step in 0...steps {
                let px = start.0 + (end.0 - start.0) * step / steps, py = start.1 + (end.1 - start.1) * step / steps
                fill(x: px, y: py, width: 2, height: 2, colour: colour)
            }
        }
    }
}
