import Foundation

/// A separable Gaussian blur of images `N×C×H×W` (standard deviation `sigma` pixels,
/// kernel radius `⌈3σ⌉`, edges extended): the occlusion baseline `blur` and the smoothing
/// step of activation maximisation. No autograd history.
public enum GaussianBlur {
    public static func apply(_ images: Tensor, sigma: Float) throws(StrataError) -> Tensor {
        guard images.rank == 4 else {
            throw .shapeMismatch(op: "blur", message: "expects images N×C×H×W, got \(Shape.describe(images.shape))")
        }
        guard sigma > 0, sigma.isFinite else { throw .invalidArgument(op: "blur", message: "sigma must be > 0, got \(sigma)") }
        let radius = Swift.min(Int((3 * sigma).rounded(.up)), 64)
        var kernel = (-radius...radius).map { Float(Foundation.exp(-Double($0 * $0) / (2 * Double(sigma * sigma)))) }
        let sum = kernel.reduce(0, +)
        kernel = kernel.map { $0 / sum }
        let (height, width) = (images.shape[2], images.shape[3])
        let planes = images.shape[0] * images.shape[1]
        let source = images.toArray()
        var horizontal = [Float](repeating: 0, count: source.count)
        var result = [Float](repeating: 0, count: source.count)
        for plane in 0..<planes {
            let base = plane * height * width
            for row in 0..<height {
                for column in 0..<width {
                    var value: Float = 0
                    for (offset, weight) in kernel.enumerated() {
                        let x = Swift.min(Swift.max(column + offset - radius, 0), width - 1)
                        value += weight * source[base + row * width + x]
                    }
                    horizontal[base + row * width + column] = value
                }
            }
            for row in 0..<height {
                for column in 0..<width {
                    var value: Float = 0
                    for (offset, weight) in kernel.enumerated() {
                        let y = Swift.min(Swift.max(row + offset - radius, 0), height - 1)
                        value += weight * horizontal[base + y * width + column]
                    }
                    result[base + row * width + column] = value
                }
            }
        }
        return try Tensor(result, shape: images.shape)
    }
}
