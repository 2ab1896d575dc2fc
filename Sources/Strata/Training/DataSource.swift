/// A named data set split into training and test parts, as the CLI loads it.
public struct LoadedData: Sendable {
    public let name: String
    public let train: TensorDataset
    public let test: TensorDataset
    public let classNames: [String]

    /// Shape of one input sample (no batch axis).
    public var inputShape: [Int] { train.sampleShape }

    /// The data sets the CLI knows by name.
    public static let names = ["digits", "mnist", "fashion-mnist"]

    /// Loads `name`: `digits` (bundled 8×8 digits, split stratified into train and test by
    /// `testFraction` with `seed`), or `mnist`/`fashion-mnist` from IDX files in `directory`
    /// (their own 60,000/10,000 split).
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown name or a missing directory.
    public static func load(_ name: String, directory: String?, seed: UInt64 = 0,
                            testFraction: Double = 0.2) throws(StrataError) -> LoadedData {
        switch name.lowercased() {
        case "digits":
            let all = try DigitDatasets.uciDigits()
            let (trainIndices, testIndices) = Splits.stratified(labels: all.labels, fraction: testFraction, seed: seed)
            return LoadedData(name: "digits", train: try all.subset(trainIndices), test: try all.subset(testIndices),
                              classNames: all.classNames ?? [])
        case "mnist", "fashion-mnist":
            guard let directory else {
                throw .invalidArgument(op: "data", message: "--data \(name) needs --data-dir with its IDX files (train-images-idx3-ubyte[.gz], …)")
            }
            let names = name.lowercased() == "mnist" ? (0...9).map(String.init)
                : ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
            let (train, test) = try DigitDatasets.mnist(directory: directory, classNames: names)
            return LoadedData(name: name.lowercased(), train: train, test: test, classNames: names)
        default:
            throw .invalidArgument(op: "data", message: "unknown data set '\(name)'; known: \(names.joined(separator: ", "))")
        }
    }
}
