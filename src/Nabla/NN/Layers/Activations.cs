namespace Nabla.NN;

/// <summary>An activation function as a layer, so it can sit in a <see cref="Sequential"/>; no parameters.</summary>
public abstract class ActivationLayer : Module
{
    /// <summary>The name listed by <c>nabla list activations</c> and used in model specs.</summary>
    public abstract string Name { get; }

    public override string Describe() => GetType().Name;

    /// <summary>Every activation by name, each with its default arguments.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["identity", "binary_step", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu", "softplus", "hard_sigmoid", "hard_tanh", "softmax", "log_softmax"];

    /// <summary>A new activation layer by name (as in <see cref="Names"/>), e.g. for model specs and hyperparameter search.</summary>
    public static ActivationLayer Create(string name) => name.ToLowerInvariant().Replace("-", "_", StringComparison.Ordinal) switch
    {
        "identity" or "linear" => new Identity(),
        "binary_step" or "step" => new BinaryStep(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "relu" => new Relu(),
        "relu6" => new Relu6(),
        "leaky_relu" => new LeakyRelu(),
        "elu" => new Elu(),
        "selu" => new Selu(),
        "gelu" => new Gelu(),
        "gelu_tanh" => new Gelu(GeluApproximation.Tanh),
        "silu" or "swish" => new Silu(),
        "softplus" => new Softplus(),
        "hard_sigmoid" => new HardSigmoid(),
        "hard_tanh" => new HardTanh(),
        "softmax" => new Softmax(),
        "log_softmax" => new LogSoftmax(),
        _ => throw new ArgumentException($"Unknown activation '{name}'; expected one of: {string.Join(", ", Names)}."),
    };
}

public sealed class Identity : ActivationLayer
{
    public override string Name => "identity";
    protected override Tensor Compute(Tensor input) => input;
}

public sealed class BinaryStep : ActivationLayer
{
    public override string Name => "binary_step";
    protected override Tensor Compute(Tensor input) => Functional.BinaryStep(input);
}

public sealed class Sigmoid : ActivationLayer
{
    public override string Name => "sigmoid";
    protected override Tensor Compute(Tensor input) => input.Sigmoid();
}

public sealed class Tanh : ActivationLayer
{
    public override string Name => "tanh";
    protected override Tensor Compute(Tensor input) => input.Tanh();
}

public sealed class Relu : ActivationLayer
{
    public override string Name => "relu";
    protected override Tensor Compute(Tensor input) => input.Relu();
}

public sealed class Relu6 : ActivationLayer
{
    public override string Name => "relu6";
    protected override Tensor Compute(Tensor input) => Functional.Relu6(input);
}

public sealed class LeakyRelu(float negativeSlope = 0.01f) : ActivationLayer
{
    public override string Name => "leaky_relu";
    public float NegativeSlope => negativeSlope;
    protected override Tensor Compute(Tensor input) => Functional.LeakyRelu(input, negativeSlope);
}

public sealed class Elu(float alpha = 1f) : ActivationLayer
{
    public override string Name => "elu";
    public float Alpha => alpha;
    protected override Tensor Compute(Tensor input) => Functional.Elu(input, alpha);
}

public sealed class Selu : ActivationLayer
{
    public override string Name => "selu";
    protected override Tensor Compute(Tensor input) => Functional.Selu(input);
}

public sealed class Gelu(GeluApproximation approximate = GeluApproximation.None) : ActivationLayer
{
    public override string Name => approximate == GeluApproximation.Tanh ? "gelu_tanh" : "gelu";
    public GeluApproximation Approximate => approximate;
    protected override Tensor Compute(Tensor input) => Functional.Gelu(input, approximate);
}

public sealed class Silu : ActivationLayer
{
    public override string Name => "silu";
    protected override Tensor Compute(Tensor input) => Functional.Silu(input);
}

public sealed class Softplus(float beta = 1f) : ActivationLayer
{
    public override string Name => "softplus";
    public float Beta => beta;
    protected override Tensor Compute(Tensor input) => Functional.Softplus(input, beta);
}

public sealed class HardSigmoid : ActivationLayer
{
    public override string Name => "hard_sigmoid";
    protected override Tensor Compute(Tensor input) => Functional.HardSigmoid(input);
}

public sealed class HardTanh(float min = -1f, float max = 1f) : ActivationLayer
{
    public override string Name => "hard_tanh";
    public float Min => min;
    public float Max => max;
    protected override Tensor Compute(Tensor input) => Functional.HardTanh(input, min, max);
}

public sealed class Softmax(int axis = -1) : ActivationLayer
{
    public override string Name => "softmax";
    public int Axis => axis;
    protected override Tensor Compute(Tensor input) => Functional.Softmax(input, axis);
}

public sealed class LogSoftmax(int axis = -1) : ActivationLayer
{
    public override string Name => "log_softmax";
    public int Axis => axis;
    protected override Tensor Compute(Tensor input) => Functional.LogSoftmax(input, axis);
}
