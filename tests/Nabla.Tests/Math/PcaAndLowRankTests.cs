using Nabla.Mathematics;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tests.Support;
using static Nabla.Tests.MathTests.MathAssert;

namespace Nabla.Tests.MathTests;

public class PcaAndLowRankTests
{
    /// <summary>500 points in 3-D with standard deviations 3, 1 and 0.1 along orthonormal axes u, v, w, centred at (1, -2, 5).</summary>
    private static (Tensor X, Tensor Axes) Ellipsoid()
    {
        var (q, _) = Linalg.Qr(Tensor.Randn([3, 3], new Generator(10)));
        var axes = q.T.Contiguous(); // rows u, v, w
        var scores = Tensor.Randn([500, 3], new Generator(11));
        scores = scores - scores.Mean(0); // exactly centred scores, so the sample variances are known
        var scales = Tensor.FromArray(3f, 1f, 0.1f);
        var x = (scores * scales).MatMul(axes) + Tensor.FromArray(1f, -2f, 5f);
        return (x, axes);
    }

    [Fact]
    public void Pca_finds_the_axes_and_variances_of_known_structure()
    {
        var (x, axes) = Ellipsoid();
        var pca = new Pca().Fit(x);
        Near(Tensor.FromArray(1f, -2f, 5f), pca.Mean, 1e-5, "mean");
        // Each component is ± the generating axis.
        var alignment = pca.Components.MatMul(axes.T).Abs(); // [3, 3] ≈ I
        Near(Tensor.Eye(3), alignment, 0.05, "components ≈ ±(u, v, w)");
        // The explained variances equal the eigenvalues of the covariance matrix, largest first.
        var (eigenvalues, _) = Linalg.Eigh(Statistics.CovarianceMatrix(x));
        Near(Tensor.FromArray(eigenvalues.ToArray().Reverse().ToArray()), pca.ExplainedVariance, 1e-4, "variance = eigenvalues");
        Near(1, pca.ExplainedVarianceRatio.Sum().Item(), 1e-6, "ratios sum to 1");
        Assert.True(pca.ExplainedVarianceRatio[0] > 0.88f, $"first component keeps {pca.ExplainedVarianceRatio[0]} (≈ 9/10.01)");
        Near(x, pca.InverseTransform(pca.Transform(x)), 1e-5, "full-rank round trip");
    }

    [Fact]
    public void Two_components_reconstruct_up_to_the_discarded_variance()
    {
        var (x, _) = Ellipsoid();
        var pca = new Pca(components: 2);
        var z = pca.FitTransform(x);
        Assert.Equal([500, 2], z.Shape.ToArray());
        var full = new Pca().Fit(x);
        var residual = x - pca.InverseTransform(z);
        // Σ‖x - x̂‖²/(N - 1) is exactly the variance along the dropped third component.
        Near(full.ExplainedVariance[2], (residual * residual).Sum().Item() / 499, 1e-5, "residual variance");
        Near(Tensor.Zeros(2), pca.Transform(pca.Mean.Unsqueeze(0)).Squeeze(0), 1e-5, "the mean maps to the origin");
        Near(z.Var([0]), pca.ExplainedVariance, 1e-3, "score variances");
        Assert.Contains("[..., 3]", Assert.Throws<ArgumentException>(() => pca.Transform(Tensor.Zeros(4, 2))).Message);
        Assert.Throws<InvalidOperationException>(() => new Pca().Transform(x));
    }

    [Fact]
    public void Compression_error_equals_the_discarded_singular_values()
    {
        var layer = new Linear(12, 8, generator: new Generator(20));
        var s = Linalg.SingularValues(layer.Weight.Detach()).ToArray().Select(v => (double)v).ToArray();
        var x = Tensor.Randn([4, 12], new Generator(21));
        for (var r = 1; r <= 8; r++)
        {
            var compressed = LowRank.Compress(layer, r);
            var first = (Linear)compressed[0];
            var second = (Linear)compressed[1];
            Assert.Equal((r, r), (first.OutFeatures, second.InFeatures));
            Assert.Null(first.Bias);
            Assert.Equal(r * (12 + 8) + 8, compressed.ParameterCount());
            using var _ = Autograd.NoGrad();
            var product = second.Weight.MatMul(first.Weight); // W_r [8, 12]
            var error = layer.Weight - product;
            // Eckart–Young: ‖W - W_r‖_F² = Σ_{i>r} σᵢ², ‖W - W_r‖₂ = σ_{r+1}.
            Near(Math.Sqrt(s.Skip(r).Sum(v => v * v)), Linalg.MatrixNorm(error).Item(), 1e-5, $"Frobenius error at rank {r}");
            Near(r < 8 ? s[r] : 0, Linalg.MatrixNorm(error, MatrixNormKind.Spectral).Item(), 1e-5, $"spectral error at rank {r}");
            Near(x.MatMul(product.T) + layer.Bias!, compressed.Forward(x), 1e-5, $"forward at rank {r}");
        }
        Assert.Contains("[1, 8]", Assert.Throws<ArgumentException>(() => LowRank.Compress(layer, 9)).Message);
    }

    [Fact]
    public void Rank_sweep_of_a_trained_classifier_keeps_accuracy_at_full_rank_and_shrinks_parameters()
    {
        // Three Gaussian blobs in 10-D, a 10-24-3 MLP trained for a few hundred full-batch Adam steps.
        var g = new Generator(30);
        var centres = Tensor.Randn([3, 10], g) * 2f;
        var labels = Tensor.RandInt(0, 3, [600], g);
        var inputs = centres.IndexSelect(0, labels) + Tensor.Randn([600, 10], g);
        var model = new Sequential(new Linear(10, 24, generator: g), new Relu(), new Linear(24, 3, generator: g));
        var optimizer = new Adam(model.Parameters(), learningRate: 0.02f);
        for (var step = 0; step < 150; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            Losses.CrossEntropy(model.Forward(inputs), labels).Backward();
            optimizer.Step();
        }
        var rows = LowRank.RankSweep(model, inputs, labels, [1, 2, 3, 10]);
        Assert.Null(rows[0].Rank);
        Assert.Equal(model.ParameterCount(), rows[0].Parameters);
        Assert.True(rows[0].Accuracy > 0.9, $"the classifier learned the blobs ({rows[0].Accuracy})");
        var full = rows.Single(r => r.Rank == 10);
        Assert.Equal(rows[0].Accuracy, full.Accuracy); // rank 10 = min(10, 24) reproduces W up to rounding
        Assert.Equal(10 * 34 + 24 + 3 * 27 + 3, full.Parameters); // both layers factored: r(in + out) + bias
        var rank2 = rows.Single(r => r.Rank == 2);
        Assert.Equal(2 * 34 + 24 + 2 * 27 + 3, rank2.Parameters);
        Assert.True(rank2.Parameters < rows[0].Parameters);
        Assert.True(rows.Single(r => r.Rank == 1).Accuracy < rows[0].Accuracy, "rank 1 cannot separate three classes as well");
        Assert.True(model.IsTraining, "the sweep restores the model's mode");
        var table = LowRank.FormatTable(rows);
        Assert.Contains("original", table);
        Assert.Equal(rows.Count + 1, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Check.Close(model.Forward(inputs).ToArray(), LowRank.CompressLinearLayers(model, 10).Forward(inputs), 1e-4, 1e-4);
    }
}
