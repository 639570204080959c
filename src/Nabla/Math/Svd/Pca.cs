namespace Nabla.Mathematics;

/// <summary>
/// Principal component analysis by SVD of the centred data: X - x̄ = UΣVᵀ, components = the first k rows of Vᵀ,
/// explained variance σᵢ²/(N - 1). Transform projects x [N, D] -> z [N, k]; InverseTransform maps back to [N, D]
/// (the best rank-k reconstruction). Both are Tensor compositions, so they are differentiable in their input.
/// <code>
/// var pca = new Pca(components: 2).Fit(x);      // x [N, D]
/// var z = pca.Transform(x);                      // [N, 2]
/// Console.WriteLine(pca.ExplainedVarianceRatio); // share of the variance each component keeps
/// </code>
/// </summary>
public sealed class Pca
{
    private Tensor? _components, _mean, _variance, _ratio, _singular;

    /// <param name="components">Number of components k to keep; null keeps min(N, D).</param>
    public Pca(int? components = null)
    {
        if (components is <= 0) throw new ArgumentException($"Pca: components must be positive; got {components}.");
        RequestedComponents = components;
    }

    /// <summary>The k asked for in the constructor (null: all).</summary>
    public int? RequestedComponents { get; }

    /// <summary>True once <see cref="Fit"/> has run.</summary>
    public bool IsFitted => _components is not null;

    /// <summary>Principal axes [k, D], one unit vector per row, by decreasing variance (first largest-magnitude entry of each score column positive).</summary>
    public Tensor Components => _components ?? throw NotFitted();

    /// <summary>Per-feature mean x̄ [D] subtracted before projecting.</summary>
    public Tensor Mean => _mean ?? throw NotFitted();

    /// <summary>Variance of the data along each component, σᵢ²/(N - 1) [k].</summary>
    public Tensor ExplainedVariance => _variance ?? throw NotFitted();

    /// <summary>Share of the total variance (over all D directions, kept or not) along each component [k].</summary>
    public Tensor ExplainedVarianceRatio => _ratio ?? throw NotFitted();

    /// <summary>Singular values σᵢ of the centred data [k].</summary>
    public Tensor SingularValues => _singular ?? throw NotFitted();

    /// <summary>Number of components kept.</summary>
    public int ComponentCount => Components.Shape[0];

    /// <summary>Learns the mean and components from observations x [N, D] (N ≥ 2); returns this for chaining.</summary>
    public Pca Fit(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[0] < 2 || x.Shape[1] < 1)
        {
            throw new ArgumentException($"Pca.Fit: expected observations [N, D] with N ≥ 2; got shape {x.Shape}.");
        }
        var (n, d) = (x.Shape[0], x.Shape[1]);
        var k = RequestedComponents ?? Math.Min(n, d);
        if (k > Math.Min(n, d)) throw new ArgumentException($"Pca.Fit: asked for {k} components but {n} observations of {d} features have at most {Math.Min(n, d)}.");
        using var _ = Autograd.NoGrad();
        var mean = x.Mean(0);
        var (_, s, vt) = Linalg.Svd(x - mean);
        var variance = s * s / (n - 1);
        var total = variance.Sum();
        if (total.Item() == 0) throw new ArgumentException($"Pca.Fit: all {n} observations are identical, so there is no variance to decompose.");
        _mean = mean;
        _components = vt.Narrow(0, 0, k).Contiguous();
        _singular = s.Narrow(0, 0, k).Contiguous();
        _variance = variance.Narrow(0, 0, k).Contiguous();
        _ratio = (_variance / total).Contiguous();
        return this;
    }

    /// <summary>z = (x - x̄)·Vₖᵀ: [N, D] -> [N, k] (also [..., D] -> [..., k]).</summary>
    public Tensor Transform(Tensor x)
    {
        CheckFeatures(x, Mean.Shape[0], "Transform");
        return (x - Mean).MatMul(Components.T); // [..., D] @ [D, k]
    }

    /// <summary>x̂ = z·Vₖ + x̄: [N, k] -> [N, D], the projection of the data onto the kept components.</summary>
    public Tensor InverseTransform(Tensor z)
    {
        CheckFeatures(z, ComponentCount, "InverseTransform");
        return z.MatMul(Components) + Mean; // [..., k] @ [k, D]
    }

    /// <summary>Fit then Transform.</summary>
    public Tensor FitTransform(Tensor x) => Fit(x).Transform(x);

    private static void CheckFeatures(Tensor t, int expected, string op)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Rank == 0 || t.Shape[-1] != expected)
        {
            throw new ArgumentException($"Pca.{op}: expected [..., {expected}] (the last axis holds the {(op == "Transform" ? "features" : "component scores")}); got shape {t.Shape}.");
        }
    }

    private static InvalidOperationException NotFitted() => new("Pca: call Fit before reading components or transforming data.");
}
