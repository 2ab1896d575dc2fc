/// The kernel behind each forward convolution this process has run: the shapes (input *
/// weight, with stride and groups where not 1) and the implementation — oneDNN's choice for
/// this CPU (`jit:avx512_core`, `jit:avx2`, `brgconv:…`, `ref:any` …, as `DNNL_VERBOSE=1`
/// would show it) or Strata's own Winograd (`strata:winograd_4x3`). `make bench` prints
/// them beside its GFLOP/s figures.
public func convolutionKernels() -> [(shapes: String, implementation: String)] {
    DNNLConvolution.forwardKernels()
        + WinogradConvolution.forwardRuns.map { (DNNLConvolution.describe($0), "strata:winograd_4x3") }
}
