/// The matrices of Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016, interpolation points 0, ±1, ±2, ∞).
/// A 4×4 tile of a 3×3 stride-1 convolution's output, from a 6×6 input tile `d` and a 3×3
/// kernel `g`, is `Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A`: 36 products per channel pair instead of 144.
/// The weight gradient is the same identity transposed: `∂L/∂g = Gᵀ[(Bᵀ d B) ⊙ (A ∂Y Aᵀ)]G`.
///
/// Each function applies one matrix to a column of vectors: eight channels at once, the
/// lanes of oneDNN's `nChw8c`. A 2-D transform applies it to the columns, then to the rows.
enum WinogradTransforms {
    typealias Lanes = SIMD8<Float>

    /// `Bᵀ·(d₀ … d₅)`: an input column of 6 to the 6 transformed values.
    @inline(__always)
    static func input(_ d0: Lanes, _ d1: Lanes, _ d2: Lanes, _ d3: Lanes, _ d4: Lanes,
                      _ d5: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let a = d4 - 4 * d2, b = d3 - 4 * d1, c = d4 - d2, e = 2 * (d3 - d1)
        return (4 * d0 - 5 * d2 + d4, a + b, a - b, c + e, c - e, 4 * d1 - 5 * d3 + d5)
    }

    /// `Aᵀ·(m₀ … m₅)`: 6 products to a column of 4 outputs.
    @inline(__always)
    static func output(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes,
                       _ m5: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        let p12 = m1 + m2, d12 = m1 - m2, p34 = m3 + m4, d34 = m3 - m4
        return (m0 + p12 + p34, d12 + 2 * d34, p12 + 4 * p34, d12 + 8 * d34 + m5)
    }

    /// `G·(g₀, g₁, g₂)`: a kernel column of 3 to 6 values.
    @inline(__always)
    static func kernel(_ g0: Lanes, _ g1: Lanes, _ g2: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let outer = g0 + g2, quarter = g0 / 24 + g2 / 6
        return (g0 / 4, -(outer + g1) / 6, -(outer - g1) / 6, quarter + g1 / 12, quarter - g1 / 12, g2)
    }

    /// `A·(y₀ … y₃)`: an output-gradient column of 4 to 6 values (the transpose of `output`).
    @inline(__always)
    static func outputGradient(_ y0: Lanes, _ y1: Lanes, _ y2: Lanes,
                               _ y3: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes) {
        let even = y0 + y2, odd = y1 + y3, even4 = y0 + 4 * y2, odd2 = 2 * y1 + 8 * y3
        return (y0, even + odd, even - odd, even4 + odd2, even4 - odd2, y3)
    }

    /// `Gᵀ·(s₀ … s₅)`: 6 summed products to a kernel-gradient column of 3 (the transpose of `kernel`).
    @inline(__always)
    static func kernelGradient(_ s0: Lanes, _ s1: Lanes, _ s2: Lanes, _ s3: Lanes, _ s4: Lanes,
                               _ s5: Lanes) -> (Lanes, Lanes, Lanes) {
        let p12 = s1 + s2, d12 = s2 - s1, p34 = s3 + s4, d34 = s3 - s4
        return (s0 / 4 - p12 / 6 + p34 / 24, d12 / 6 + d34 / 12, p34 / 6 - p12 / 6 + s5)
    }
}
