/// Train/validation/test splits without leakage: seeded, and stratified so each part has
/// the class proportions of the whole.
public enum Splits {
    /// Indices split so that a `fraction` of each class goes to the second part (rounded
    /// per class), the rest to the first; both parts in a seeded random order.
    public static func stratified(labels: [Int], fraction: Double, seed: UInt64) -> (first: [Int], second: [Int]) {
        let fraction = clampedFraction(fraction)
        var generator = RandomGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var first: [Int] = [], second: [Int] = []
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            shuffle(&members, &generator)
            let take = Int((Double(members.count) * fraction).rounded())
            second += members.prefix(take)
            first += members.dropFirst(take)
        }
        shuffle(&first, &generator)
        shuffle(&second, &generator)
        return (first, second)
    }

    /// Indices split at random: a `fraction` of all samples to the second part.
    public static func random(count: Int, fraction: Double, seed: UInt64) -> (first: [Int], second: [Int]) {
        let fraction = clampedFraction(fraction)
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        shuffle(&order, &generator)
        let take = Int((Double(count) * fraction).rounded())
        return (Array(order.dropFirst(take)), Array(order.prefix(take)))
    }

    /// A fraction limited to [0, 1] (NaN counts as 0).
    static func clampedFraction(_ value: Double) -> Double {
        value.isNaN ? 0 : Swift.min(Swift.max(value, 0), 1)
    }

    static func shuffle(_ values: inout [Int], _ generator: inout RandomGenerator) {
        for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, generator.nextInt(below: i + 1)) }
    }
}

extension Splits {
    /// A size given as a fraction of `count` (below 1) or as a count (1 or more).
    static func size(_ value: Double, of count: Int) -> Int {
        guard value.isFinite, value > 0 else { return 0 }
        return value < 1 ? Int((Double(count) * value).rounded()) : Int(Swift.min(value, Double(count)))
    }

    /// Time-ordered train/validation/test index ranges: the first part for training, the
    /// next for validation, the rest for testing (no shuffling, so no future leaks into
    /// the past). Sizes are fractions (below 1) or counts.
    public static func chronological(count: Int, validation: Double, test: Double) -> (train: Range<Int>, validation: Range<Int>, test: Range<Int>) {
        let testSize = size(test, of: count), validationSize = size(validation, of: count)
        let trainEnd = Swift.max(0, count - testSize - validationSize)
        let validationEnd = Swift.max(trainEnd, count - testSize)
        return (0..<trainEnd, trainEnd..<validationEnd, validationEnd..<count)
    }

    /// `k` folds of a seeded random permutation: fold `i` validates on its part and trains
    /// on the others.
    public static func kFold(count: Int, k: Int, seed: UInt64) -> [(train: [Int], validation: [Int])] {
        guard k >= 1, count >= 0 else { return [] }
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        shuffle(&order, &generator)
        let parts = (0..<k).map { fold in Array(order[(count * fold / k)..<(count * (fold + 1) / k)]) }
        return folds(parts)
    }

    /// `k` folds with each class spread evenly over them (scikit-learn's `StratifiedKFold`
    /// with shuffling): every fold has the class proportions of the whole.
    public static func stratifiedKFold(labels: [Int], k: Int, seed: UInt64) -> [(train: [Int], validation: [Int])] {
        guard k >= 1 else { return [] }
        var generator = RandomGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var parts = [[Int]](repeating: [], count: k)
        var next = 0
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            shuffle(&members, &generator)
            // deal the class's members round-robin, continuing where the last class stopped
            for member in members {
                parts[next % k].append(member)
                next += 1
            }
        }
        return folds(parts)
    }

    private static func folds(_ parts: [[Int]]) -> [(train: [Int], validation: [Int])] {
        parts.indices.map { fold in
            (parts.indices.filter { $0 != fold }.flatMap { parts[$0] }.sorted(), parts[fold].sorted())
        }
    }

    /// Walk-forward validation for time series: `folds` consecutive test windows of
    /// `testSize` at the end of the series, each trained on what comes before it (all of
    /// it when `expanding`, else the last `trainSize` values), leaving out `gap` values
    /// between training and test so targets that look ahead do not leak.
    public static func walkForward(count: Int, folds: Int, testSize: Int, trainSize: Int? = nil, gap: Int = 0,
                                   expanding: Bool = true) -> [(train: Range<Int>, test: Range<Int>)] {
        guard folds >= 1, testSize >= 1, gap >= 0, count >= 0 else { return [] }
        return (0..<folds).compactMap { fold in
            let testStart = count - (folds - fold) * testSize
            let trainEnd = testStart - gap
            let trainStart = expanding ? 0 : Swift.max(0, trainEnd - (trainSize ?? trainEnd))
            guard trainEnd > trainStart, testStart >= 0 else { return nil }
            return (trainStart..<trainEnd, testStart..<(testStart + testSize))
        }
    }
}
