import Foundation

/// Images in one sub-folder per class (the ImageNet / Pascal layout, torchvision's
/// `ImageFolder`): classes are the sub-folder names in sorted order; every PNG or JPEG
/// becomes an `N×C×H×W` sample scaled to 0…1, resized (bilinear) to `size` when given,
/// else to the size of the first image.
public enum ImageFolder {
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// - Throws: `StrataError.io` for a missing folder or one without class sub-folders,
    ///   `corruptFile` for an image that does not decode (naming it).
    public static func load(_ root: String, channels: Int = 3, size: (height: Int, width: Int)? = nil) throws(StrataError) -> TensorDataset {
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: root) else {
            throw .io(path: root, message: "cannot list the folder")
        }
        let classes = entries.filter { name in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: (root as NSString).appendingPathComponent(name), isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw .io(path: root, message: "no class sub-folders (expected root/CLASS/image.png)") }
        var images: [(RawImage, Int)] = []
        for (label, name) in classes.enumerated() {
            let folder = (root as NSString).appendingPathComponent(name)
            let files = ((try? manager.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                let path = (folder as NSString).appendingPathComponent(file)
                guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the image") }
                images.append((try ImageCodec.decode(data, channels: channels, path: path), label))
            }
        }
        guard let first = images.first?.0 else { throw .io(path: root, message: "no PNG or JPEG images in the class folders") }
        let (height, width) = size ?? (first.height, first.width)
        let inputs = Tensor(uninitializedShape: [images.count, channels, height, width])
        let plane = height * width
        inputs.withMutableFloats { values in
            for (index, (image, _)) in images.enumerated() {
                let resized = Resize.bilinear(image, height: height, width: width)
                for c in 0..<channels {
                    for i in 0..<plane {
                        values[(index * channels + c) * plane + i] = Float(resized[i * channels + c]) / 255
                    }
                }
            }
        }
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: images.map(\.1)), classNames: classes)
    }
}

/// Resampling of 8-bit images.
enum Resize {
    /// `height×width×channels` bytes resampled bilinearly (pixel centres aligned, as
    /// PyTorch's `align_corners=False`); the image itself when the size already matches.
    static func bilinear(_ image: RawImage, height: Int, width: Int) -> [UInt8] {
        if image.height == height && image.width == width { return image.pixels }
        let c = image.channels
        var output = [UInt8](repeating: 0, count: height * width * c)
        let scaleY = Double(image.height) / Double(height), scaleX = Double(image.width) / Double(width)
        for y in 0..<height {
            let sy = Swift.max(0, (Double(y) + 0.5) * scaleY - 0.5)
            let y0 = Swift.min(Int(sy), image.height - 1), y1 = Swift.min(y0 + 1, image.height - 1), fy = sy - Double(y0)
            for x in 0..<width {
                let sx = Swift.max(0, (Double(x) + 0.5) * scaleX - 0.5)
                let x0 = Swift.min(Int(sx), image.width - 1), x1 = Swift.min(x0 + 1, image.width - 1), fx = sx - Double(x0)
                for k in 0..<c {
                    func at(_ yy: Int, _ xx: Int) -> Double { Double(image.pixels[(yy * image.width + xx) * c + k]) }
                    let top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx, bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx
                    output[(y * width + x) * c + k] = UInt8(Swift.min(255, Swift.max(0, (top * (1 - fy) + bottom * fy).rounded())))
                }
            }
        }
        return output
    }
}
