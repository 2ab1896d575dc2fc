/// Augmentations written on the command line: `hflip,crop:4,rotate:10` for images,
/// `jitter:0.03,scale:0.1,timewarp:0.2` for sequences; a value after `:` overrides the
/// default strength.
public enum AugmentationSpecification {
    /// Each name with its default strength and what it builds.
    static let known: [(name: String, value: Float, make: @Sendable (Float) -> any Augmentation)] = [
        ("hflip", 0.5, { HorizontalFlip(p: $0) }), ("vflip", 0.5, { VerticalFlip(p: $0) }),
        ("crop", 4, { RandomCrop(padding: Int($0)) }), ("rotate", 10, { RandomRotation(maxDegrees: $0) }),
        ("translate", 0.1, { RandomTranslation(maxFraction: $0) }), ("zoom", 0.1, { RandomZoom(range: (1 - $0)...(1 + $0)) }),
        ("brightness", 0.2, { BrightnessContrast(brightness: $0, contrast: 0) }),
        ("contrast", 0.2, { BrightnessContrast(brightness: 0, contrast: $0) }),
        ("noise", 0.05, { GaussianNoise(std: $0) }), ("cutout", 8, { Cutout(size: Int($0)) }),
        ("jitter", 0.03, { Jitter(std: $0) }), ("scale", 0.1, { Scaling(std: $0) }),
        ("magwarp", 0.2, { MagnitudeWarp(std: $0) }), ("timewarp", 0.2, { TimeWarp(std: $0) }),
        ("slice", 0.9, { WindowSlice(ratio: $0) }), ("shift", 5, { RandomShift(maxShift: Int($0)) }),
    ]

    /// The names `parse` accepts.
    public static var names: [String] { known.map(\.name) }

    /// - Throws: `StrataError.invalidArgument` naming an unknown augmentation or a bad value.
    public static func parse(_ text: String) throws(StrataError) -> [any Augmentation] {
        var result: [any Augmentation] = []
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard let entry = known.first(where: { $0.name == parts[0].lowercased() }) else {
                throw .invalidArgument(op: "train", message: "--augment \(item) is not allowed: known augmentations are \(known.map(\.name).joined(separator: ", "))")
            }
            var value = entry.value
            if parts.count == 2 {
                guard let given = Float(parts[1]), given >= 0, given <= 10_000 else {
                    throw .invalidArgument(op: "train", message: "--augment \(item) is not allowed: give \(entry.name):NUMBER with a number from 0 to 10000")
                }
                value = given
            }
            result.append(entry.make(value))
        }
        return result
    }
}
