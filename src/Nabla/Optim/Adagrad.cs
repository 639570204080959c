namespace Nabla.Optim;

/// <summary>
/// Adagrad (Duchi et al., 2011), PyTorch's formulation; t counts this parameter's steps from 1:
/// <code>
/// g = ∇w + λ·w
/// s = s + g²                                  (s starts at initial_accumulator_value)
/// w = w − lr / (1 + (t − 1)·lr_decay) · g / (√s + eps)
/// </code>
/// Options: lr, weight_decay (λ), lr_decay, initial_accumulator_value, eps.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private const string LrDecay = "lr_decay";
    private const string InitialAccumulator = "initial_accumulator_value";
    private const string Eps = "eps";
    private const string Sum = "sum";

    public Adagrad(IEnumerable<Tensor> parameters, float learningRate = 1e-2f, float lrDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : this([new ParamGroup(parameters)], learningRate, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    public Adagrad(IEnumerable<ParamGroup> groups, float learningRate = 1e-2f, float lrDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : base(groups, [
            (ParamGroup.LearningRateKey, learningRate), (ParamGroup.WeightDecayKey, weightDecay),
            (LrDecay, lrDecay), (InitialAccumulator, initialAccumulatorValue), (Eps, eps)]) { }

    protected override IReadOnlyCollection<string> BufferNames => [Sum];

    protected override void Validate(ParamGroup group, int groupIndex)
    {
        CheckOption(group, groupIndex, LrDecay, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckOption(group, groupIndex, InitialAccumulator, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
        CheckOption(group, groupIndex, Eps, v => v >= 0f && v < float.PositiveInfinity, "a finite number >= 0");
    }

    protected override void Update(Tensor parameter, Tensor gradient, ParamGroup group, ParameterState state)
    {
        var sum = state.Buffer(Sum, parameter, group[InitialAccumulator]);
        state.Step++;
        var g = group.WeightDecay != 0f ? gradient + parameter * group.WeightDecay : gradient;
        var clr = group.LearningRate / (1.0 + (state.Step - 1) * (double)group[LrDecay]);
        sum.AddInPlace(g * g);
        parameter.AddInPlace(g / (sum.Sqrt() + group[Eps]), (float)-clr);
    }
}
