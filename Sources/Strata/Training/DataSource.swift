import Foundation

/// A named data set split into training, (optional) validation and test parts, with its
/// task, as the CLI loads it.
public struct LoadedData: Sendable {
    public let name: String
    public let train: TensorDataset
    /// A validation part the source defines itself (chronological forecasting splits);
    /// otherwise the recipe holds out part of `train`.
    public let validation: TensorDataset?
    public let test: TensorDataset
    public let task: Task
    /// Regression targets are in units of this scale (the series' training std):
    /// errors × `targetScale` are in the data's own units.
    public let targetScale: Double
    /// Reference errors to compare with (e.g. `persistence_mae`).
    public let baselines: [String: Double]
    /// The normalisation that suits the data when none is asked for.
    public let defaultNormalization: Normalization

    /// Shape of one input sample (no batch axis).
    public var inputShape: [Int] { train.sampleShape }
    /// Number of model outputs: classes, or regression values per sample.
    public var outputs: Int {
        switch task {
        case let .classification(names): return names.count
        case .regression: return Shape.count(Array(train.targets.shape.dropFirst()))
        }
    }

    /// Examples of what `--data` accepts.
    public static let names = ["digits", "mnist", "fashion-mnist", "ucr:NAME", "forecast:FILE"]

    /// What framing a `forecast:` source uses.
    public struct ForecastOptions: Sendable, Codable, Equatable {
        public var column: String?
        public var frame = 24
        public var step = 1
        public var horizon = 1
        public var target = "next"
        public var threshold: Float = 0
        public init() {}
    }

    /// Loads `name`:
    /// - `digits`: the bundled 8×8 digits, split stratified by `testFraction` with `seed`;
    /// - `mnist`, `fashion-mnist`: IDX files in `directory` (60,000/10,000);
    /// - `ucr:NAME`: `NAME_TRAIN.ts` and `NAME_TEST.ts` (or `.tsv`) in `directory` or
    ///   `directory/NAME`, the archive's own split;
    /// - `forecast:FILE`: a series from a CSV column or a year × month table, split
    ///   chronologically 70/15/15 and framed by `forecast`.
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown name or a missing directory.
    public static func load(_ name: String, directory: String?, seed: UInt64 = 0, testFraction: Double = 0.2,
                            forecast: ForecastOptions = ForecastOptions()) throws(StrataError) -> LoadedData {
        let lower = name.lowercased()
        if lower.hasPrefix("ucr:") { return try loadUCR(String(name.dropFirst(4)), directory: directory) }
        if lower.hasPrefix("forecast:") { return try loadForecast(String(name.dropFirst(9)), forecast) }
        switch lower {
        case "digits":
            let all = try DigitDatasets.uciDigits()
            let (trainIndices, testIndices) = Splits.stratified(labels: all.labels, fraction: testFraction, seed: seed)
            return LoadedData(name: "digits", train: try all.subset(trainIndices), validation: nil,
                              test: try all.subset(testIndices), task: .classification(classNames: all.classNames ?? []),
                              targetScale: 1, baselines: [:], defaultNormalization: .standard)
        case "mnist", "fashion-mnist":
            guard let directory else {
                throw .invalidArgument(op: "data", message: "--data \(name) needs --data-dir with its IDX files (train-images-idx3-ubyte[.gz], …)")
            }
            let names = lower == "mnist" ? (0...9).map(String.init)
                : ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
            let (train, test) = try DigitDatasets.mnist(directory: directory, classNames: names)
            return LoadedData(name: lower, train: train, validation: nil, test: test, task: .classification(classNames: names),
                              targetScale: 1, baselines: [:], defaultNormalization: .standard)
        default:
            throw .invalidArgument(op: "data", message: "unknown data set '\(name)'; known: \(names.joined(separator: ", "))")
        }
    }

    private static func loadUCR(_ problem: String, directory: String?) throws(StrataError) -> LoadedData {
        guard let directory else {
            throw .invalidArgument(op: "data", message: "--data ucr:\(problem) needs --data-dir with \(problem)_TRAIN.ts and \(problem)_TEST.ts")
        }
        func find(_ part: String) throws(StrataError) -> String {
            for folder in [(directory as NSString).appendingPathComponent(problem), directory] {
                for ext in ["ts", "tsv"] {
                    let path = (folder as NSString).appendingPathComponent("\(problem)_\(part).\(ext)")
                    if FileManager.default.fileExists(atPath: path) { return path }
                }
            }
            throw .io(path: directory, message: "no \(problem)_\(part).ts or .tsv here or in \(problem)/")
        }
        let train = try TimeSeriesFile.read(contentsOf: try find("TRAIN"))
        let test = try TimeSeriesFile.read(contentsOf: try find("TEST"))
        let length = Swift.max(train.lengths.max() ?? 0, test.lengths.max() ?? 0)
        guard train.classNames == test.classNames else {
            throw .invalidArgument(op: "data", message: "\(problem): train and test declare different classes")
        }
        return LoadedData(name: "ucr:\(problem)", train: try train.dataset(length: length), validation: nil,
                          test: try test.dataset(length: length), task: .classification(classNames: train.classNames),
                          targetScale: 1, baselines: [:], defaultNormalization: .sample)
    }

    private static func loadForecast(_ path: String, _ options: ForecastOptions) throws(StrataError) -> LoadedData {
        let series = try SeriesFile.read(contentsOf: path, column: options.column)
        let data = try ForecastingData(series: series, frame: options.frame, step: options.step, horizon: options.horizon,
                                       target: options.target, threshold: options.threshold)
        let task: Task = data.classNames.map { .classification(classNames: $0) } ?? .regression
        return LoadedData(name: "forecast:\(path)", train: data.train, validation: data.validation, test: data.test,
                          task: task, targetScale: Double(data.std),
                          baselines: data.persistenceMAE.isNaN ? [:] : ["persistence_mae": data.persistenceMAE],
                          defaultNormalization: .none)
    }
}
