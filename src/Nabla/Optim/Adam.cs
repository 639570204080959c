namespace Nabla.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015), PyTorch's formulation; t counts this parameter's steps from 1:
/// <code>
/// g = ∇w + λ·w                                   (coupled L2; AdamW decays w directly instead)
/// m = β₁·m + (1 − β₁)·g
/// v = β₂·v + (1 − β₂)·g²
/// v̂ = max(v̂, v) with amsgrad, else v
/// w = w − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)
/// </code>
/// Options: lr, weight_decay (λ), beta1, beta2, eps, amsgrad.
/// </summary>
public class Adam : Optimizer
{
    private protected const string Beta1 = "beta1";
    private protected const string Beta2 = "beta2";
    private protected const string Eps = "eps";
    private const string Amsgrad = "amsgrad";
    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private const string MaxExpAvgSq = "max_exp_avg_sq";

    private readonly bool _decoupledWeightDecay;

    public Adam(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, amsgrad) { }

    public Adam(IEnumerable<ParamGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, bool amsgrad = false)
        : this(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: false) { }

    private protected Adam(IEnumerable<ParamGroup> groups, float learningRate, float beta1, float beta2, float eps, float weightDecay, bool amsgrad, bool decoupledWeightDecay)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (Beta1, beta1), (Beta2, beta2), (Eps, eps), (Amsgrad, amsgrad ? 1f : 0f)]) =>
        _decoupledWeightDecay = decoupledWeightDecay;

    protected internal override string? MomentumOption => Beta1;

    protected override IReadOnlyCollection<string> BufferNames => [ExpAvg, ExpAvgSq, MaxExpAvgSq];

    protected override void Validate(ParamGroup group, int groupIndex) => ValidateAdamOptions(this, group, groupIndex);

    /// <summary>Checks beta1, beta2 in [0, 1) and eps ≥ 0, shared by the Adam family.</summary>
    internal static void ValidateAdamOptions(Optimizer optimizer, ParamGroup group, int groupIndex)
    {
        foreach (var beta in new[] { Beta1, Beta2 })
        {
            var value = group[beta];
            if (!(value is >= 0f and < 1f))
            {
                throw new ArgumentException($"{optimizer.Name}: option {beta} must be in [0, 1); got {value} (parameter group {groupIndex}).");
            }
        }
        if (!(group[Eps] >= 0f) || float.IsInfinity(group[Eps]))
        {
            throw new ArgumentException($"{optimizer.Name}: option eps must be a finite number >= 0; got {group[Eps]} (parameter group {groupIndex}).");
        }
        if (group.Has(Amsgrad) && group[Amsgrad] is not (0f or 1f))
        {
            throw new ArgumentException($"{optimizer.Name}: option amsgrad must be 0 (off) or 1 (on); got {group[Amsgrad]} (parameter group {groupIndex}).");
        }
    }

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        if (TryFusedStep(parameter, gradient, group, state)) return;
        var (lr, beta1, beta2) = (group.LearningRate, group[Beta1], group[Beta2]);
        var g = gradient;
        if (group.WeightDecay != 0f)
        {
            if (_decoupledWeightDecay) parameter.MulInPlace(1f - lr * group.WeightDecay);
            else g = g + parameter * group.WeightDecay;
        }
        var m = state.Buffer(ExpAvg, parameter);
        var v = state.Buffer(ExpAvgSq, parameter);
        var t = ++state.Step;
        m.MulInPlace(beta1).AddInPlace(g, 1f - beta1);
        v.MulInPlace(beta2).AddInPlace(g * g, 1f - beta2);
        var second = v;
        if (group.GetFlag(Amsgrad))
        {
            second = state.Buffer(MaxExpAvgSq, parameter);
            second.CopyFrom(Tensor.Maximum(second, v));
        }
        var biasCorrection1 = 1.0 - Math.Pow(beta1, t);
        var biasCorrection2 = 1.0 - Math.Pow(beta2, t);
        var denominator = second.Sqrt() / (float)Math.Sqrt(biasCorrection2) + group[Eps];
        parameter.AddInPlace(m / denominator, (float)(-lr / biasCorrection1));
    }

    /// <summary>
    /// The same update in one pass over contiguous buffers (see <see cref="Backends.Cpu.AdamKernel"/>); the composed
    /// version above stays for other layouts and as the reference the kernel is tested against. Only the kernel sets
    /// subnormal gradients and moments to zero and applies the step as one FMA, differences far below float precision
    /// of the update.
    /// </summary>
    private bool TryFusedStep(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        if (!UseFusedKernel || !parameter.IsContiguous || !gradient.IsContiguous || gradient.Shape != parameter.Shape) return false;
        parameter.CheckInPlaceAllowed(Name);
        var amsgrad = group.GetFlag(Amsgrad);
        var m = state.Buffer(ExpAvg, parameter);
        var v = state.Buffer(ExpAvgSq, parameter);
        var vMax = amsgrad ? state.Buffer(MaxExpAvgSq, parameter) : null;
        var t = ++state.Step;
        var (lr, beta1, beta2, weightDecay) = (group.LearningRate, group[Beta1], group[Beta2], group.WeightDecay);
        var settings = new Backends.Cpu.AdamKernel.Settings(
            beta1, beta2,
            L2: _decoupledWeightDecay ? 0f : weightDecay,
            Decay: _decoupledWeightDecay ? 1f - lr * weightDecay : 1f,
            StepSize: (float)(lr / (1.0 - Math.Pow(beta1, t))),
            SqrtCorrection2: (float)Math.Sqrt(1.0 - Math.Pow(beta2, t)),
            Eps: group[Eps]);
        Backends.Cpu.AdamKernel.Step(parameter.Span, gradient.Span, m.Span, v.Span, vMax is null ? default : vMax.Span, amsgrad, settings);
        parameter.Storage.BumpVersion();
        m.Storage.BumpVersion();
        v.Storage.BumpVersion();
        vMax?.Storage.BumpVersion();
        return true;
    }

    /// <summary>
    /// Test switch for the calling thread: false runs the composed tensor update there. Per thread, so a test that
    /// compares the two paths cannot change the path of another test running at the same time.
    /// </summary>
    internal static bool UseFusedKernel { get => !t_composedOnly; set => t_composedOnly = !value; }

    [ThreadStatic] private static bool t_composedOnly;
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay. The decay shrinks the weights
/// directly, w = w·(1 − lr·λ), before the Adam update of the plain gradient, so it is not rescaled by the
/// adaptive denominator as coupled L2 is. Default λ = 0.01, as in PyTorch.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, amsgrad) { }

    public AdamW(IEnumerable<ParamGroup> groups, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad, decoupledWeightDecay: true) { }
}
