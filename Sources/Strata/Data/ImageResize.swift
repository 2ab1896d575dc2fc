/// Resizing 8-bit images exactly as Pillow's `Image.resize(size, BILINEAR)` does (what
/// torchvision's `Resize` calls on PIL images, antialiased when shrinking): a separable
/// triangle filter whose support widens with the scale factor, coefficients normalised
/// per output pixel and rounded to 22-bit fixed point, a horizontal pass to 8 bits, then a
/// vertical pass to 8 bits. The output is byte-identical to Pillow's.
public enum ImageResize {
    /// Fraction bits of Pillow's fixed-point coefficients for 8-bit images.
    private static let precisionBits = 32 - 8 - 2

    /// `image` resized to `width×height` with Pillow's antialiased bilinear filter.
    public static func bilinear(_ image: RawImage, width: Int, height: Int) -> RawImage {
        guard width > 0, height > 0, image.width > 0, image.height > 0 else {
            return RawImage(width: Swift.max(width, 0), height: Swift.max(height, 0), channels: image.channels,
                            pixels: [UInt8](repeating: 0, count: Swift.max(width, 0) * Swift.max(height, 0) * image.channels))
        }
        var current = image
        if width != image.width {
            current = horizontal(current, to: width)
        }
        if height != image.height {
            current = vertical(current, to: height)
        }
        return current
    }

    /// Per output pixel, the first input index, the number of inputs and their
    /// fixed-point weights (Pillow's `precompute_coeffs` and `normalize_coeffs_8bpc`).
    private static func coefficients(input: Int, output: Int) -> (bounds: [(Int, Int)], weights: [[Int32]]) {
        let scale = Double(input) / Double(output)
        let filterScale = Swift.max(scale, 1)
        let support = 1.0 * filterScale
        var bounds: [(Int, Int)] = [], weights: [[Int32]] = []
        for index in 0..<output {
            let center = (Double(index) + 0.5) * scale
            let inverse = 1 / filterScale
            let first = Swift.max(Int(center - support + 0.5), 0)
            let last = Swift.min(Int(center + support + 0.5), input)
            var taps: [Double] = []
            var total = 0.0
            for x in first..<Swift.max(last, first) {
                let distance = Swift.abs((Double(x) - center + 0.5) * inverse)
                let weight = distance < 1 ? 1 - distance : 0
                taps.append(weight)
                total += weight
            }
            if total != 0 { taps = taps.map { $0 / total } }
            let scaleFactor = Double(1 << precisionBits)
            weights.append(taps.map { Int32($0 < 0 ? -0.5 + $0 * scaleFactor : 0.5 + $0 * scaleFactor) })
            bounds.append((first, taps.count))
        }
        return (bounds, weights)
    }

    /// Rounds a fixed-point sum (with its half already added) to 0…255.
    private static func clip(_ sum: Int64) -> UInt8 {
        let value = sum >> Int64(precisionBits)
        return UInt8(Swift.min(Swift.max(value, 0), 255))
    }

    private static func horizontal(_ image: RawImage, to width: Int) -> RawImage {
        let (bounds, weights) = coefficients(input: image.width, output: width)
        let channels = image.channels
        var pixels = [UInt8](repeating: 0, count: width * image.height * channels)
        let half = Int64(1) << Int64(precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<image.height {
                let row = y * image.width * channels
                for x in 0..<width {
                    let (first, count) = bounds[x]
                    let taps = weights[x]
                    for c in 0..<channels {
                        var sum = half
                        for k in 0..<count { sum += Int64(source[row + (first + k) * channels + c]) * Int64(taps[k]) }
                        pixels[(y * width + x) * channels + c] = clip(sum)
                    }
                }
            }
        }
        return RawImage(width: width, height: image.height, channels: channels, pixels: pixels)
    }

    private static func vertical(_ image: RawImage, to height: Int) -> RawImage {
        let (bounds, weights) = coefficients(input: image.height, output: height)
        let channels = image.channels, stride = image.width * channels
        var pixels = [UInt8](repeating: 0, count: image.width * height * channels)
        let half = Int64(1) << Int64(precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<height {
                let (first, count) = bounds[y]
                let taps = weights[y]
                for offset in 0..<stride {
                    var sum = half
                    for k in 0..<count { sum += Int64(source[(first + k) * stride + offset]) * Int64(taps[k]) }
                    pixels[y * stride + offset] = clip(sum)
                }
            }
        }
        return RawImage(width: image.width, height: height, channels: channels, pixels: pixels)
    }

    /// The `width×height` window at `left`, `top` (it must lie inside the image).
    public static func crop(_ image: RawImage, left: Int, top: Int, width: Int, height: Int) -> RawImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * image.channels)
        for y in top..<(top + height) {
            let start = (y * image.width + left) * image.channels
            pixels += image.pixels[start..<(start + width * image.channels)]
        }
        return RawImage(width: width, height: height, channels: image.channels, pixels: pixels)
    }
}
