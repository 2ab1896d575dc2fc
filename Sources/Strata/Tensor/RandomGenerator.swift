import Foundation

/// A seeded pseudo-random generator that gives the same numbers on every machine.
///
/// Algorithm (fixed, so results are reproducible across platforms and releases):
/// - state: xoshiro256** (Blackman & Vigna), its four 64-bit words seeded from the user's
///   seed by SplitMix64;
/// - uniform `Float` in [0, 1): the top 24 bits of one 64-bit output times 2⁻²⁴;
/// - normal: Box–Muller on two uniforms, `u1` taken from (0, 1]: `sqrt(−2 ln u1)·cos(2π u2)`
///   then `…·sin(2π u2)` for the next draw;
/// - Bernoulli(p): 1 when a uniform draw is `< p`.
///
/// It is not PyTorch's Mersenne Twister/Philox, so the same seed gives different
/// numbers than `torch.manual_seed`; it gives the same numbers as itself everywhere.
public struct RandomGenerator: Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
        spareNormal = nil
    }

    /// The complete state as numbers (to store in a checkpoint): the four state words,
    /// then 1 and the bits of a pending normal draw, or 0 and 0.
    public var snapshot: [UInt64] {
        [state.0, state.1, state.2, state.3, spareNormal == nil ? 0 : 1, UInt64(spareNormal?.bitPattern ?? 0)]
    }

    /// A generator continuing exactly where `snapshot` was taken; `nil` for a malformed one.
    public init?(snapshot: [UInt64]) {
        guard snapshot.count == 6 else { return nil }
        state = (snapshot[0], snapshot[1], snapshot[2], snapshot[3])
        spareNormal = snapshot[4] == 1 ? Float(bitPattern: UInt32(truncatingIfNeeded: snapshot[5])) : nil
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform draw in [0, 1).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal draw (mean 0, standard deviation 1).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = Double((next() >> 11) + 1) * 0x1p-53   // (0, 1]
        let u2 = Double(next() >> 11) * 0x1p-53         // [0, 1)
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = Float(radius * Foundation.sin(angle))
        return Float(radius * Foundation.cos(angle))
    }

    /// A uniform integer in `0..<upperBound` (unbiased, by rejection); 0 when
    /// `upperBound ≤ 1`.
    public mutating func nextInt(below upperBound: Int) -> Int {
        guard upperBound > 1 else { return 0 }
        let bound = UInt64(upperBound)
        let limit = UInt64.max - UInt64.max % bound
        while true {
            let value = next()
            if value < limit { return Int(value % bound) }
        }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// The process-wide generator used when an operation is given none (like PyTorch's
/// default generator). `Random.seed(_:)` resets it.
public enum Random {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared = RandomGenerator(seed: 0)

    /// Reseeds the default generator (like `torch.manual_seed`).
    public static func seed(_ seed: UInt64) {
        lock.withLock { shared = RandomGenerator(seed: seed) }
    }

    /// Runs `body` with exclusive access to the default generator.
    static func withDefault<T>(_ body: (inout RandomGenerator) -> T) -> T {
        lock.withLock { body(&shared) }
    }

    /// A snapshot of the default generator (to save in a checkpoint).
    public static var state: RandomGenerator {
        get { lock.withLock { shared } }
        set { lock.withLock { shared = newValue } }
    }
}
