namespace Nabla.NN;

/// <summary>Flattens axes <c>startAxis..endAxis</c> into one: [N, C, H, W] -> [N, C·H·W] by default.</summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module
{
    public int StartAxis => startAxis;
    public int EndAxis => endAxis;

    protected override Tensor Compute(Tensor input) => input.Flatten(startAxis, endAxis);
}

/// <summary>Reshapes each example: [N, ...] -> [N, shape...] (one entry may be -1).</summary>
public sealed class Unflatten(params int[] shape) : Module
{
    public IReadOnlyList<int> TargetShape => shape;

    protected override Tensor Compute(Tensor input) => input.Reshape([input.Shape[0], .. shape]);
}
