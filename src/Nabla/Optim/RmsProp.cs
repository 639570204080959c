namespace Nabla.Optim;

/// <summary>
/// RMSprop (Hinton's lecture 6e), PyTorch's formulation:
/// <code>
/// g = ∇w + λ·w
/// v = α·v + (1 − α)·g²
/// centered:  m = α·m + (1 − α)·g,  d = √(v − m²) + eps;   otherwise d = √v + eps
/// momentum μ &gt; 0:  b = μ·b + g / d,  w = w − lr·b;     otherwise w = w − lr·g / d
/// </code>
/// Options: lr, weight_decay (λ), alpha (α), eps, momentum (μ), centered.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private const string Alpha = "alpha";
    private const string Eps = "eps";
    private const string Momentum = "momentum";
    private const string Centered = "centered";
    private const string SquareAverage = "square_avg";
    private const string GradAverage = "grad_avg";
    private const string MomentumBuffer = "momentum_buffer";

    public RmsProp(IEnumerable<Tensor> parameters, float learningRate = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : this([new ParamGroup(parameters)], learningRate, alpha, eps, weightDecay, momentum, centered) { }

    public RmsProp(IEnumerable<ParamGroup> groups, float learningRate = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (Alpha, alpha), (Eps, eps), (Momentum, momentum), (Centered, centered ? 1f : 0f)]) { }

    protected internal override string? MomentumOption => Momentum;

    protected override IReadOnlyCollection<string> BufferNames => [SquareAverage, GradAverage, MomentumBuffer];

    protected override void Validate(ParamGroup group, int groupIndex)
    {
        CheckOption(group, groupIndex, Alpha, v => v is >= 0f and <= 1f, "in [0, 1]");
        CheckOption(group, groupIndex, Eps, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckOption(group, groupIndex, Momentum, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckFlag(group, groupIndex, Centered);
    }

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        if (TryFusedStep(parameter, gradient, group, state)) return;
        var alpha = group[Alpha];
        var squareAverage = state.Buffer(SquareAverage, parameter);
        state.Step++;
        var g = group.WeightDecay != 0f ? gradient + parameter * group.WeightDecay : gradient;
        squareAverage.MulInPlace(alpha).AddInPlace(g * g, 1f - alpha);
        Tensor denominator;
        if (group.GetFlag(Centered))
        {
            var gradAverage = state.Buffer(GradAverage, parameter);
            gradAverage.MulInPlace(alpha).AddInPlace(g, 1f - alpha);
            denominator = (squareAverage - gradAverage * gradAverage).Sqrt() + group[Eps];
        }
        else
        {
            denominator = squareAverage.Sqrt() + group[Eps];
        }
        var momentum = group[Momentum];
        if (momentum > 0f)
        {
            var buffer = state.Buffer(MomentumBuffer, parameter);
            buffer.MulInPlace(momentum).AddInPlace(g / denominator);
            parameter.AddInPlace(buffer, -group.LearningRate);
        }
        else
        {
            parameter.AddInPlace(g / denominator, -group.LearningRate);
        }
    }

    /// <summary>
    /// The same update in one pass over contiguous buffers (see <see cref="Backends.Cpu.RmsPropKernel"/>); the composed
    /// version above stays for other layouts and as the reference the kernel is tested against. Only the kernel sets
    /// subnormal gradients and running averages to zero and applies the step as one FMA, differences far below float
    /// precision of the update.
    /// </summary>
    private bool TryFusedStep(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        if (!UseFusedKernel || !parameter.IsContiguous || !gradient.IsContiguous || gradient.Shape != parameter.Shape) return false;
        parameter.CheckInPlaceAllowed(Name);
        var centered = group.GetFlag(Centered);
        var momentum = group[Momentum];
        var squareAverage = state.Buffer(SquareAverage, parameter);
        var gradAverage = centered ? state.Buffer(GradAverage, parameter) : null;
        var momentumBuffer = momentum > 0f ? state.Buffer(MomentumBuffer, parameter) : null;
        state.Step++;
        var settings = new Backends.Cpu.RmsPropKernel.Settings(group[Alpha], group.WeightDecay, group.LearningRate, group[Eps], momentum, centered);
        Backends.Cpu.RmsPropKernel.Step(parameter.Span, gradient.Span, squareAverage.Span,
            gradAverage is null ? default : gradAverage.Span, momentumBuffer is null ? default : momentumBuffer.Span, settings);
        parameter.Storage.BumpVersion();
        squareAverage.Storage.BumpVersion();
        gradAverage?.Storage.BumpVersion();
        momentumBuffer?.Storage.BumpVersion();
        return true;
    }

    /// <summary>
    /// Test switch for the calling thread: false runs the composed tensor update there. Per thread, so a test that
    /// compares the two paths cannot change the path of another test running at the same time.
    /// </summary>
    internal static bool UseFusedKernel { get => !t_composedOnly; set => t_composedOnly = !value; }

    [ThreadStatic] private static bool t_composedOnly;
}
