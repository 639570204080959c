namespace Nabla;

/// <summary>
/// Reverse-mode automatic differentiation: grad mode control and the functional gradient API.
/// Gradients are recorded per thread; <see cref="NoGrad"/> turns recording off for a scope.
/// </summary>
public static class Autograd
{
    [ThreadStatic] private static int t_disabledDepth;

    /// <summary>True when operations on tensors that require grad are being recorded (on this thread).</summary>
    public static bool IsEnabled => t_disabledDepth == 0;

    /// <summary>
    /// Stops recording for the lifetime of the returned scope: <c>using (Autograd.NoGrad()) { ... }</c>.
    /// Results computed inside are leaves that do not require grad. Scopes nest.
    /// </summary>
    public static NoGradScope NoGrad() => new(++t_disabledDepth);

    /// <summary>Ends one level of <see cref="NoGrad"/>; disposing it again (or a default value) does nothing.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly int _depth; // the depth this scope set; 0 for default(NoGradScope)

        internal NoGradScope(int depth) => _depth = depth;

        public void Dispose()
        {
            if (_depth > 0 && t_disabledDepth == _depth) t_disabledDepth--;
        }
    }

    /// <summary>
    /// Gradients of the sum of <paramref name="outputs"/> (each weighted by its entry of
    /// <paramref name="gradOutputs"/>, default ones for scalars) with respect to <paramref name="inputs"/>,
    /// returned instead of accumulated into <see cref="Tensor.Grad"/>. With <paramref name="createGraph"/>
    /// the returned gradients are themselves differentiable (for higher-order derivatives).
    /// An input the outputs do not depend on throws unless <paramref name="allowUnused"/>, in which case its gradient is null.
    /// </summary>
    public static Tensor?[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null,
        bool retainGraph = false,
        bool createGraph = false,
        bool allowUnused = false)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (!inputs[i].RequiresGrad)
            {
                throw new ArgumentException($"Autograd.Grad: input {i} (shape {inputs[i].Shape}) does not require grad, so no gradient can be computed for it.", nameof(inputs));
            }
        }
        var result = Engine.Run(outputs, gradOutputs, retainGraph || createGraph, createGraph, inputs);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (result[i] is null && !allowUnused)
            {
                throw new InvalidOperationException($"Autograd.Grad: input {i} (shape {inputs[i].Shape}) was not used to compute the outputs; pass allowUnused: true to get null for it.");
            }
        }
        return result;
    }

    /// <summary>Single-output, single-input form of <see cref="Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool, bool)"/>.</summary>
    public static Tensor Grad(Tensor output, Tensor input, bool retainGraph = false, bool createGraph = false) =>
        Grad([output], [input], null, retainGraph, createGraph)[0]!;
}
