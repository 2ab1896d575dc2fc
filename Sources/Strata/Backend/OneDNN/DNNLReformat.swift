import CDNNL

/// The plain row-major layout of a tensor and the (possibly blocked) layout a primitive
/// chose for it, with the reorders between them. When the two are equal no copy is made.
struct DNNLReformat: @unchecked Sendable {
    let plain: dnnl_memory_desc_t
    let chosen: dnnl_memory_desc_t
    private let toChosen: DNNLPrimitive?
    private let toPlain: DNNLPrimitive?

    init?(plain: dnnl_memory_desc_t, chosen: dnnl_memory_desc_t) {
        self.plain = plain
        self.chosen = chosen
        if DNNL.equal(plain, chosen) {
            toChosen = nil
            toPlain = nil
        } else {
            guard let forward = DNNLPrimitive(reorderFrom: plain, to: chosen),
                  let back = DNNLPrimitive(reorderFrom: chosen, to: plain) else { return nil }
            toChosen = forward
            toPlain = back
        }
    }

    var isIdentity: Bool { toChosen == nil }

    /// The data of a dense float tensor in the chosen layout: its own storage when the
    /// layouts agree, else a reordered copy (kept alive by the returned storage).
    func converted(_ tensor: Tensor) -> (UnsafeMutableRawPointer, TensorStorage?) {
        let source = UnsafeMutableRawPointer(tensor.floats)
        guard let toChosen else { return (source, nil) }
        let buffer = TensorStorage(byteCount: DNNL.size(chosen))
        DNNLContext.shared.execute(toChosen, [(DNNL_ARG_FROM, plain, source), (DNNL_ARG_TO, chosen, buffer.pointer)])
        return (buffer.pointer, buffer)
    }

    /// Where a primitive should write a result destined for `tensor` (dense, plain):
    /// the tensor itself, or a scratch buffer to be reordered by `finish`.
    func destination(for tensor: Tensor) -> (UnsafeMutableRawPointer, TensorStorage?) {
        guard toChosen != nil else { return (UnsafeMutableRawPointer(tensor.floats), nil) }
        let buffer = TensorStorage(byteCount: DNNL.size(chosen))
        return (buffer.pointer, buffer)
    }

    /// Copies a result from the scratch buffer of `destination` into `tensor`.
    func finish(_ scratch: TensorStorage?, into tensor: Tensor) {
        guard let toPlain, let scratch else { return }
        DNNLContext.shared.execute(toPlain, [(DNNL_ARG_FROM, chosen, scratch.pointer),
                                             (DNNL_ARG_TO, plain, UnsafeMutableRawPointer(tensor.floats))])
    }
}
