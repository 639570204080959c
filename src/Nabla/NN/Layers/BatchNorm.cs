namespace Nabla.NN;

/// <summary>
/// Batch normalisation (Ioffe and Szegedy, 2015): y = (x - μ) / √(σ² + ε) · γ + β per channel (axis 1).
/// In training μ and σ² are the batch's (biased variance) and the running estimates move toward them
/// (running = (1 - momentum)·running + momentum·batch, with the unbiased variance; momentum null = cumulative average);
/// in eval the running estimates are used. Parameters weight (γ, ones) and bias (β, zeros); buffers running_mean,
/// running_var and num_batches_tracked, named as in PyTorch.
/// </summary>
public abstract class BatchNorm : Module
{
    private readonly int[] _reduceAxes;
    private readonly int[] _validRanks;

    private protected BatchNorm(int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats, int[] validRanks)
    {
        if (numFeatures <= 0) throw new ArgumentException($"{GetType().Name}: numFeatures must be positive; got {numFeatures}.");
        if (!(eps > 0f)) throw new ArgumentException($"{GetType().Name}: eps must be positive; got {eps}.");
        if (momentum is { } m && !(m >= 0f && m <= 1f)) throw new ArgumentException($"{GetType().Name}: momentum must be in [0, 1]; got {m}.");
        (NumFeatures, Eps, Momentum, _validRanks) = (numFeatures, eps, momentum, validRanks);
        _reduceAxes = validRanks[0] == 4 ? [0, 2, 3] : [0];
        if (affine)
        {
            Weight = AddParameter("weight", Tensor.Ones(numFeatures));
            Bias = AddParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = AddBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = AddBuffer("running_var", Tensor.Ones(numFeatures));
            BatchesTracked = AddBuffer("num_batches_tracked", Tensor.Scalar(0f)); // 0-d, as in PyTorch
        }
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float? Momentum { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? BatchesTracked { get; }

    protected override Tensor Compute(Tensor input)
    {
        if (!_validRanks.Contains(input.Rank) || input.Shape[1] != NumFeatures)
        {
            var expected = string.Join(" or ", _validRanks.Select(r => r switch { 2 => "[N, C]", 3 => "[N, C, L]", _ => "[N, C, H, W]" }));
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): input must be {expected} with C = {NumFeatures}; got {input.Shape}.");
        }
        var axes = input.Rank == 3 ? new[] { 0, 2 } : _reduceAxes;
        var channelShape = new int[input.Rank];
        Array.Fill(channelShape, 1);
        channelShape[1] = NumFeatures;

        Tensor mean, variance;
        if (IsTraining || RunningMean is null)
        {
            var count = input.Count / NumFeatures;
            if (IsTraining && count <= 1)
            {
                throw new ArgumentException($"{GetType().Name}: training needs more than one value per channel to estimate a variance; got input {input.Shape}.");
            }
            mean = input.Mean(axes, keepDims: true);
            var centered = input - mean;
            variance = (centered * centered).Mean(axes, keepDims: true);
            if (IsTraining && RunningMean is not null) UpdateRunningStatistics(mean, variance, count);
        }
        else
        {
            mean = RunningMean.Reshape(channelShape);
            variance = RunningVar!.Reshape(channelShape);
        }
        var y = (input - mean) * (variance + Eps).Rsqrt();
        if (Weight is not null) y = y * Weight.Reshape(channelShape) + Bias!.Reshape(channelShape);
        return y;
    }

    private void UpdateRunningStatistics(Tensor mean, Tensor variance, int count)
    {
        using var _ = Autograd.NoGrad();
        BatchesTracked!.AddInPlace(Tensor.Scalar(1f));
        var m = Momentum ?? 1f / BatchesTracked.Item();
        var unbiased = variance.Detach().Reshape(NumFeatures) * ((float)count / (count - 1));
        RunningMean!.MulInPlace(1f - m).AddInPlace(mean.Detach().Reshape(NumFeatures), m);
        RunningVar!.MulInPlace(1f - m).AddInPlace(unbiased, m);
    }

    public override string Describe() => $"{GetType().Name}({NumFeatures}, eps={Eps}, momentum={Momentum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "cumulative"})";
}

/// <summary>Batch normalisation over [N, C] or [N, C, L] inputs (per feature C).</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, [2, 3]);

/// <summary>Batch normalisation over [N, C, H, W] inputs (per channel C).</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, [4]);
