/// Train/validation/test splits without leakage: seeded, and stratified so each part has
/// the class proportions of the whole.
public enum Splits {
    /// Indices split so that a `fraction` of each class goes to the second part (rounded
    /// per class), the rest to the first; both parts in a seeded random order.
    public static func stratified(labels: [Int], fraction: Double, seed: UInt64) -> (first: [Int], second: [Int]) {
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
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<count)
        shuffle(&order, &generator)
        let take = Int((Double(count) * fraction).rounded())
        return (Array(order.dropFirst(take)), Array(order.prefix(take)))
    }

    static func shuffle(_ values: inout [Int], _ generator: inout RandomGenerator) {
        for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, generator.nextInt(below: i + 1)) }
    }
}
