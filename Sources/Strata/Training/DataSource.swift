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
    /// Why `defaultNormalization` was chosen, where the data decided it (`ucr:` sets the
    /// archive did not z-normalise: the `LevelEvidence`).
    public var normalizationEvidence: String? = nil
    /// The tokenizer that made text data's ids (`nil` otherwise).
    public var tokenizer: Tokenizer? = nil
    /// Token ids' range for text: the rows an embedding needs.
    public var vocabulary: Int? { tokenizer?.size }

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
    public static let names = ["digits", "mnist", "fashion-mnist", "cifar10", "cifar100", "stl10", "svhn", "ucr:NAME",
                               "forecast:FILE", "folder:PATH", "csv:FILE", "npz:FILE", "text:FILE"]

    /// What framing a `forecast:` source uses.
    public struct ForecastOptions: Sendable, Codable, Equatable {
        /// The column to forecast (and, for `csv:`, the label column).
        public var column: String?
        /// Further columns as input channels after the target, in order (`day-of-year`
        /// adds its sine and cosine); `nil` = the target alone.
        public var inputs: [String]?
        /// Steps per season for the seasonal-naive baseline; `nil` = what the dates suggest.
        public var season: Int?
        public var frame = 24
        public var step = 1
        public var horizon = 1
        public var target = "next"
        public var threshold: Float = 0
        /// Share of the time steps just before the test part (the last 15%) held out for
        /// validation; 0 = none, the training part runs up to the test part; `nil` = 0.15.
        public var validation: Double?
        public init() {}
    }

    /// Loads `name`:
    /// - `digits`: the bundled 8×8 digits, split stratified by `testFraction` with `seed`;
    /// - `mnist`, `fashion-mnist`: IDX files in `directory` (60,000/10,000);
    /// - `ucr:NAME`: `NAME_TRAIN.ts` and `NAME_TEST.ts` (or `.tsv`) in `directory` or
    ///   `directory/NAME`, the archive's own split, shorter cases resampled to the longest;
    ///   univariate cases are z-normalised one by one (`sample`), and where the archive did
    ///   not z-normalise them and their level tells the training classes apart better than
    ///   their shape (`LevelEvidence`) they also keep their level as channels
    ///   (`sample-level`: PLAID's appliances differ in current from milliamperes to tens of
    ///   amperes); the streams of multivariate sets are standardised per channel with
    ///   training statistics (a sensor's level, or an LPC coefficient's, tells classes apart);
    /// - `forecast:FILE`: the target column of a CSV file (with `forecast.inputs` as
    ///   further channels) or a year × month table, split chronologically into training,
    ///   validation (`forecast.validation` of the steps, 0.15 by default; 0 = none) and test
    ///   (the last 15%), each stream standardised on the training part, framed by `forecast`;
    /// - `csv:FILE`, `npz:FILE`: a table or arrays, split stratified by `testFraction`;
    /// - `text:FILE`: texts and labels of a CSV file (`.csv.gz` too), as token ids of
    ///   `tokenizer` or of one fitted on the training texts' `tokens` (see `loadText`)
    /// (FILE is looked for in `directory` first, see `locate`).
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown name or a missing directory.
    public static func load(_ name: String, directory: String?, seed: UInt64 = 0, testFraction: Double = 0.2,
                            forecast: ForecastOptions = ForecastOptions(), tokenizer: Tokenizer? = nil,
                            tokens: Tokenizer.Level = .word) throws(StrataError) -> LoadedData {
        let lower = name.lowercased()
        if lower.hasPrefix("ucr:") { return try loadUCR(String(name.dropFirst(4)), directory: directory) }
        if lower.hasPrefix("forecast:") { return try loadForecast(try locate(String(name.dropFirst(9)), in: directory), forecast) }
        func splitOwn(_ all: TensorDataset, _ label: String) throws(StrataError) -> LoadedData {
            let (trainIndices, testIndices) = Splits.stratified(labels: all.labels, fraction: testFraction, seed: seed)
            return LoadedData(name: label, train: try all.subset(trainIndices), validation: nil, test: try all.subset(testIndices),
                              task: .classification(classNames: all.classNames ?? Array(Set(all.labels)).sorted().map(String.init)),
                              targetScale: 1, baselines: [:], defaultNormalization: .standard)
        }
        if lower.hasPrefix("folder:") { return try splitOwn(try ImageFolder.load(String(name.dropFirst(7))), name) }
        if lower.hasPrefix("csv:") {
            let table = try CSVTable.read(contentsOf: try locate(String(name.dropFirst(4)), in: directory))
            guard let label = forecast.column ?? table.columns.last else {
                throw .invalidArgument(op: "data", message: "\(name) has no columns")
            }
            return try splitOwn(try table.classificationDataset(label: label), name)
        }
        if lower.hasPrefix("text:") {
            return try loadText(try locate(String(name.dropFirst(5)), in: directory), label: forecast.column, seed: seed,
                                testFraction: testFraction, tokenizer: tokenizer, level: tokens)
        }
        if lower.hasPrefix("npz:") { return try loadArchive(try locate(String(name.dropFirst(4)), in: directory), splitOwn) }
        if ["cifar10", "cifar100", "stl10", "svhn"].contains(lower) {
            guard let directory else {
                throw .invalidArgument(op: "data", message: "--data \(name) needs --data-dir with its files (see strata data download \(lower))")
            }
            let (train, test) = try ImageSets.load(lower, directory: directory)
            return LoadedData(name: lower, train: train, validation: nil, test: test,
                              task: .classification(classNames: train.classNames ?? []), targetScale: 1, baselines: [:],
                              defaultNormalization: .standard)
        }
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

    /// The file a `forecast:`, `csv:` or `npz:` name refers to: inside `directory` (`--data-dir`)
    /// when it is there, else as given (absolute, or relative to the working folder).
    ///
    /// - Throws: `StrataError.io` naming each path it tried, once.
    static func locate(_ file: String, in directory: String?) throws(StrataError) -> String {
        var candidates: [String] = []
        if let directory, !file.hasPrefix("/") { candidates.append((directory as NSString).appendingPathComponent(file)) }
        candidates.append(file)
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        let workingFolder = FileManager.default.currentDirectoryPath
        var tried: [String] = []
        for candidate in candidates {
            let absolute = candidate.hasPrefix("/") ? candidate : (workingFolder as NSString).appendingPathComponent(candidate)
            let path = URL(fileURLWithPath: absolute).standardized.path
            if !tried.contains(path) { tried.append(path) }
        }
        let hint = directory == nil ? " (--data-dir names a folder to look in)" : ""
        throw .io(path: file, message: "no such file; tried \(tried.joined(separator: " and "))\(hint)")
    }

    /// Arrays `x_train`, `y_train`, `x_test`, `y_test` of an `.npz` (or `x`, `y`, split here).
    private static func loadArchive(_ path: String, _ splitOwn: (TensorDataset, String) throws(StrataError) -> LoadedData) throws(StrataError) -> LoadedData {
        let arrays = try NumpyArchive.read(contentsOf: path)
        func dataset(_ x: String, _ y: String) throws(StrataError) -> TensorDataset? {
            guard let inputs = arrays[x], let targets = arrays[y] else { return nil }
            let labels = targets.toInt64()
            let classes = (labels.toLabels().max() ?? 0) + 1
            return try TensorDataset(inputs: inputs.toFloat(), targets: labels, classNames: (0..<classes).map(String.init))
        }
        if let train = try dataset("x_train", "y_train"), let test = try dataset("x_test", "y_test") {
            return LoadedData(name: "npz:\(path)", train: train, validation: nil, test: test,
                              task: .classification(classNames: train.classNames ?? []), targetScale: 1, baselines: [:],
                              defaultNormalization: .standard)
        }
        guard let all = try dataset("x", "y") else {
            throw .invalidArgument(op: "data", message: "\(path) needs arrays x_train, y_train, x_test, y_test (or x and y); it has \(arrays.keys.sorted().joined(separator: ", "))")
        }
        return try splitOwn(all, "npz:\(path)")
    }

    private static func loadUCR(_ problem: String, directory: String?) throws(StrataError) -> LoadedData {
        guard let directory else {
            throw .invalidArgument(op: "data", message: "--data ucr:\(problem) needs --data-dir with \(problem)_TRAIN.ts and \(problem)_TEST.ts")
        }
        func find(_ part: String) throws(StrataError) -> String {
            let candidates = [(directory as NSString).appendingPathComponent(problem), directory].flatMap { folder in
                ["ts", "tsv"].map { (folder as NSString).appendingPathComponent("\(problem)_\(part).\($0)") }
            }
            if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
            throw .io(path: directory, message: "no \(problem)_\(part) file; tried \(candidates.joined(separator: ", "))")
        }
        let train = try TimeSeriesFile.read(contentsOf: try find("TRAIN"))
        let test = try TimeSeriesFile.read(contentsOf: try find("TEST"))
        let length = Swift.max(train.lengths.max() ?? 0, test.lengths.max() ?? 0)
        guard train.classNames == test.classNames else {
            throw .invalidArgument(op: "data", message: "\(problem): train and test declare different classes")
        }
        let trainPart = try train.dataset(length: length, resample: true)
        let evidence = train.dimensions > 1 || train.isZNormalised ? nil : try LevelEvidence(trainPart.inputs, labels: trainPart.labels)
        let normalization: Normalization = train.dimensions > 1 ? .standard : evidence?.favoursLevel == true ? .sampleLevel : .sample
        var loaded = LoadedData(name: "ucr:\(problem)", train: trainPart, validation: nil,
                                test: try test.dataset(length: length, resample: true), task: .classification(classNames: train.classNames),
                                targetScale: 1, baselines: [:], defaultNormalization: normalization)
        loaded.normalizationEvidence = evidence.map { "\(problem) is not z-normalised; \($0): \(normalization.rawValue)" }
        return loaded
    }

    private static func loadForecast(_ path: String, _ options: ForecastOptions) throws(StrataError) -> LoadedData {
        let streams = try SeriesFile.streams(contentsOf: path, target: options.column, inputs: options.inputs ?? [])
        let validationShare = options.validation ?? 0.15
        let data = try ForecastingData(streams: streams.values, names: streams.names, frame: options.frame, step: options.step,
                                       horizon: options.horizon, target: options.target, threshold: options.threshold,
                                       season: options.season ?? streams.season,
                                       fractions: (0.85 - validationShare, validationShare))
        let task: Task = data.classNames.map { .classification(classNames: $0) } ?? .regression
        return LoadedData(name: "forecast:\(path)", train: data.train, validation: data.validation, test: data.test,
                          task: task, targetScale: Double(data.std), baselines: data.baselines, defaultNormalization: .none)
    }
}
