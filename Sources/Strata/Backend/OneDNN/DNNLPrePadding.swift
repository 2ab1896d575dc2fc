import Foundation
import CDNNL

/// Explicit padding for convolutions that oneDNN would otherwise run as a gemm.
///
/// oneDNN 2.6's direct (jit) convolutions accept only a few positions of implicit padding on
/// an axis; beyond that, e.g. a 1-D convolution of dilation 8 padded by 8 to keep its length
/// (WaveNet-style stacks, `resnet1d-dilated`), it picks im2col + gemm, which runs at about 60%
/// of the direct kernel's speed and wants plain layouts (a reorder on each side). Written-out
/// padding runs directly instead:
///
/// - forward: the input goes into the interior of a zeroed buffer and the convolution runs
///   unpadded;
/// - backward data (stride 1), whose kernel sees the padding `extent − 1 − padding` of the
///   transposed convolution (widest for an unpadded convolution): the output gradient goes
///   into a zeroed buffer `extent − 1 − padding` wider on each side, and the backward pass of
///   the convolution padded by `extent − 1` (whose transposed padding is 0) gives the input
///   gradient, where the dilated kernel's `extent = dilation·(kernel − 1) + 1`.
///
/// One copy replaces the gemm and its reorders. Where the rewritten convolution would be a
/// gemm as well, nothing changes.
extension DNNLConvolution {
    enum Direction { case forward, backwardData }

    private static let forwardPlans = DNNLCache<Key, Key>()
    private static let backwardDataPlans = DNNLCache<Key, Key>()

    /// The convolution to run instead of `key` in `direction` with the padding written out
    /// (see above), when oneDNN picks a gemm for `key` and a direct kernel for that; else `nil`.
    static func prePadded(_ key: Key, _ direction: Direction) -> Key? {
        let g = key.geometry
        guard direction == .backwardData || (g.paddingBefore + g.paddingAfter).contains(where: { $0 > 0 }) else { return nil }
        let entry: (Key) -> Entry? = direction == .forward ? { forward($0) } : { backwardData($0) }
        return (direction == .forward ? forwardPlans : backwardDataPlans).value(for: key) {
            guard let plain = entry(key), isGemm(plain) else { return nil }
            let rewritten: Key
            switch direction {
            case .forward:
                rewritten = Key(input: [key.input[0], key.input[1]] + (0..<2).map { key.input[2 + $0] + g.paddingBefore[$0] + g.paddingAfter[$0] },
                                weight: key.weight, withBias: key.withBias,
                                geometry: ConvolutionGeometry(stride: g.stride, paddingBefore: [0, 0], paddingAfter: [0, 0],
                                                              dilation: g.dilation, groups: g.groups),
                                activation: key.activation)
            case .backwardData:
                let widened = extents(key).map { $0 - 1 }
                guard g.stride.allSatisfy({ $0 == 1 }),
                      (0..<2).allSatisfy({ g.paddingBefore[$0] <= widened[$0] && g.paddingAfter[$0] <= widened[$0] })
                else { return nil }
                rewritten = Key(input: key.input, weight: key.weight, withBias: false,
                                geometry: ConvolutionGeometry(stride: g.stride, paddingBefore: widened, paddingAfter: widened,
                                                              dilation: g.dilation, groups: g.groups))
            }
            guard let direct = entry(rewritten), !isGemm(direct) else { return nil }
            return rewritten
        }
    }

    private static func isGemm(_ entry: Entry) -> Bool { entry.primitive.implementation.contains("gemm") }

    /// The dilated kernel's extent per spatial axis, `dilation·(kernel − 1) + 1`.
    private static func extents(_ key: Key) -> [Int] {
        (0..<2).map { key.geometry.dilation[$0] * (key.weight[2 + $0] - 1) + 1 }
    }

    /// The rewritten convolution for `key` in `direction` with its data argument — `data` (the
    /// input forward, the output gradient backward) in the interior of a zeroed buffer — or
    /// `nil` where the plain primitive is to run.
    static func rewritten(_ key: Key, _ direction: Direction, data: Tensor) -> (entry: Entry, data: DNNLMemory.Argument)? {
        guard let padded = prePadded(key, direction),
              let entry = direction == .forward ? forward(padded) : backwardData(padded) else { return nil }
        let (dims, format) = direction == .forward ? (key.input, entry.input) : (outputShape(key), entry.output)
        return embedded(data, dims: dims, offsets: offsets(key, direction), in: format).map { (entry, $0) }
    }

    /// Where the input (forward) or the output gradient (backward data) of `key` lies in
    /// the zeroed buffer of the rewritten convolution: offsets per axis.
    private static func offsets(_ key: Key, _ direction: Direction) -> [Int] {
        let g = key.geometry
        let spatial = direction == .forward ? g.paddingBefore : zip(extents(key), g.paddingBefore).map { $0 - 1 - $1 }
        return [0, 0] + spatial
    }

    /// The forward convolutions that run rewritten (the kernel report leaves their gemm out).
    static var rewrittenForward: Set<Key> { Set(forwardPlans.held.map(\.key)) }

    /// `tensor` (of `dims`) in a zeroed buffer of `format` (larger dims), at `offsets`; `nil`
    /// where oneDNN cannot describe that part of the format (the plain convolution runs then).
    private static func embedded(_ tensor: Tensor, dims: [Int], offsets: [Int], in format: dnnl_memory_desc_t) -> DNNLMemory.Argument? {
        var parent = format, interior = dnnl_memory_desc_t()
        guard dnnl_memory_desc_init_submemory(&interior, &parent, DNNL.dims(dims), DNNL.dims(offsets)) == dnnl_success
        else { return nil }
        let buffer = DNNLBlockedData(descriptor: format)
        memset(buffer.buffer, 0, DNNL.size(format))
        let source = DNNLMemory.natural(tensor, dims: dims)
        DNNLMemory.reorder(from: source.descriptor, source.pointer, to: interior, buffer.buffer)
        withExtendedLifetime(source.owner) {}
        return DNNLMemory.Argument(descriptor: format, pointer: buffer.buffer, owner: buffer)
    }
}
