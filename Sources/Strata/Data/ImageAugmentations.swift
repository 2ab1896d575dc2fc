import Foundation

/// Image samples are `C×H×W` row-major.
enum ImageGeometry {
    static func dimensions(_ shape: [Int]) -> (channels: Int, height: Int, width: Int) {
        (shape.count >= 3 ? shape[shape.count - 3] : 1, shape.count >= 2 ? shape[shape.count - 2] : 1, shape.last ?? 1)
    }

    /// The image moved by whole pixels: output pixel `(y, x)` is input pixel `(y + down, x + right)`,
    /// zero outside — `resample` with an integer shift, as row copies.
    static func shifted(_ sample: [Float], _ shape: [Int], down: Int, right: Int) -> [Float] {
        let (channels, height, width) = dimensions(shape)
        /// The output positions along an axis of `size` whose source `position + shift` is inside.
        func inside(_ size: Int, _ shift: Int) -> Range<Int> {
            let first = Swift.max(0, -shift)
            return first..<Swift.max(first, Swift.min(size, size - shift))
        }
        let (rows, columns) = (inside(height, down), inside(width, right))
        var output = [Float](repeating: 0, count: sample.count)
        guard !rows.isEmpty, !columns.isEmpty else { return output }
        sample.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                for plane in stride(from: 0, to: channels * height * width, by: height * width) {
                    for y in rows {
                        (output.baseAddress! + plane + y * width + columns.lowerBound)
                            .update(from: input.baseAddress! + plane + (y + down) * width + columns.lowerBound + right,
                                    count: columns.count)
                    }
                }
            }
        }
        return output
    }

    /// Samples every output pixel at `source(y, x)` in the input (bilinear, zero outside).
    static func resample(_ sample: [Float], _ shape: [Int], _ source: (Double, Double) -> (Double, Double)) -> [Float] {
        let (channels, height, width) = dimensions(shape)
        var output = [Float](repeating: 0, count: sample.count)
        for y in 0..<height {
            for x in 0..<width {
                let (sy, sx) = source(Double(y), Double(x))
                // a coordinate far outside (or NaN from a wild parameter) reads zeros
                guard Swift.abs(sy) < 1e9, Swift.abs(sx) < 1e9 else { continue }
                let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
                let fy = Float(sy - Double(y0)), fx = Float(sx - Double(x0))
                for c in 0..<channels {
                    let plane = c * height * width
                    func at(_ yy: Int, _ xx: Int) -> Float {
                        yy >= 0 && yy < height && xx >= 0 && xx < width ? sample[plane + yy * width + xx] : 0
                    }
                    let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
                    let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
                    output[plane + y * width + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
        return output
    }
}

/// Mirrors the image left–right with probability `p`.
public struct HorizontalFlip: Augmentation {
    public let p: Float
    public init(p: Float = 0.5) { self.p = p }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Bool { generator.nextUniform() < p }
    public func apply(_ sample: [Float], shape: [Int], parameters flip: Bool) -> [Float] {
        guard flip else { return sample }
        let width = ImageGeometry.dimensions(shape).width
        var mirrored = sample
        for row in stride(from: 0, to: sample.count, by: width) {
            for x in 0..<width { mirrored[row + x] = sample[row + width - 1 - x] }
        }
        return mirrored
    }
}

/// Mirrors the image top–bottom with probability `p`.
public struct VerticalFlip: Augmentation {
    public let p: Float
    public init(p: Float = 0.5) { self.p = p }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Bool { generator.nextUniform() < p }
    public func apply(_ sample: [Float], shape: [Int], parameters flip: Bool) -> [Float] {
        guard flip else { return sample }
        let (_, height, width) = ImageGeometry.dimensions(shape)
        return sample.indices.map { i in
            let plane = i - i % (height * width), y = (i % (height * width)) / width, x = i % width
            return sample[plane + (height - 1 - y) * width + x]
        }
    }
}

/// Pads the image with `padding` zeros on each side and crops a random window of the
/// original size (the CIFAR recipe): parameters are the window's top-left corner in the
/// padded image.
public struct RandomCrop: Augmentation {
    public let padding: Int
    public init(padding: Int = 4) { self.padding = padding }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> (top: Int, left: Int) {
        (generator.nextInt(below: 2 * padding + 1), generator.nextInt(below: 2 * padding + 1))
    }
    public func apply(_ sample: [Float], shape: [Int], parameters corner: (top: Int, left: Int)) -> [Float] {
        ImageGeometry.shifted(sample, shape, down: corner.top - padding, right: corner.left - padding)
    }
}

/// Rotates the image about its centre by an angle drawn from ±`maxDegrees`, positive
/// counter-clockwise as torchvision's (bilinear, zeros where the image leaves the frame).
public struct RandomRotation: Augmentation {
    public let maxDegrees: Float
    public init(maxDegrees: Float) { self.maxDegrees = maxDegrees }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Float { (generator.nextUniform() * 2 - 1) * maxDegrees }
    public func apply(_ sample: [Float], shape: [Int], parameters degrees: Float) -> [Float] {
        let (_, height, width) = ImageGeometry.dimensions(shape)
        // rows grow downwards, so a counter-clockwise turn reads the input at −angle in (row, column)
        let angle = -Double(degrees) * Double.pi / 180, (cy, cx) = (Double(height - 1) / 2, Double(width - 1) / 2)
        let (c, s) = (cos(angle), sin(angle))
        return ImageGeometry.resample(sample, shape) { y, x in
            let (v, u) = (y - cy, x - cx)
            return (cy + c * v - s * u, cx + s * v + c * u)
        }
    }
}

/// Shifts the image by up to `maxFraction` of its width and height (zeros enter).
public struct RandomTranslation: Augmentation {
    public let maxFraction: Float
    public init(maxFraction: Float) { self.maxFraction = maxFraction }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> (dy: Float, dx: Float) {
        let (_, height, width) = ImageGeometry.dimensions(shape)
        return ((generator.nextUniform() * 2 - 1) * maxFraction * Float(height), (generator.nextUniform() * 2 - 1) * maxFraction * Float(width))
    }
    public func apply(_ sample: [Float], shape: [Int], parameters shift: (dy: Float, dx: Float)) -> [Float] {
        ImageGeometry.resample(sample, shape) { y, x in (y - Double(shift.dy), x - Double(shift.dx)) }
    }
}

/// Scales the image about its centre by a factor drawn from `range` (above 1 zooms in).
public struct RandomZoom: Augmentation {
    public let range: ClosedRange<Float>
    public init(range: ClosedRange<Float>) { self.range = range }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUniform()
    }
    public func apply(_ sample: [Float], shape: [Int], parameters factor: Float) -> [Float] {
        let (_, height, width) = ImageGeometry.dimensions(shape)
        let (cy, cx) = (Double(height - 1) / 2, Double(width - 1) / 2), z = Double(factor)
        guard z > 0, z.isFinite else { return sample }
        return ImageGeometry.resample(sample, shape) { y, x in (cy + (y - cy) / z, cx + (x - cx) / z) }
    }
}

/// Shifts brightness by up to ±`brightness` and scales contrast about each channel's mean
/// by a factor in `1 ± contrast`: `x' = (x − mean_c)·factor + mean_c + shift`.
public struct BrightnessContrast: Augmentation {
    public let brightness: Float
    public let contrast: Float
    public init(brightness: Float, contrast: Float) {
        self.brightness = brightness
        self.contrast = contrast
    }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> (shift: Float, factor: Float) {
        ((generator.nextUniform() * 2 - 1) * brightness, 1 + (generator.nextUniform() * 2 - 1) * contrast)
    }
    public func apply(_ sample: [Float], shape: [Int], parameters: (shift: Float, factor: Float)) -> [Float] {
        let (channels, height, width) = ImageGeometry.dimensions(shape)
        let plane = height * width
        var output = sample
        for c in 0..<channels {
            let values = sample[(c * plane)..<((c + 1) * plane)]
            let mean = values.reduce(0, +) / Float(Swift.max(plane, 1))
            for i in values.indices { output[i] = (sample[i] - mean) * parameters.factor + mean + parameters.shift }
        }
        return output
    }
}

/// Adds independent normal noise of standard deviation `std` to every value.
public struct GaussianNoise: Augmentation {
    public let std: Float
    public init(std: Float) { self.std = std }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> [Float] {
        (0..<Shape.count(shape)).map { _ in generator.nextNormal() * std }
    }
    public func apply(_ sample: [Float], shape: [Int], parameters noise: [Float]) -> [Float] {
        zip(sample, noise).map { $0 + $1 }
    }
}

/// Zeroes a `size×size` square (clipped at the borders) centred at a random pixel, in
/// every channel (DeVries & Taylor's cutout).
public struct Cutout: Augmentation {
    public let size: Int
    public init(size: Int) { self.size = size }
    public func draw(_ generator: inout RandomGenerator, shape: [Int]) -> (y: Int, x: Int) {
        let (_, height, width) = ImageGeometry.dimensions(shape)
        return (generator.nextInt(below: height), generator.nextInt(below: width))
    }
    public func apply(_ sample: [Float], shape: [Int], parameters centre: (y: Int, x: Int)) -> [Float] {
        let (channels, height, width) = ImageGeometry.dimensions(shape)
        var output = sample
        let top = Swift.max(0, centre.y - size / 2), bottom = Swift.min(height, centre.y - size / 2 + size)
        let left = Swift.max(0, centre.x - size / 2), right = Swift.min(width, centre.x - size / 2 + size)
        for c in 0..<channels where top < bottom && left < right {
            for y in top..<bottom { for x in left..<right { output[(c * height + y) * width + x] = 0 } }
        }
        return output
    }
}
