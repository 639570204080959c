namespace Nabla.Optim;

/// <summary>
/// Adamax (Kingma and Ba, 2015, section 7): Adam with the infinity norm, PyTorch's formulation:
/// <code>
/// g = ∇w + λ·w
/// m = β₁·m + (1 − β₁)·g
/// u = max(β₂·u, |g| + eps)
/// w = w − lr / (1 − β₁ᵗ) · m / u
/// </code>
/// Options: lr, weight_decay (λ), beta1, beta2, eps.
/// </summary>
public sealed class Adamax : Optimizer
{
    private const string Beta1 = "beta1";
    private const string Beta2 = "beta2";
    private const string Eps = "eps";
    private const string ExpAvg = "exp_avg";
    private const string ExpInf = "exp_inf";

    public Adamax(IEnumerable<Tensor> parameters, float learningRate = 2e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay) { }

    public Adamax(IEnumerable<ParamGroup> groups, float learningRate = 2e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (Beta1, beta1), (Beta2, beta2), (Eps, eps)]) { }

    protected internal override string? MomentumOption => Beta1;

    protected override IReadOnlyCollection<string> BufferNames => [ExpAvg, ExpInf];

    protected override void Validate(ParamGroup group, int groupIndex) => Adam.ValidateAdamOptions(this, group, groupIndex);

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        var (beta1, beta2) = (group[Beta1], group[Beta2]);
        var m = state.Buffer(ExpAvg, parameter);
        var u = state.Buffer(ExpInf, parameter);
        var t = ++state.Step;
        var g = group.WeightDecay != 0f ? gradient + parameter * group.WeightDecay : gradient;
        m.MulInPlace(beta1).AddInPlace(g, 1f - beta1);
        u.CopyFrom(Tensor.Maximum(u * beta2, g.Abs() + group[Eps]));
        var biasCorrection = 1.0 - Math.Pow(beta1, t);
        parameter.AddInPlace(m / u, (float)(-group.LearningRate / biasCorrection));
    }
}
