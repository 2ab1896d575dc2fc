/// Row gather and scatter-add over a `V×D` table in plain Swift: the embedding lookup and
/// its gradient, for the CPU and reference backends alike (memory-bound copies).
enum RowKernels {
    /// `indices.count×D`: row `i` is `table[indices[i]]`.
    static func gather(_ table: Tensor, indices: Tensor) -> Tensor {
        let width = table.shape[1], count = indices.count
        let output = Tensor(uninitializedShape: [count, width])
        table.withDenseFloats { source in
            indices.withDenseInt64s { rows in
                output.withMutableFloats { target in
                    for position in 0..<count {
                        (target + position * width).update(from: source + Int(rows[position]) * width, count: width)
                    }
                }
            }
        }
        return output
    }

    /// `rows×D` zeros with row `i` of `source` added into row `indices[i]` (none into `skipping`).
    static func scatterAdd(_ source: Tensor, indices: Tensor, rows: Int, skipping: Int?) -> Tensor {
        let width = source.shape[source.rank - 1], count = indices.count
        let output = Tensor(zerosShape: [rows, width])
        source.withDenseFloats { from in
            indices.withDenseInt64s { positions in
                output.withMutableFloats { target in
                    for position in 0..<count where Int(positions[position]) != skipping {
                        let row = from + position * width, sum = target + Int(positions[position]) * width
                        for column in 0..<width { sum[column] += row[column] }
                    }
                }
            }
        }
        return output
    }
}
