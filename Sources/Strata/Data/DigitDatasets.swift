import Foundation

/// The digit data sets Strata knows by name: the 8×8 UCI digits bundled with Strata, and
/// MNIST / Fashion-MNIST from IDX files in a folder.
public enum DigitDatasets {
    /// The 1,797 UCI 8×8 digits (scikit-learn's `load_digits`), shipped with Strata:
    /// inputs `N×1×8×8` scaled from 0…16 to 0…1, labels 0–9.
    public static func uciDigits() throws(StrataError) -> TensorDataset {
        let folder = try BundledResources.folder("digits")
        return try idxPair(images: folder.appendingPathComponent("digits-images-idx3-ubyte.gz").path,
                           labels: folder.appendingPathComponent("digits-labels-idx1-ubyte.gz").path,
                           scale: 1 / 16, classNames: (0...9).map(String.init))
    }

    /// MNIST-format training and test sets from `directory`: `train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each
    /// plain or with `.gz`. Pixels are scaled to 0…1.
    ///
    /// - Throws: `StrataError.io` naming the missing file and where it was looked for.
    public static func mnist(directory: String, classNames: [String] = (0...9).map(String.init)) throws(StrataError) -> (train: TensorDataset, test: TensorDataset) {
        func file(_ stem: String) throws(StrataError) -> String {
            for candidate in [stem, stem + ".gz"] {
                let path = (directory as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            throw .io(path: directory, message: "no \(stem) or \(stem).gz here; MNIST-format folders hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)")
        }
        let train = try idxPair(images: try file("train-images-idx3-ubyte"), labels: try file("train-labels-idx1-ubyte"),
                                scale: 1 / 255, classNames: classNames)
        let test = try idxPair(images: try file("t10k-images-idx3-ubyte"), labels: try file("t10k-labels-idx1-ubyte"),
                               scale: 1 / 255, classNames: classNames)
        return (train, test)
    }

    /// Images `N×rows×cols` and labels `N` from two IDX files as `N×1×rows×cols` floats
    /// (multiplied by `scale`) and int64 labels.
    public static func idxPair(images: String, labels: String, scale: Float,
                               classNames: [String]?) throws(StrataError) -> TensorDataset {
        let (imageDims, pixels) = try IDXFile.read(contentsOf: images)
        let (labelDims, labelBytes) = try IDXFile.read(contentsOf: labels)
        guard imageDims.count == 3 else {
            throw .corruptFile(path: images, offset: 3, message: "images need 3 dimensions (N×rows×cols), got \(imageDims.count)")
        }
        guard labelDims.count == 1, labelDims[0] == imageDims[0] else {
            throw .corruptFile(path: labels, offset: 4, message: "\(labelDims.first ?? 0) labels for \(imageDims[0]) images")
        }
        let inputs = try Tensor(pixels.map { Float($0) * scale }, shape: [imageDims[0], 1, imageDims[1], imageDims[2]])
        let targets = try Tensor(labels: labelBytes.map(Int.init))
        return try TensorDataset(inputs: inputs, targets: targets, classNames: classNames)
    }
}

/// Files shipped with Strata as package resources, found without trapping when the
/// resource bundle is missing (SwiftPM's `Bundle.module` stops the process then).
enum BundledResources {
    static let bundleName = "Strata_Strata.resources"

    /// The resource folder `name`: in the bundle beside the executable or the test
    /// bundle, else in the source tree this library was built from.
    static func folder(_ name: String) throws(StrataError) -> URL {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates = [executable, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            .map { $0.appendingPathComponent(bundleName).appendingPathComponent(name) }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(name))
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw .io(path: bundleName, message: "Strata's bundled data '\(name)' is missing; looked in \(candidates.map(\.path).joined(separator: ", ")) — keep \(bundleName) beside the strata executable")
        }
        return found
    }
}
