using Nabla.Tests.Support;

namespace Nabla.Tests.Ops;

/// <summary>Where an op's inputs are drawn from, so finite differences stay away from kinks, poles and ties.</summary>
public enum Domain
{
    /// <summary>Uniform in [-2, 2].</summary>
    Any,
    /// <summary>Uniform in [0.5, 2].</summary>
    Positive,
    /// <summary>±[0.2, 2]: no kink of |x|, relu or sign is within a finite-difference step.</summary>
    AwayFromZero,
    /// <summary>Whole numbers in [-2, 2], so equal values (and ties) occur.</summary>
    SmallIntegers,
    /// <summary>0 or 1.</summary>
    Mask,
    /// <summary>Class indices 0, 1 or 2.</summary>
    Classes,
    /// <summary>A shuffled ladder of values 0.1 apart with no two of equal magnitude: no ties for max, min or max |x|.</summary>
    Distinct,
}

/// <summary>One row of the op table: inputs' shapes and domains, the op, and its plain reference.</summary>
public sealed record OpCase(
    string Name,
    int[][] Shapes,
    Func<Tensor[], Tensor> Op,
    Func<NdArray[], NdArray> Reference,
    Domain[]? Domains = null,
    bool Differentiable = true)
{
    public Domain DomainOf(int input) => Domains is null ? Domain.Any : Domains[Math.Min(input, Domains.Length - 1)];

    /// <summary>Inputs drawn deterministically from the row's name.</summary>
    public Tensor[] MakeInputs()
    {
        var seed = (ulong)Name.Aggregate(17L, (h, c) => h * 31 + c);
        var g = new Generator(seed);
        var inputs = new Tensor[Shapes.Length];
        for (var k = 0; k < Shapes.Length; k++)
        {
            var n = Shapes[k].Aggregate(1, (a, b) => a * b);
            var data = new float[n];
            for (var i = 0; i < n; i++) data[i] = Draw(g, DomainOf(k));
            if (DomainOf(k) == Domain.Distinct) FillLadder(data, g);
            inputs[k] = Tensor.FromArray(data, Shapes[k]);
        }
        return inputs;
    }

    private static void FillLadder(float[] data, Generator g)
    {
        var order = Enumerable.Range(0, data.Length).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (var i = 0; i < data.Length; i++) data[i] = (order[i] - data.Length / 3f + 0.37f) * 0.1f;
    }

    private static float Draw(Generator g, Domain domain) => domain switch
    {
        Domain.Positive => 0.5f + 1.5f * g.NextSingle(),
        Domain.AwayFromZero => (g.NextSingle() < 0.5f ? -1f : 1f) * (0.2f + 1.8f * g.NextSingle()),
        Domain.SmallIntegers => g.NextInt64(-2, 3),
        Domain.Mask => g.NextInt64(0, 2),
        Domain.Classes => g.NextInt64(0, 3),
        _ => -2f + 4f * g.NextSingle(),
    };

    public override string ToString() => Name;
}
