/// oneDNN's choice for each forward convolution this process has run: the shapes (input *
/// weight, with stride and groups where not 1) and the implementation it picked for this
/// CPU (`jit:avx512_core`, `jit:avx2`, `brgconv:…`, `ref:any` …), as `DNNL_VERBOSE=1` would
/// show them. `make bench` prints them beside its GFLOP/s figures.
public func oneDNNConvolutionKernels() -> [(shapes: String, implementation: String)] {
    DNNLConvolution.forwardKernels()
}
