namespace Nabla.NN;

/// <summary>
/// 2-D convolution layer: input [N, inChannels, H, W] -> output [N, outChannels, Ho, Wo].
/// Weight [out, in/groups, kh, kw] and bias [out] start from U(±1/√fanIn) with fanIn = in/groups·kh·kw (PyTorch's default).
/// </summary>
public sealed class Conv2d : Module
{
    public Conv2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Padding2 padding = default, Size2? dilation = null,
        int groups = 1, bool bias = true, Initializer? weightInit = null, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0 || groups <= 0)
        {
            throw new ArgumentException($"Conv2d: channels ({inChannels}, {outChannels}), kernel size {kernelSize} and groups {groups} must be positive.");
        }
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"Conv2d: groups = {groups} must divide inChannels {inChannels} and outChannels {outChannels}.");
        }
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride ?? 1, padding, dilation ?? 1, groups);
        Weight = AddParameter("weight", Tensor.Zeros(outChannels, inChannels / groups, kernelSize.H, kernelSize.W));
        (weightInit ?? Initializer.KaimingUniform(a: MathF.Sqrt(5f))).Initialize(Weight, generator);
        if (bias)
        {
            var bound = 1f / MathF.Sqrt(inChannels / groups * kernelSize.H * kernelSize.W);
            Bias = AddParameter("bias", Tensor.Zeros(outChannels));
            Initializer.Uniform(-bound, bound).Initialize(Bias, generator);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 KernelSize { get; }
    public Size2 Stride { get; }
    public Padding2 Padding { get; }
    public Size2 Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor Compute(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);

    public override string Describe() =>
        $"Conv2d({InChannels} -> {OutChannels}, kernel {KernelSize}, stride {Stride}, padding {Padding}{(Dilation != new Size2(1, 1) ? $", dilation {Dilation}" : "")}{(Groups != 1 ? $", groups {Groups}" : "")})";
}

/// <summary>
/// Transposed 2-D convolution ("deconvolution", for upsampling in decoders and generators):
/// input [N, inChannels, H, W] -> output [N, outChannels, (H-1)·stride - 2·padding + dilation·(k-1) + outputPadding + 1, ...].
/// Weight [in, out/groups, kh, kw], initialised like PyTorch.
/// </summary>
public sealed class ConvTranspose2d : Module
{
    public ConvTranspose2d(int inChannels, int outChannels, Size2 kernelSize, Size2? stride = null, Size2? padding = null, Size2? outputPadding = null,
        int groups = 1, bool bias = true, Size2? dilation = null, Initializer? weightInit = null, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize.H <= 0 || kernelSize.W <= 0 || groups <= 0)
        {
            throw new ArgumentException($"ConvTranspose2d: channels ({inChannels}, {outChannels}), kernel size {kernelSize} and groups {groups} must be positive.");
        }
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException($"ConvTranspose2d: groups = {groups} must divide inChannels {inChannels} and outChannels {outChannels}.");
        }
        (InChannels, OutChannels, KernelSize, Stride, Padding, OutputPadding, Groups, Dilation) =
            (inChannels, outChannels, kernelSize, stride ?? 1, padding ?? 0, outputPadding ?? 0, groups, dilation ?? 1);
        Weight = AddParameter("weight", Tensor.Zeros(inChannels, outChannels / groups, kernelSize.H, kernelSize.W));
        (weightInit ?? Initializer.KaimingUniform(a: MathF.Sqrt(5f))).Initialize(Weight, generator);
        if (bias)
        {
            var bound = 1f / MathF.Sqrt(outChannels / groups * kernelSize.H * kernelSize.W);
            Bias = AddParameter("bias", Tensor.Zeros(outChannels));
            Initializer.Uniform(-bound, bound).Initialize(Bias, generator);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2 KernelSize { get; }
    public Size2 Stride { get; }
    public Size2 Padding { get; }
    public Size2 OutputPadding { get; }
    public int Groups { get; }
    public Size2 Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    protected override Tensor Compute(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);

    public override string Describe() => $"ConvTranspose2d({InChannels} -> {OutChannels}, kernel {KernelSize}, stride {Stride}, padding {Padding})";
}
