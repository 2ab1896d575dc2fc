import Foundation

/// How a pretrained network wants its images, as torchvision's evaluation transforms
/// give them: resize the shorter side (Pillow's antialiased bilinear filter,
/// byte-identical), crop the centre, scale, order the channels, normalise per channel.
///
///     let x = try ImagePreprocessing.imagenet.tensor(try ImageCodec.read(contentsOf: "cat.png"))   // 1×3×224×224
public struct ImagePreprocessing: Sendable, Equatable {
    /// The shorter side after resizing (the longer keeps the aspect ratio, truncated).
    public var resize: Int
    /// The side of the centre crop.
    public var crop: Int
    /// Divides the 0…255 pixel values first (255 as `to_tensor`, 1 for Caffe).
    public var divisor: Float
    /// Blue, green, red instead of red, green, blue (Caffe-trained weights).
    public var bgr: Bool
    /// Per channel (in the output's channel order): `x = (x/divisor − mean)/std`.
    public var mean: [Float]
    public var std: [Float]

    public init(resize: Int, crop: Int, divisor: Float, bgr: Bool, mean: [Float], std: [Float]) {
        (self.resize, self.crop, self.divisor, self.bgr, self.mean, self.std) = (resize, crop, divisor, bgr, mean, std)
    }

    /// torchvision's ImageNet weights: 256 → 224, `/255`, RGB, ImageNet mean and std.
    public static let imagenet = ImagePreprocessing(resize: 256, crop: 224, divisor: 255, bgr: false,
                                                    mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// Caffe's weights (SqueezeNet 1.1 of `shared/data/pretrained`): 256 → 227, 0…255, BGR
    /// minus the BGR mean `[104.006, 116.669, 122.679]`, no division.
    public static let caffe = ImagePreprocessing(resize: 256, crop: 227, divisor: 1, bgr: true,
                                                 mean: [104.006, 116.669, 122.679], std: [1, 1, 1])
    /// torchvision's Inception v3: 342 → 299, ImageNet normalisation.
    public static let inception = ImagePreprocessing(resize: 342, crop: 299, divisor: 255, bgr: false,
                                                     mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// timm's Xception: 333 → 299, `(x − 0.5)/0.5` (timm resizes bicubically; this is bilinear).
    public static let xception = ImagePreprocessing(resize: 333, crop: 299, divisor: 255, bgr: false,
                                                    mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    /// The presets by name, for `--preprocess`.
    public static let named: [String: ImagePreprocessing] = ["imagenet": .imagenet, "caffe": .caffe,
                                                             "inception": .inception, "xception": .xception]

    /// The preset an architecture's published weights use.
    public static func standard(for architecture: String) -> ImagePreprocessing {
        switch architecture.lowercased() {
        case "inception_v3": return .inception
        case "xception", "legacy_xception": return .xception
        default: return .imagenet
        }
    }

    /// The resized width and height: shorter side `resize`, longer `⌊resize·long/short⌋`.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let short = Swift.min(width, height), long = Swift.max(width, height)
        let newLong = Int(Double(resize) * Double(long) / Double(short))
        return width <= height ? (resize, newLong) : (newLong, resize)
    }

    /// The centre crop's left and top: `round((size − crop)/2)`, halves to even (torchvision).
    public func cropOrigin(width: Int, height: Int) -> (left: Int, top: Int) {
        (Int((Double(width - crop) / 2).rounded(.toNearestOrEven)), Int((Double(height - crop) / 2).rounded(.toNearestOrEven)))
    }

    /// The resized and centre-cropped RGB picture the network sees (grey images get three
    /// equal channels).
    ///
    /// - Throws: `StrataError.invalidArgument` when the crop is larger than the resized image.
    public func cropped(_ image: RawImage) throws(StrataError) -> RawImage {
        let rgb = image.channels == 3 ? image
            : RawImage(width: image.width, height: image.height, channels: 3, pixels: image.pixels.flatMap { [$0, $0, $0] })
        let size = resizedSize(width: rgb.width, height: rgb.height)
        guard crop >= 1, size.width >= crop, size.height >= crop else {
            throw .invalidArgument(op: "preprocess", message: "cannot crop \(crop)×\(crop) from an image resized to \(size.width)×\(size.height)")
        }
        let resized = ImageResize.bilinear(rgb, width: size.width, height: size.height)
        let (left, top) = cropOrigin(width: size.width, height: size.height)
        return ImageResize.crop(resized, left: left, top: top, width: crop, height: crop)
    }

    /// The network input `1×3×crop×crop` for an image.
    public func tensor(_ image: RawImage) throws(StrataError) -> Tensor {
        let pixels = try cropped(image).pixels
        let plane = crop * crop
        let result = Tensor(uninitializedShape: [1, 3, crop, crop])
        result.withMutableFloats { values in
            for channel in 0..<3 {
                let source = bgr ? 2 - channel : channel
                for index in 0..<plane {
                    values[channel * plane + index] = (Float(pixels[index * 3 + source]) / divisor - mean[channel]) / std[channel]
                }
            }
        }
        return result
    }
}

/// The 1000 ImageNet class names in torchvision's order, shipped with Strata.
public enum ImageNetClasses {
    public static func names() throws(StrataError) -> [String] {
        let path = try BundledResources.folder("imagenet").appendingPathComponent("imagenet_classes.txt").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .io(path: path, message: "cannot read the bundled ImageNet class names")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }
}
