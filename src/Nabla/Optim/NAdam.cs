namespace Nabla.Optim;

/// <summary>
/// NAdam (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule, PyTorch's formulation
/// (ψ = momentum_decay, 0.004 by default; t counts this parameter's steps from 1):
/// <code>
/// g = ∇w + λ·w                    (or w = w·(1 − lr·λ) with decoupled_weight_decay)
/// μₜ = β₁·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ = β₁·(1 − ½·0.96^((t+1)·ψ)),  Πₜ = μ₁···μₜ
/// m = β₁·m + (1 − β₁)·g,   v = β₂·v + (1 − β₂)·g²,   d = √(v / (1 − β₂ᵗ)) + eps
/// w = w − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d
/// </code>
/// Options: lr, weight_decay (λ), beta1, beta2, eps, momentum_decay, decoupled_weight_decay.
/// </summary>
public sealed class NAdam : Optimizer
{
    private const string Beta1 = "beta1";
    private const string Beta2 = "beta2";
    private const string Eps = "eps";
    private const string MomentumDecay = "momentum_decay";
    private const string Decoupled = "decoupled_weight_decay";
    private const string ExpAvg = "exp_avg";
    private const string ExpAvgSq = "exp_avg_sq";
    private const string MuProduct = "mu_product";

    public NAdam(IEnumerable<Tensor> parameters, float learningRate = 2e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, float momentumDecay = 4e-3f, bool decoupledWeightDecay = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, eps, weightDecay, momentumDecay, decoupledWeightDecay) { }

    public NAdam(IEnumerable<ParamGroup> groups, float learningRate = 2e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, float momentumDecay = 4e-3f, bool decoupledWeightDecay = false)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (Beta1, beta1), (Beta2, beta2), (Eps, eps), (MomentumDecay, momentumDecay), (Decoupled, decoupledWeightDecay ? 1f : 0f)]) { }

    protected internal override string? MomentumOption => Beta1;

    protected override IReadOnlyCollection<string> BufferNames => [ExpAvg, ExpAvgSq];

    protected override IReadOnlyCollection<string> ScalarNames => [MuProduct];

    protected override void Validate(ParamGroup group, int groupIndex)
    {
        Adam.ValidateAdamOptions(this, group, groupIndex);
        CheckOption(group, groupIndex, MomentumDecay, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckFlag(group, groupIndex, Decoupled);
    }

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        var (lr, beta1, beta2, psi) = (group.LearningRate, group[Beta1], group[Beta2], (double)group[MomentumDecay]);
        var m = state.Buffer(ExpAvg, parameter);
        var v = state.Buffer(ExpAvgSq, parameter);
        var t = ++state.Step;
        var g = gradient;
        if (group.WeightDecay != 0f)
        {
            if (group.GetFlag(Decoupled)) parameter.MulInPlace(1f - lr * group.WeightDecay);
            else g = g + parameter * group.WeightDecay;
        }
        var mu = beta1 * (1.0 - 0.5 * Math.Pow(0.96, t * psi));
        var muNext = beta1 * (1.0 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        // NOTE: the running product is kept in float32, as PyTorch does, so saved state restores it exactly.
        var muProduct = (float)(state.Scalar(MuProduct, 1f) * mu);
        state.SetScalar(MuProduct, muProduct);
        m.MulInPlace(beta1).AddInPlace(g, 1f - beta1);
        v.MulInPlace(beta2).AddInPlace(g * g, 1f - beta2);
        var denominator = (v / (float)(1.0 - Math.Pow(beta2, t))).Sqrt() + group[Eps];
        parameter.AddInPlace(g / denominator, (float)(-lr * (1.0 - mu) / (1.0 - muProduct)));
        parameter.AddInPlace(m / denominator, (float)(-lr * muNext / (1.0 - muProduct * muNext)));
    }
}
