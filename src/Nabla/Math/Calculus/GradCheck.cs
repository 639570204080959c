using System.Globalization;
using Nabla.NN;

namespace Nabla.Mathematics;

/// <summary>Outcome of <see cref="GradCheck"/>: how far autograd's gradients are from central differences.</summary>
/// <param name="Passed">True when every checked element satisfies |autograd - numeric| ≤ atol + rtol·|numeric|.</param>
/// <param name="MaxAbsError">Largest |autograd - numeric| over the checked elements.</param>
/// <param name="MaxRelError">Largest |autograd - numeric|/max(|autograd|, |numeric|) over elements where either is above atol.</param>
/// <param name="Checked">Number of elements compared.</param>
/// <param name="Failures">Number of elements outside the tolerance.</param>
/// <param name="Worst">The element with the largest excess over its tolerance, e.g. "weight [3]: autograd 0.52, numeric 0.49".</param>
public sealed record GradCheckReport(bool Passed, double MaxAbsError, double MaxRelError, int Checked, int Failures, string Worst)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "FAILED")}: {Checked} elements, {Failures} outside tolerance, max abs error {MaxAbsError:G3}, max rel error {MaxRelError:G3}; worst {Worst}");
}

/// <summary>
/// Checks the gradients of users' own functions and modules against central finite differences. The output is
/// reduced to L = Σ w·f with fixed random weights w (so every output element counts differently), autograd's dL/dx is
/// compared with (L(x + h) - L(x - h))/2h for each element (or a seeded sample of <c>maxElementsPerTensor</c>
/// of them), and L is summed in double. Everything runs in float32, so the defaults are loose: step h = 10⁻³·max(1, |x|),
/// atol 10⁻³, rtol 10⁻². Kinks (ReLU at 0, max ties) and randomness (dropout in training mode) make any check fail.
/// </summary>
public static class GradCheck
{
    /// <summary>Checks d f(inputs)/d inputs for every input tensor (copies of the inputs are differentiated; the originals are untouched).</summary>
    public static GradCheckReport Check(Func<Tensor[], Tensor> function, Tensor[] inputs, double step = 1e-3, double atol = 1e-3, double rtol = 1e-2, int maxElementsPerTensor = int.MaxValue, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("GradCheck.Check: needs at least one input tensor.");
        var leaves = inputs.Select(x => x.Detach().Clone().RequireGrad()).ToArray();
        var names = Enumerable.Range(0, leaves.Length).Select(i => $"input {i}").ToArray();
        return Run(() => function(leaves), leaves, names, step, atol, rtol, maxElementsPerTensor, seed);
    }

    /// <summary>
    /// Checks the gradients of <c>module.Forward(input)</c> with respect to the module's trainable parameters (by name)
    /// and, when <paramref name="checkInput"/>, the input. Parameters are perturbed in place and restored afterwards;
    /// put modules with dropout in Eval mode first.
    /// </summary>
    public static GradCheckReport Check(Module module, Tensor input, bool checkInput = true, double step = 1e-3, double atol = 1e-3, double rtol = 1e-2, int maxElementsPerTensor = int.MaxValue, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(input);
        var parameters = module.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
        var x = input.Detach().Clone().RequireGrad(checkInput);
        var tensors = parameters.Select(p => p.Parameter).ToList();
        var names = parameters.Select(p => p.Name).ToList();
        if (checkInput)
        {
            tensors.Add(x);
            names.Add("input");
        }
        if (tensors.Count == 0) throw new ArgumentException($"GradCheck.Check: {module.Describe()} has no trainable parameters and checkInput is false; nothing to check.");
        return Run(() => module.Forward(x), [.. tensors], [.. names], step, atol, rtol, maxElementsPerTensor, seed);
    }

    private static GradCheckReport Run(Func<Tensor> forward, Tensor[] targets, string[] names, double step, double atol, double rtol, int maxElements, ulong seed)
    {
        if (!(step > 0) || !(atol >= 0) || !(rtol >= 0) || maxElements <= 0)
        {
            throw new ArgumentException($"GradCheck.Check: step must be positive, atol and rtol non-negative and maxElementsPerTensor positive; got step {step}, atol {atol}, rtol {rtol}, maxElementsPerTensor {maxElements}.");
        }
        var output = forward();
        if (!output.RequiresGrad) throw new ArgumentException($"GradCheck.Check: the output (shape {output.Shape}) does not depend on any checked tensor, or was computed under NoGrad.");
        var generator = new Generator(seed);
        var weights = Tensor.Rand(output.Shape.ToArray(), generator) + 0.5f;
        var w = weights.ToArray();
        var analytic = Autograd.Grad([(output * weights).Sum()], targets, allowUnused: true);

        double Loss()
        {
            using var _ = Autograd.NoGrad();
            var y = forward().ToArray();
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++) sum += (double)y[i] * w[i];
            return sum;
        }

        double maxAbs = 0, maxRel = 0, worstExcess = double.NegativeInfinity;
        int count = 0, failures = 0;
        var worst = "none";
        for (var k = 0; k < targets.Length; k++)
        {
            var target = targets[k];
            var original = target.ToArray();
            var grad = analytic[k]?.ToArray() ?? new float[original.Length];
            foreach (var i in Sample(original.Length, maxElements, generator))
            {
                var h = (float)(step * Math.Max(1, Math.Abs(original[i])));
                var plus = original[i] + h;
                var minus = original[i] - h;
                Set(target, original, i, plus);
                var lossPlus = Loss();
                Set(target, original, i, minus);
                var lossMinus = Loss();
                Set(target, original, i, original[i]);
                var numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                var abs = Math.Abs(grad[i] - numeric);
                var scale = Math.Max(Math.Abs(grad[i]), Math.Abs(numeric));
                maxAbs = Math.Max(maxAbs, abs);
                if (scale > atol) maxRel = Math.Max(maxRel, abs / scale);
                var excess = abs - (atol + rtol * Math.Abs(numeric));
                if (excess > 0) failures++;
                if (excess > worstExcess)
                {
                    worstExcess = excess;
                    worst = string.Create(CultureInfo.InvariantCulture, $"{names[k]} [{i}]: autograd {grad[i]:G6}, numeric {numeric:G6}");
                }
                count++;
            }
        }
        return new GradCheckReport(failures == 0, maxAbs, maxRel, count, failures, worst);
    }

    /// <summary>Writes one element of a tensor (a parameter leaf or an input copy) without recording it.</summary>
    private static void Set(Tensor target, float[] original, int index, float value)
    {
        var values = (float[])original.Clone();
        values[index] = value;
        using var _ = Autograd.NoGrad();
        target.CopyFrom(Tensor.FromArray(values, target.Shape.ToArray()));
    }

    private static IEnumerable<int> Sample(int count, int max, Generator generator)
    {
        if (count <= max) return Enumerable.Range(0, count);
        var chosen = new HashSet<int>();
        while (chosen.Count < max) chosen.Add((int)generator.NextInt64(0, count));
        return chosen.Order();
    }
}
