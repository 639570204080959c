namespace Nabla.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum, L2 weight decay and L1 decay
/// (PyTorch's SGD, plus <c>l1</c>):
/// <code>
/// g = ∇w + λ·w + l1·sign(w)
/// b = g on the first step, else μ·b + (1 − dampening)·g       (only when μ ≠ 0)
/// g = g + μ·b (Nesterov) or b
/// w = w − lr·g
/// </code>
/// With μ = 0 this is plain gradient descent. Options: lr, weight_decay (λ), momentum (μ), dampening, nesterov, l1.
/// </summary>
public sealed class Sgd : Optimizer
{
    private const string Momentum = "momentum";
    private const string Dampening = "dampening";
    private const string Nesterov = "nesterov";
    private const string L1 = "l1";
    private const string MomentumBuffer = "momentum_buffer";

    public Sgd(IEnumerable<Tensor> parameters, float learningRate = 1e-3f, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f, float l1 = 0f)
        : this([new ParamGroup(parameters)], learningRate, momentum, dampening, nesterov, weightDecay, l1) { }

    public Sgd(IEnumerable<ParamGroup> groups, float learningRate = 1e-3f, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f, float l1 = 0f)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (Momentum, momentum), (Dampening, dampening), (Nesterov, nesterov ? 1f : 0f), (L1, l1)]) { }

    protected internal override string? MomentumOption => Momentum;

    protected override IReadOnlyCollection<string> BufferNames => [MomentumBuffer];

    protected override void Validate(ParamGroup group, int groupIndex)
    {
        CheckOption(group, groupIndex, Momentum, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckOption(group, groupIndex, Dampening, v => v is >= 0f and <= 1f, "in [0, 1]");
        CheckOption(group, groupIndex, L1, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckFlag(group, groupIndex, Nesterov);
        if (group.GetFlag(Nesterov) && (group[Momentum] <= 0f || group[Dampening] != 0f))
        {
            throw new ArgumentException($"Sgd: Nesterov momentum needs momentum > 0 and dampening 0; got momentum {group[Momentum]} and dampening {group[Dampening]} (parameter group {groupIndex}).");
        }
    }

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        var g = gradient;
        if (group.WeightDecay != 0f) g = g + parameter * group.WeightDecay;
        if (group[L1] != 0f) g = g + parameter.Sign() * group[L1];
        var momentum = group[Momentum];
        if (momentum != 0f)
        {
            var fresh = !state.TryGetBuffer(MomentumBuffer, out var buffer);
            if (fresh)
            {
                buffer = state.Buffer(MomentumBuffer, parameter);
                buffer.CopyFrom(g);
            }
            else
            {
                buffer.MulInPlace(momentum).AddInPlace(g, 1f - group[Dampening]);
            }
            g = group.GetFlag(Nesterov) ? g + buffer * momentum : buffer;
        }
        parameter.AddInPlace(g, -group.LearningRate);
        state.Step++;
    }
}
