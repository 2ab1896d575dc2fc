/// Output length of one axis of a convolution or pooling window:
///
///     out = floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1
///
/// (with dilation 1: `(in − kernel + 2·padding)/stride + 1`). A result below 1 means the
/// dilated kernel does not fit in the padded input; the operations report that as
/// `StrataError.outputTooSmall`. A stride below 1 is meaningless and gives 0.
public func outputLength(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1) -> Int {
    outputLength(input: input, kernel: kernel, stride: stride,
                 paddingBefore: padding, paddingAfter: padding, dilation: dilation)
}

/// Output length with different padding before and after (for `same` and `causal`):
/// `floor((in + before + after − dilation·(kernel − 1) − 1) / stride) + 1`.
public func outputLength(input: Int, kernel: Int, stride: Int,
                         paddingBefore: Int, paddingAfter: Int, dilation: Int = 1) -> Int {
    guard stride >= 1 else { return 0 }
    // sizes from the command line may be absurd: overflow means "does not fit"
    let (extent, o1) = dilation.multipliedReportingOverflow(by: kernel - 1)
    let (padded, o2) = input.addingReportingOverflow(paddingBefore)
    let (total, o3) = padded.addingReportingOverflow(paddingAfter)
    let (span, o4) = total.subtractingReportingOverflow(extent)
    guard !(o1 || o2 || o3 || o4), span > Int.min + 1 else { return 0 }
    return floorDivide(span - 1, stride) + 1
}

/// `floor(a / b)` for a positive `b`, also for negative `a`.
func floorDivide(_ a: Int, _ b: Int) -> Int {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}

/// The formula of `outputLength` with the numbers filled in, for error messages:
/// `floor((5 + 0 + 0 − 1·(7 − 1) − 1)/1) + 1 = 0`.
func outputLengthFormula(input: Int, kernel: Int, stride: Int,
                         paddingBefore: Int, paddingAfter: Int, dilation: Int) -> String {
    let result = outputLength(input: input, kernel: kernel, stride: stride,
                              paddingBefore: paddingBefore, paddingAfter: paddingAfter, dilation: dilation)
    let padding = paddingBefore == paddingAfter
        ? "2·\(paddingBefore)" : "\(paddingBefore) + \(paddingAfter)"
    return "floor((\(input) + \(padding) − \(dilation)·(\(kernel) − 1) − 1)/\(stride)) + 1 = \(result)"
}
