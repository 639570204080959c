namespace Nabla.NN;

/// <summary>Max pooling: input [N, C, H, W] -> output [N, C, Ho, Wo]; stride defaults to the kernel size.</summary>
public sealed class MaxPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false) : Module
{
    public Size2 KernelSize => kernelSize;
    public Size2 Stride => stride ?? kernelSize;
    public Size2 Padding => padding ?? 0;
    public bool CeilMode => ceilMode;

    protected override Tensor Compute(Tensor input) => Functional.MaxPool2d(input, kernelSize, stride, padding, ceilMode);

    public override string Describe() => $"MaxPool2d(kernel {kernelSize}, stride {stride ?? kernelSize})";
}

/// <summary>Average pooling: input [N, C, H, W] -> output [N, C, Ho, Wo]; stride defaults to the kernel size.</summary>
public sealed class AvgPool2d(Size2 kernelSize, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true) : Module
{
    public Size2 KernelSize => kernelSize;
    public Size2 Stride => stride ?? kernelSize;
    public Size2 Padding => padding ?? 0;
    public bool CeilMode => ceilMode;
    public bool CountIncludePad => countIncludePad;

    protected override Tensor Compute(Tensor input) => Functional.AvgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad);

    public override string Describe() => $"AvgPool2d(kernel {kernelSize}, stride {stride ?? kernelSize})";
}

/// <summary>Global average pooling: input [N, C, H, W] -> output [N, C] (the mean of each feature map).</summary>
public sealed class GlobalAvgPool2d(bool keepDims = false) : Module
{
    public bool KeepDims => keepDims;

    protected override Tensor Compute(Tensor input) => Functional.GlobalAvgPool2d(input, keepDims);
}
