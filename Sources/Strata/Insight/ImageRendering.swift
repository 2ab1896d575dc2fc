import Foundation

/// Turning tensors into pictures people look at: normalised inputs back to RGB, maps to
/// colour over the image, and grids of labelled tiles.
public enum ImageRendering {
    /// An input image `1×C×H×W` (or `C×H×W`) as 8-bit RGB: `x·std + mean` clamped to 0…1;
    /// one channel becomes grey; `bgr` swaps Caffe's channel order back.
    public static func picture(_ input: Tensor, mean: [Float], std: [Float], bgr: Bool = false) -> RawImage {
        let shape = Array(input.shape.suffix(3))
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        let values = input.toArray(), plane = height * width
        var pixels = [UInt8](repeating: 0, count: plane * 3)
        for pixel in 0..<plane {
            for output in 0..<3 {
                let channel = channels == 1 ? 0 : (bgr ? 2 - output : output)
                guard channel < channels else { continue }
                let m = channel < mean.count ? mean[channel] : 0, s = channel < std.count ? std[channel] : 1
                let value = values[channel * plane + pixel] * s + m
                pixels[pixel * 3 + output] = UInt8((Swift.min(Swift.max(value, 0), 1) * 255).rounded())
            }
        }
        return RawImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// `values` scaled to 0…1 by their own finite minimum and maximum (all zeros when
    /// constant); a non-finite value (a diverged network's NaN) counts as the minimum.
    static func minMax(_ values: [Float]) -> [Float] {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), high > low else { return values.map { _ in 0 } }
        return values.map { $0.isFinite ? ($0 - low) / (high - low) : 0 }
    }

    /// The "jet" colour of a value in 0…1 (blue, cyan, yellow, red).
    static func jet(_ t: Float) -> (UInt8, UInt8, UInt8) {
        func channel(_ centre: Float) -> UInt8 { UInt8((Swift.min(Swift.max(1.5 - Swift.abs(4 * t - centre), 0), 1) * 255).rounded()) }
        return (channel(3), channel(2), channel(1))
    }

    /// A map `H×W` in colour (min–max scaled), blended over `image` of the same size with
    /// weight `alpha` (0: only the image, 1: only the map); with `weightedByValue` the
    /// weight grows with the map's value, so the image shows through where it is low
    /// (sparse maps such as saliency).
    public static func overlay(_ map: Tensor, on image: RawImage?, alpha: Float = 0.5, weightedByValue: Bool = false) -> RawImage {
        let (height, width) = (map.shape[0], map.shape[1])
        let scaled = minMax(map.toArray())
        var pixels = [UInt8](repeating: 0, count: height * width * 3)
        for pixel in 0..<(height * width) {
            let (r, g, b) = jet(scaled[pixel])
            let colour = [r, g, b]
            for channel in 0..<3 {
                let under = image.map { Float($0.pixels[pixel * 3 + channel]) } ?? Float(colour[channel])
                let weight = image == nil ? 1 : (weightedByValue ? Swift.min(1, alpha * scaled[pixel]) : alpha)
                pixels[pixel * 3 + channel] = UInt8((weight * Float(colour[channel]) + (1 - weight) * under).rounded())
            }
        }
        return RawImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Tiles (RGB, any size up to the largest) in rows of `columns`, each with its label
    /// underneath, on a dark background.
    public static func grid(_ tiles: [RawImage], labels: [String], columns: Int, tileScale: Int = 1) -> RawImage {
        let tileWidth = (tiles.map(\.width).max() ?? 1) * tileScale, tileHeight = (tiles.map(\.height).max() ?? 1) * tileScale
        let fontScale = tileWidth >= 48 ? 2 : 1
        let labelHeight = 5 * fontScale + 4, gap = 4
        let columns = Swift.max(1, Swift.min(columns, tiles.count))
        let rows = (tiles.count + columns - 1) / columns
        let width = gap + columns * (tileWidth + gap), height = gap + rows * (tileHeight + labelHeight + gap)
        var pixels = [UInt8](repeating: 24, count: width * height * 3)
        for (index, tile) in tiles.enumerated() {
            let x0 = gap + (index % columns) * (tileWidth + gap), y0 = gap + (index / columns) * (tileHeight + labelHeight + gap)
            for y in 0..<(tile.height * tileScale) {
                for x in 0..<(tile.width * tileScale) {
                    let source = ((y / tileScale) * tile.width + x / tileScale) * tile.channels
                    let target = ((y0 + y) * width + x0 + x) * 3
                    for channel in 0..<3 { pixels[target + channel] = tile.pixels[source + (tile.channels == 1 ? 0 : channel)] }
                }
            }
            if index < labels.count {
                let label = labels[index]
                PixelFont.draw(label, into: &pixels, imageWidth: width, imageHeight: height,
                               x: x0 + (tileWidth - PixelFont.width(label, scale: fontScale)) / 2, y: y0 + tileHeight + 2,
                               scale: fontScale, color: (230, 230, 230))
            }
        }
        return RawImage(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// One `h×w` plane as a grey tile, min–max scaled on its own.
    static func greyTile(_ values: [Float], height: Int, width: Int) -> RawImage {
        RawImage(width: width, height: height, channels: 1, pixels: minMax(values).map { UInt8(($0 * 255).rounded()) })
    }
}
