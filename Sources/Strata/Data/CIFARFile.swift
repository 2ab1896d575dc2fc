import Foundation

/// The CIFAR-10 and CIFAR-100 binary formats: fixed-size records of the label byte(s)
/// followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each a 32×32 row-major
/// plane). CIFAR-10 records have one label byte; CIFAR-100 records a coarse and a fine one.
public enum CIFARFile {
    public enum Variant: Sendable {
        case cifar10
        /// CIFAR-100 with the fine (100 classes) or coarse (20 superclasses) label.
        case cifar100(fine: Bool)

        var labelBytes: Int {
            switch self {
            case .cifar10: return 1
            case .cifar100: return 2
            }
        }
    }

    /// Images `N×3×32×32` scaled to 0…1 and int64 labels from one or more batch files.
    ///
    /// - Throws: `StrataError.io` when unreadable, `corruptFile` when a file's size is not
    ///   a whole number of records or a label is outside the variant's classes.
    public static func load(_ paths: [String], variant: Variant, classNames: [String]? = nil) throws(StrataError) -> TensorDataset {
        var pixels: [UInt8] = [], labels: [Int] = []
        for path in paths {
            guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
            let (filePixels, fileLabels) = try decode(data, variant: variant, path: path)
            pixels += filePixels
            labels += fileLabels
        }
        let inputs = try Tensor(pixels.map { Float($0) / 255 }, shape: [labels.count, 3, 32, 32])
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: labels), classNames: classNames)
    }

    /// The pixel bytes (records' images back to back) and labels of one file.
    public static func decode(_ data: Data, variant: Variant, path: String = "<cifar>") throws(StrataError) -> (pixels: [UInt8], labels: [Int]) {
        let record = variant.labelBytes + 3072
        guard data.count % record == 0, !data.isEmpty else {
            throw .corruptFile(path: path, offset: data.count - data.count % record,
                               message: "\(data.count) bytes are not a whole number of \(record)-byte records")
        }
        let bytes = [UInt8](data)
        let classes: Int
        switch variant {
        case .cifar10: classes = 10
        case let .cifar100(fine): classes = fine ? 100 : 20
        }
        var pixels: [UInt8] = [], labels: [Int] = []
        pixels.reserveCapacity(bytes.count / record * 3072)
        for start in stride(from: 0, to: bytes.count, by: record) {
            let label: Int
            switch variant {
            case .cifar10: label = Int(bytes[start])
            case let .cifar100(fine): label = Int(bytes[start + (fine ? 1 : 0)])
            }
            guard label < classes else {
                throw .corruptFile(path: path, offset: start, message: "label \(label) is not below \(classes)")
            }
            labels.append(label)
            pixels += bytes[(start + variant.labelBytes)..<(start + record)]
        }
        return (pixels, labels)
    }
}

/// The STL-10 binary format: `*_X.bin` holds 96×96 RGB images as bytes, each image one
/// channel after another with every channel stored column-major (as MATLAB writes it);
/// `*_y.bin` holds one label byte 1…10 per image.
public enum STL10File {
    /// Images `N×3×96×96` scaled to 0…1 (transposed to row-major) and labels 0…9.
    ///
    /// - Throws: `StrataError.corruptFile` when the image file is not a whole number of
    ///   images, the counts differ or a label is outside 1…10.
    public static func load(images: String, labels: String, classNames: [String]? = nil) throws(StrataError) -> TensorDataset {
        guard let x = FileBytes.contents(atPath: images) else { throw .io(path: images, message: "cannot read the file") }
        guard let y = FileBytes.contents(atPath: labels) else { throw .io(path: labels, message: "cannot read the file") }
        let side = 96, imageBytes = 3 * 96 * 96
        guard x.count % imageBytes == 0, !x.isEmpty else {
            throw .corruptFile(path: images, offset: x.count - x.count % imageBytes, message: "\(x.count) bytes are not a whole number of \(imageBytes)-byte images")
        }
        let count = x.count / imageBytes
        guard y.count == count else {
            throw .corruptFile(path: labels, offset: Swift.min(y.count, count), message: "\(y.count) labels for \(count) images")
        }
        let pixels = [UInt8](x), names = [UInt8](y)
        if let bad = names.firstIndex(where: { $0 < 1 || $0 > 10 }) {
            throw .corruptFile(path: labels, offset: bad, message: "label \(names[bad]) is outside 1…10")
        }
        let inputs = Tensor(uninitializedShape: [count, 3, side, side])
        inputs.withMutableFloats { values in
            for n in 0..<count {
                for c in 0..<3 {
                    let base = (n * 3 + c) * side * side
                    for column in 0..<side {
                        for row in 0..<side { values[base + row * side + column] = Float(pixels[base + column * side + row]) / 255 }
                    }
                }
            }
        }
        return try TensorDataset(inputs: inputs, targets: try Tensor(labels: names.map { Int($0) - 1 }), classNames: classNames)
    }
}
