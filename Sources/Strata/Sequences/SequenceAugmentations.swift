import Foundation

/// Sequence samples are `C×L` row-major (each channel's values in time order).
enum SequenceGeometry {
    static func dimensions(_ shape: [Int]) -> (channels: Int, length: Int) {
        (shape.count >= 2 ? shape[shape.count - 2] : 1, shape.last ?? 1)
    }

    /// `values` read at fractional time `t` (linear interpolation, clamped to the ends).
    static func interpolate(_ values: ArraySlice<Float>, at t: Double) -> Float {
        let length = values.count
        guard length > 0 else { return 0 }
        guard t.isFinite else { return values[values.startIndex] }
        let clamped = Swift.min(Swift.max(t, 0), Double(length - 1))
        let low = Int(clamped.rounded(.down)), high = Swift.min(low + 1, length - 1), f = Float(clamped - Double(low))
        return values[values.startIndex + low] * (1 - f) + values[values.startIndex + high] * f
    }

    /// A smooth curve of `length` points through `knots` placed evenly from the first to
    /// the last point (Catmull–Rom interpolation).
    static func smoothCurve(_ knots: [Float], length: Int) -> [Float] {
        guard knots.count >= 2 else { return [Float](repeating: knots.first ?? 1, count: length) }
        return (0..<length).map { i in
            let position = length > 1 ? Double(i) / Double(length - 1) * Double(knots.count - 1) : 0
            let k = Swift.min(Int(position), knots.count - 2), t = Float(position - Double(k))
            let p0 = knots[Swift.max(k - 1, 0)], p1 = knots[k], p2 = knots[k + 1], p3 = knots[Swift.min(k + 2, knots.count - 1)]
            return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t + (-p0 + 3 * p1 - 3 * p2 + p3) * t * t * t)
        }
    }
}

/// Adds normal noise of standard deviation `std` to every value (sensor jitter).
public struct Jitter: Augmentation {
    public let std: Float
    public init(std: Float) { self.std = std }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> [Float] {
        (0..<Shape.count(shape)).map { _ in generator.nextNormal() * std }
    }
    public func apply(_ sample: [Float], shape: [Int], parameters noise: [Float]) -> [Float] { zip(sample, noise).map { $0 + $1 } }
}

/// Multiplies each channel by a factor drawn from N(1, std²).
public struct Scaling: Augmentation {
    public let std: Float
    public init(std: Float) { self.std = std }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> [Float] {
        (0..<SequenceGeometry.dimensions(shape).channels).map { _ in 1 + generator.nextNormal() * std }
    }
    public func apply(_ sample: [Float], shape: [Int], parameters factors: [Float]) -> [Float] {
        let length = SequenceGeometry.dimensions(shape).length
        return sample.enumerated().map { $0.element * factors[$0.offset / length] }
    }
}

/// Multiplies each channel by a smooth random curve through `knots` values drawn from
/// N(1, std²) (Um et al.'s magnitude warping).
public struct MagnitudeWarp: Augmentation {
    public let std: Float
    public let knots: Int
    public init(std: Float = 0.2, knots: Int = 4) {
        self.std = std
        self.knots = Swift.max(knots, 0)
    }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> [[Float]] {
        (0..<SequenceGeometry.dimensions(shape).channels).map { _ in (0..<(knots + 2)).map { _ in 1 + generator.nextNormal() * std } }
    }
    public func apply(_ sample: [Float], shape: [Int], parameters curves: [[Float]]) -> [Float] {
        let (channels, length) = SequenceGeometry.dimensions(shape)
        var output = sample
        for c in 0..<channels {
            let curve = SequenceGeometry.smoothCurve(curves[c], length: length)
            for t in 0..<length { output[c * length + t] *= curve[t] }
        }
        return output
    }
}

/// Resamples time along a smooth random warp: the speed at `knots` points is drawn from
/// N(1, std²) (kept positive), integrated into a monotone map of `0…L−1` onto itself.
public struct TimeWarp: Augmentation {
    public let std: Float
    public let knots: Int
    public init(std: Float = 0.2, knots: Int = 4) {
        self.std = std
        self.knots = Swift.max(knots, 0)
    }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> [Float] {
        (0..<(knots + 2)).map { _ in Swift.max(0.1, 1 + generator.nextNormal() * std) }
    }
    /// Where each output step reads the input (fractional time), for the given speeds.
    func warpedTimes(_ speeds: [Float], length: Int) -> [Double] {
        let speed = SequenceGeometry.smoothCurve(speeds, length: length).map { Swift.max(Double($0), 0.01) }
        var cumulative = [0.0]
        for t in 1..<Swift.max(length, 1) { cumulative.append(cumulative[t - 1] + speed[t]) }
        let total = cumulative.last ?? 0
        return cumulative.map { total > 0 ? $0 / total * Double(length - 1) : 0 }
    }
    public func apply(_ sample: [Float], shape: [Int], parameters speeds: [Float]) -> [Float] {
        let (channels, length) = SequenceGeometry.dimensions(shape)
        let times = warpedTimes(speeds, length: length)
        var output = sample
        for c in 0..<channels {
            let values = sample[(c * length)..<((c + 1) * length)]
            for t in 0..<length { output[c * length + t] = SequenceGeometry.interpolate(values, at: times[t]) }
        }
        return output
    }
}

/// Crops a random window of `ratio` of the length and stretches it back to full length
/// (Le Guennec et al.'s window slicing).
public struct WindowSlice: Augmentation {
    public let ratio: Float
    public init(ratio: Float = 0.9) { self.ratio = ratio.isFinite ? Swift.min(Swift.max(ratio, 0), 1) : 1 }
    private func window(_ length: Int) -> Int { Swift.max(2, Int((Float(length) * ratio).rounded(.up))) }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Int {
        let length = SequenceGeometry.dimensions(shape).length
        return generator.nextInt(below: Swift.max(length - window(length) + 1, 1))
    }
    public func apply(_ sample: [Float], shape: [Int], parameters start: Int) -> [Float] {
        let (channels, length) = SequenceGeometry.dimensions(shape)
        let size = Swift.min(window(length), length)
        var output = sample
        for c in 0..<channels {
            let slice = sample[(c * length + start)..<(c * length + start + size)]
            for t in 0..<length {
                output[c * length + t] = SequenceGeometry.interpolate(slice, at: length > 1 ? Double(t) * Double(size - 1) / Double(length - 1) : 0)
            }
        }
        return output
    }
}

/// Shifts every channel by up to `maxShift` steps in time (positive = later), zeros
/// entering at the edge.
public struct RandomShift: Augmentation {
    public let maxShift: Int
    public init(maxShift: Int) { self.maxShift = maxShift }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Int { generator.nextInt(below: 2 * maxShift + 1) - maxShift }
    public func apply(_ sample: [Float], shape: [Int], parameters shift: Int) -> [Float] {
        let (channels, length) = SequenceGeometry.dimensions(shape)
        var output = [Float](repeating: 0, count: sample.count)
        for c in 0..<channels {
            for t in 0..<length where t - shift >= 0 && t - shift < length { output[c * length + t] = sample[c * length + t - shift] }
        }
        return output
    }
}
