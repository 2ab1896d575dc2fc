/// Windows cut from one or several streams (channels) for sequence models, with the
/// targets forecasting needs.
///
/// From a series `T×C`, window `i` holds the `frame` = m values starting at `i·step`
/// (`step < m` overlaps, `= m` tiles, `> m` skips); a window is kept only when the
/// `horizon` = k values after it exist, so there are `floor((T − m − k)/s) + 1` windows.
/// Windows are views into the series (no copy) until a batch is assembled. Layouts:
/// Keras's `N×m×C` (`windowsNLC`) and PyTorch's `N×C×m` (`windowsNCL`).
public struct Frames: Sendable {
    /// The series `T×C` the windows view.
    public let series: Tensor
    public let frame: Int
    public let step: Int
    public let horizon: Int

    /// - Throws: `StrataError.invalidArgument` for a frame, step or horizon below 1 (a
    ///   horizon of 0 is allowed for windows without targets) or a series shorter than
    ///   one window plus its horizon; `shapeMismatch` when the series is not `T` or `T×C`.
    public init(series: Tensor, frame: Int, step: Int = 1, horizon: Int = 1) throws(StrataError) {
        let op = "frames"
        guard series.dtype == .float32 else { throw .dtypeMismatch(op: op, expected: .float32, got: series.dtype) }
        guard series.rank == 1 || series.rank == 2 else {
            throw .shapeMismatch(op: op, message: "the series must be T (one stream) or T×C (C streams), got \(Shape.describe(series.shape))")
        }
        guard frame >= 1, step >= 1, horizon >= 0 else {
            throw .invalidArgument(op: op, message: "frame and step must be ≥ 1 and horizon ≥ 0, got frame \(frame), step \(step), horizon \(horizon)")
        }
        let length = series.shape[0]
        guard length >= frame + horizon else {
            throw .invalidArgument(op: op, message: "a series of \(length) values is shorter than one frame of \(frame) plus a horizon of \(horizon)")
        }
        self.series = series.rank == 1 ? series.dense().viewing(shape: [length, 1]) : series.dense()
        self.frame = frame
        self.step = step
        self.horizon = horizon
    }

    /// Number of streams.
    public var channels: Int { series.shape[1] }

    /// Number of windows: `floor((T − m − k)/s) + 1`.
    public var count: Int { (series.shape[0] - frame - horizon) / step + 1 }

    /// First time index of window `i`.
    public func start(_ index: Int) -> Int { index * step }

    /// Window `index` as an `m×C` view into the series.
    ///
    /// - Throws: `StrataError.invalidArgument` for an index outside `0..<count`.
    public func window(_ index: Int) throws(StrataError) -> Tensor {
        try check([index])
        return Tensor(storage: series.storage, shape: [frame, channels], strides: [channels, 1],
                      offset: series.offset + start(index) * channels)
    }

    /// The `k×C` values after window `index`, as a view.
    public func future(_ index: Int) throws(StrataError) -> Tensor {
        try check([index])
        return Tensor(storage: series.storage, shape: [horizon, channels], strides: [channels, 1],
                      offset: series.offset + (start(index) + frame) * channels)
    }

    /// Throws for window indices outside `0..<count`.
    func check(_ indices: [Int]) throws(StrataError) {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw .invalidArgument(op: "frames", message: "window \(bad) is outside 0..<\(count)")
        }
    }

    /// Windows `indices` stacked in Keras's layout `N×m×C` (indices outside `0..<count`
    /// are left out).
    public func windowsNLC(_ indices: [Int]? = nil) -> Tensor {
        let chosen = (indices ?? Array(0..<count)).filter { $0 >= 0 && $0 < count }
        let result = Tensor(uninitializedShape: [chosen.count, frame, channels])
        let rowLength = frame * channels
        result.withMutableFloats { windows in
            series.withFloats { values in
                for (row, index) in chosen.enumerated() {
                    (windows + row * rowLength).update(from: values + start(index) * channels, count: rowLength)
                }
            }
        }
        return result
    }

    /// Windows `indices` stacked in PyTorch's layout `N×C×m` (the explicit conversion of
    /// `windowsNLC`).
    public func windowsNCL(_ indices: [Int]? = nil) -> Tensor {
        Frames.nlcToNCL(windowsNLC(indices))
    }

    /// `N×m×C` (Keras) → `N×C×m` (PyTorch), copied.
    public static func nlcToNCL(_ windows: Tensor) -> Tensor {
        (try? windows.permute([0, 2, 1]).contiguous().detach()) ?? windows
    }

    /// `N×C×m` (PyTorch) → `N×m×C` (Keras), copied.
    public static func nclToNLC(_ windows: Tensor) -> Tensor {
        (try? windows.permute([0, 2, 1]).contiguous().detach()) ?? windows
    }

    /// What each window is asked to predict.
    public enum Target: Sendable, Equatable {
        /// The value right after the window: `N×C`.
        case nextValue
        /// The `k` values after the window: `N×k×C`.
        case nextValues
        /// The mean of the `k` values after the window: `N×C`.
        case meanOfNext
        /// The sign of (mean of the next `k` − last value of the window), 0 when its size
        /// is at most `threshold`: int64 `N×C` in {−1, 0, 1}.
        case trend(threshold: Float)
    }

    /// The target of each of `indices` (all windows by default; indices outside
    /// `0..<count` are left out).
    public func targets(_ target: Target, _ indices: [Int]? = nil) -> Tensor {
        let chosen = (indices ?? Array(0..<count)).filter { $0 >= 0 && $0 < count }
        let c = channels
        return series.withFloats { values in
            func at(_ time: Int, _ channel: Int) -> Float { values[time * c + channel] }
            func meanOfNext(_ index: Int, _ channel: Int) -> Float {
                guard horizon > 0 else { return .nan }
                var total: Double = 0
                for t in 0..<horizon { total += Double(at(start(index) + frame + t, channel)) }
                return Float(total / Double(horizon))
            }
            func rows(_ value: (_ index: Int, _ channel: Int) -> Float) -> Tensor {
                Tensor(chosen.flatMap { index in (0..<c).map { value(index, $0) } }).viewing(shape: [chosen.count, c])
            }
            switch target {
            case .nextValue:
                return rows { index, channel in at(start(index) + frame, channel) }
            case .nextValues:
                let result = Tensor(uninitializedShape: [chosen.count, horizon, c])
                result.withMutableFloats { next in
                    for (row, index) in chosen.enumerated() {
                        (next + row * horizon * c).update(from: values + (start(index) + frame) * c, count: horizon * c)
                    }
                }
                return result
            case .meanOfNext:
                return rows(meanOfNext)
            case let .trend(threshold):
                let result = Tensor(uninitializedShape: [chosen.count, c], dtype: .int64)
                result.withMutableInt64s { signs in
                    for (row, index) in chosen.enumerated() {
                        for channel in 0..<c {
                            let change = meanOfNext(index, channel) - at(start(index) + frame - 1, channel)
                            signs[row * c + channel] = Swift.abs(change) <= threshold ? 0 : (change > 0 ? 1 : -1)
                        }
                    }
                }
                return result
            }
        }
    }
}
